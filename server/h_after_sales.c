/* The merchant's side of after-sales: a shop's requests, and approving,
 * rejecting and reshipping one. The rules (refunds never above what was
 * paid, the order closing once fully refunded, the 15-day reship window)
 * live in the SQL functions these call; a decision answers with the request
 * as it now stands. */
#include "after_sales.h"
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "logistics.h"
#include "query.h"
#include "reply.h"
#include "tenancy.h"
#include "view.h"

#include <string.h>

/* The cursor kind of the after-sales list (newest first, by id). */
#define AFTER_SALES_CURSOR 'a'

static json_t *after_sale_json(const struct db_after_sale *a)
{
  json_t *logistics = a->carrier != NULL ? json_pack("{s:s, s:s?}", "carrier", a->carrier,
                                                     "tracking_no", a->tracking_no)
                                         : json_null();
  return json_pack(
      "{s:I, s:I, s:s, s:{s:I, s:s}, s:s, s:s, s:I, s:s, s:s?, s:o, s:o, s:o, s:o,"
      " s:o}",
      "id", (json_int_t)a->id, "order_id", (json_int_t)a->order_id, "order_sn", a->order_sn,
      "buyer", "id", (json_int_t)a->buyer_id, "name", a->buyer_name, "type", a->type, "reason",
      a->reason, "amount_cents", (json_int_t)a->amount_cents, "status", a->status, "reject_reason",
      a->reject_reason, "logistics", logistics, "created_at", view_time(a->created_at),
      "decided_at", view_time_or_null(a->decided_at), "reshipped_at",
      view_time_or_null(a->reshipped_at), "reship_deadline", view_time_or_null(a->reship_deadline));
}

struct page {
  json_t *items;
  int64_t limit;
  int64_t last_id; /* of the last item shown */
  bool more;       /* a row past the limit came back */
  bool failed;     /* an item could not be built */
};

static void add_item(const struct db_after_sale *a, void *arg)
{
  struct page *pg = arg;
  if ((int64_t)json_array_size(pg->items) == pg->limit) {
    pg->more = true;
    return;
  }
  if (json_array_append_new(pg->items, after_sale_json(a)) != 0)
    pg->failed = true;
  pg->last_id = a->id;
}

enum MHD_Result shop_after_sales_list(struct http_request *rq)
{
  static const char *const statuses[] = {"requested", "approved",  "rejected",
                                         "refunded",  "reshipped", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      {"status", QUERY_ENUM, 0, 0, &status, statuses, NULL},
      QUERY_PARAM_LIMIT(&limit),
      QUERY_PARAM_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  struct cursor after = {0, INT64_MAX}; /* no cursor: from the newest */
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, AFTER_SALES_CURSOR, cursor_text, &after);
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  /* One row past the page tells whether there is a next one. */
  struct page pg = {json_array(), limit, 0, false, false};
  if (pg.items == NULL)
    return MHD_NO;
  enum db_status st = db_after_sales_list(rq->ids[0], status >= 0 ? statuses[status] : NULL,
                                          after.id, limit + 1, add_item, &pg);
  if (st < DB_NONE || pg.failed) {
    json_decref(pg.items);
    return pg.failed ? reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL)
                     : reply_db_error(rq, st);
  }
  json_t *next = json_null();
  if (pg.more) {
    char text[CURSOR_TEXT_SIZE];
    cursor_encode(AFTER_SALES_CURSOR, &(struct cursor){0, pg.last_id}, text);
    next = json_string(text);
  }
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:o, s:o}", "items", pg.items, "next_cursor", next));
}

static void keep_json(const struct db_after_sale *a, void *arg)
{
  *(json_t **)arg = after_sale_json(a);
}

/* Answers a decision: the request as it now stands, or its result code.
 * The SQL function's invalid_field can only mean an unknown carrier, since
 * the tracking number's format was checked here already. */
static enum MHD_Result decided(struct http_request *rq, enum db_status st, const char *result,
                               json_t *body)
{
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(result, "ok") == 0)
    return reply_json_steal(rq, MHD_HTTP_OK, body);
  json_decref(body);
  if (strcmp(result, "not_found") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such after-sales request in this shop", NULL);
  if (strcmp(result, "invalid_field") == 0)
    return logistics_reply_unknown_carrier(rq);
  return reply_problem_code(rq, result, NULL);
}

enum MHD_Result shop_after_sales_approve(struct http_request *rq)
{
  char result[DB_RESULT_CODE_SIZE];
  json_t *body = NULL;
  enum db_status st = db_after_sale_approve(rq->session.account.id, rq->ids[0], rq->ids[1],
                                            clock_now_us(), result, keep_json, &body);
  return decided(rq, st, result, body);
}

static const char *not_blank(const char *s)
{
  return s[strspn(s, " \t\r\n")] == '\0' ? "must not be blank" : NULL;
}

enum MHD_Result shop_after_sales_reject(struct http_request *rq)
{
  const char *reason = NULL;
  const struct jsonin_field fields[] = {
      {"reason", JSONIN_TEXT, true, false, 1, 500, &reason, NULL, not_blank},
  };
  enum http_step step = jsonin_read(rq, fields, sizeof fields / sizeof fields[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char result[DB_RESULT_CODE_SIZE];
  json_t *body = NULL;
  enum db_status st = db_after_sale_reject(rq->session.account.id, rq->ids[0], rq->ids[1], reason,
                                           clock_now_us(), result, keep_json, &body);
  return decided(rq, st, result, body);
}

enum MHD_Result shop_after_sales_reship(struct http_request *rq)
{
  const char *carrier = NULL, *tracking_no = NULL;
  enum http_step step = logistics_read(rq, &carrier, &tracking_no);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char result[DB_RESULT_CODE_SIZE];
  json_t *body = NULL;
  enum db_status st = db_after_sale_reship(rq->session.account.id, rq->ids[0], rq->ids[1], carrier,
                                           tracking_no, clock_now_us(), result, keep_json, &body);
  return decided(rq, st, result, body);
}
