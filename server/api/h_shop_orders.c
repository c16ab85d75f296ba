/* The merchant's orders, one at a time and in batches:
 *   GET   /v1/shops/{id}/orders/{id}
 *   PATCH /v1/shops/{id}/orders/{id}       merchant_note, flag
 *   POST  /v1/shops/{id}/orders/{id}/ship  carrier, tracking_no
 *   POST  /v1/shops/{id}/shipments:batch   up to 500 shipments
 * (The list and its CSV export are in h_export.c.) Each folds the shop's
 * ownership into its one query where it can: another merchant's shop, or
 * an order of another shop, answers 404. */
#include "auth.h"
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "logistics.h"
#include "reply.h"
#include "review.h"
#include "routes.h"
#include "shop_orders.h"
#include "tenancy.h"
#include "view.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 500

/* db_order_fn: writes the merchant's view of the order. */
static void write_order(const struct db_order *o, void *arg)
{
  view_order(arg, o, true);
}

/* The order written, or why there is none; frees what was written when it
 * is not the reply. */
static enum MHD_Result order_reply(struct http_request *rq, enum db_status st,
                                   struct jsonout *order)
{
  if (st < DB_NONE || order->len == 0) {
    jsonout_free(order);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such order in this shop", NULL);
  }
  return reply_jsonout(rq, MHD_HTTP_OK, order);
}

/* The hot read of a merchant's day: the route folds authentication into its
 * one query (ROUTE_FOLDED_AUTH). */
enum MHD_Result h_shop_orders_get(struct http_request *rq)
{
  struct jsonout order = JSONOUT_INIT;
  enum db_status st =
      db_shop_order_get(rq->token_hash, rq->ids[0], rq->ids[1], &rq->session, write_order, &order);
  if (st < DB_NONE)
    return order_reply(rq, st, &order);
  enum http_step step = auth_accept_live(rq, st == DB_ONE, ROUTE_MERCHANT);
  if (step != HTTP_STEP_OK) {
    jsonout_free(&order);
    return http_step_result(step);
  }
  return order_reply(rq, st, &order);
}

enum MHD_Result h_shop_orders_update(struct http_request *rq)
{
  const char *note = NULL;
  int64_t flag = -1;
  bool has_note, has_flag;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("merchant_note", &note, 0, 500, JSONIN_OPTIONAL, .present = &has_note),
      JSONIN_INT("flag", &flag, 0, 5, JSONIN_OPTIONAL, .present = &has_flag),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!has_note && !has_flag)
    return reply_problem(rq, PROBLEM_INVALID_FIELD,
                         "nothing to change: send merchant_note, flag or both",
                         json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "errors", "field",
                                   "merchant_note", "message", "send this, flag or both", "field",
                                   "flag", "message", "send this, merchant_note or both"));
  struct jsonout order = JSONOUT_INIT;
  enum db_status st = db_shop_order_update(rq->session.account.id, rq->ids[0], rq->ids[1], note,
                                           (int)flag, write_order, &order);
  return order_reply(rq, st, &order);
}

/* The detail of a result code of order_ship. */
static const char *ship_detail(const char *code)
{
  if (strcmp(code, "not_found") == 0)
    return "no such order in this shop";
  if (strcmp(code, "invalid_state") == 0)
    return "only a paid order can be shipped, and only once";
  if (strcmp(code, "order_under_review") == 0)
    return REVIEW_HOLD_MESSAGE;
  return NULL;
}

enum MHD_Result h_shop_orders_ship(struct http_request *rq)
{
  const char *carrier = NULL, *tracking_no = NULL;
  enum http_step step = logistics_read(rq, &carrier, &tracking_no);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout order = JSONOUT_INIT;
  enum db_status st = db_shop_order_ship(rq->session.account.id, rq->ids[0], rq->ids[1], carrier,
                                         tracking_no, clock_now_us(), code, write_order, &order);
  if (st < DB_NONE || strcmp(code, "ok") == 0)
    return order_reply(rq, st, &order);
  jsonout_free(&order);
  if (strcmp(code, "invalid_field") == 0)
    return logistics_reply_unknown_carrier(rq);
  return reply_problem_code(rq, code, ship_detail(code));
}

/* A batch: the request's rows, and what became of each. Rows with
 * problems of their own are answered without reaching the database; the
 * others go to orders_ship_batch in one call, in request order. */
struct batch {
  json_t *results;         /* [{"order_id", "result"}], one per request row */
  json_t *sent;            /* the rows sent to the database */
  size_t index[BATCH_MAX]; /* sent row i is request row index[i] */
  size_t next;             /* the next sent row to receive a result */
  int64_t order_id;        /* the row being read: by order_id or order_sn */
  const char *order_sn, *carrier, *tracking_no;
};

/* db_ship_result_fn: the result of the next sent row. */
static void batch_result(int64_t order_id, const char *code, void *arg)
{
  struct batch *b = arg;
  if (b->next >= json_array_size(b->sent))
    return;
  json_t *r = json_array_get(b->results, b->index[b->next++]);
  /* A row by order number learns its order's id when the shop has it. */
  if (order_id != 0 && json_is_null(json_object_get(r, "order_id")))
    json_object_set_new(r, "order_id", json_integer((json_int_t)order_id));
  json_object_set_new(r, "result", json_string(strcmp(code, "ok") == 0 ? "shipped" : code));
  if (strcmp(code, "invalid_field") == 0)
    json_object_set_new(r, "errors", logistics_unknown_carrier_errors());
  const char *detail = strcmp(code, "ok") != 0 ? ship_detail(code) : NULL;
  if (detail != NULL)
    json_object_set_new(r, "detail", json_string(detail));
}

/* A row names its order by order_id or order_sn, exactly one: NULL or the
 * problem, on the field it is about. */
static json_t *batch_row_order_problem(json_t *row)
{
  json_t *id = json_object_get(row, "order_id"), *sn = json_object_get(row, "order_sn");
  bool has_id = id != NULL && !json_is_null(id), has_sn = sn != NULL && !json_is_null(sn);
  if (has_id && has_sn)
    return json_pack("{s:s, s:s}", "field", "order_sn", "message",
                     "give order_id or order_sn, not both");
  if (!has_id && !has_sn)
    return json_pack("{s:s, s:s}", "field", "order_id", "message",
                     "is required (or order_sn instead)");
  return NULL;
}

/* items[i], read: its result with its problems, or a row to send. */
static void batch_row(struct jsonin_at *at, void *arg)
{
  struct batch *b = arg;
  /* The row's order_id as sent, when an integer, names its result; its
   * order_sn as sent, when a string, too. */
  json_t *id = json_object_get(at->value, "order_id");
  json_t *sn = json_object_get(at->value, "order_sn");
  json_t *r = json_pack("{s:O}", "order_id", json_is_integer(id) ? id : json_null());
  if (json_is_string(sn))
    json_object_set(r, "order_sn", sn);
  json_t *order_problem = batch_row_order_problem(at->value);
  if (!at->valid || order_problem != NULL) {
    json_t *errors = at->errors != NULL ? json_copy(at->errors) : json_array();
    if (order_problem != NULL)
      json_array_append_new(errors, order_problem);
    json_object_set_new(r, "result", json_string(at->unknown ? "unknown_field" : "invalid_field"));
    json_object_set_new(r, "errors", errors);
  } else {
    b->index[json_array_size(b->sent)] = at->index;
    json_array_append_new(b->sent,
                          b->order_sn != NULL
                              ? json_pack("{s:s, s:s, s:s}", "order_sn", b->order_sn, "carrier",
                                          b->carrier, "tracking_no", b->tracking_no)
                              : json_pack("{s:I, s:s, s:s}", "order_id", (json_int_t)b->order_id,
                                          "carrier", b->carrier, "tracking_no", b->tracking_no));
  }
  json_array_append_new(b->results, r);
}

/* Reads items[]; a 400 is only for the shape of the request itself. */
static enum http_step batch_read(struct http_request *rq, struct batch *b)
{
  const struct jsonin_field row_fields[] = {
      JSONIN_INT("order_id", &b->order_id, 1, INT64_MAX, 0),
      JSONIN_TEXT("order_sn", &b->order_sn, 1, 64, 0),
      JSONIN_BYTES("carrier", &b->carrier, 0, 64, JSONIN_REQUIRED,
                   .check = logistics_carrier_problem),
      JSONIN_BYTES("tracking_no", &b->tracking_no, 0, 64, JSONIN_REQUIRED,
                   .check = logistics_tracking_problem),
  };
  const struct jsonin_spec row_spec = JSONIN_SPEC(row_fields);
  const struct jsonin_field row = JSONIN_OBJECT(NULL, &row_spec, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_ARRAY("items", &row, 1, BATCH_MAX, JSONIN_REQUIRED | JSONIN_ROWS, .each = batch_row,
                   .arg = b),
  };
  return jsonin_read(rq, fields, JSONIN_COUNT(fields));
}

enum MHD_Result h_shop_orders_ship_batch(struct http_request *rq)
{
  struct batch b = {.results = json_array(), .sent = json_array()};
  enum http_step step = b.results && b.sent ? batch_read(rq, &b) : HTTP_STEP_FAILED;
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  enum db_status st = DB_ONE;
  if (step == HTTP_STEP_OK && json_array_size(b.sent) > 0) {
    char *sent = json_dumps(b.sent, JSON_COMPACT);
    st = sent != NULL
             ? db_shop_orders_ship_batch(rq->ids[0], sent, clock_now_us(), batch_result, &b)
             : DB_HARD_ERROR;
    free(sent);
  }
  /* Every sent row has its result, or the database broke its contract. */
  if (st >= DB_NONE && b.next != json_array_size(b.sent))
    st = DB_HARD_ERROR;
  json_decref(b.sent);
  if (step != HTTP_STEP_OK || st < DB_NONE) {
    json_decref(b.results);
    return step != HTTP_STEP_OK ? http_step_result(step) : reply_db_error(rq, st);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:o}", "items", b.results));
}
