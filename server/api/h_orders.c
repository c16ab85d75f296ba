/* The buyer's side of orders: POST and GET /v1/orders, GET /v1/orders/{id},
 * POST /v1/orders/{id}/pay, /cancel, /confirm-receipt and /after-sales.
 * Every route is the buyer's own: another buyer's order is 404. The rules
 * (stock, states, deadlines, refund bounds) are the SQL functions'; these
 * handlers check the input and turn result codes into replies. */
#include "buyer_orders.h"
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An unpaid order keeps its stock this long, then closes. */
#define ORDERS_PAY_WINDOW_US (30 * 60 * CLOCK_US_PER_SEC)
#define ORDERS_MAX_ITEMS     50
/* Cursor kind of the buyer's list (by id, newest first). */
#define ORDERS_CURSOR_KIND 'b'

/* db_order_fn: writes the buyer's view of the order. */
static void write_view(const struct db_order *o, void *arg)
{
  view_order(arg, o, false);
}

static const char *phone_problem(const char *v)
{
  return v[strspn(v, "0123456789 +-")] == '\0' ? NULL : "may hold only digits, spaces, '+' and '-'";
}

static void check_address(json_t *address, struct jsonin_errors *e)
{
  /* The values are not kept: the checked object goes to SQL as it is. */
  const char *s;
  const struct jsonin_field fields[] = {
      {"name", JSONIN_TEXT, true, false, 1, 50, &s, NULL, NULL},
      {"phone", JSONIN_TEXT, true, false, 5, 20, &s, NULL, phone_problem},
      {"province", JSONIN_TEXT, true, false, 1, 50, &s, NULL, NULL},
      {"city", JSONIN_TEXT, true, false, 1, 50, &s, NULL, NULL},
      {"district", JSONIN_TEXT, true, false, 1, 50, &s, NULL, NULL},
      {"detail", JSONIN_TEXT, true, false, 1, 200, &s, NULL, NULL},
  };
  if (address == NULL)
    jsonin_error(e, "address", "is required");
  else if (!json_is_object(address))
    jsonin_error(e, "address", "must be an object");
  else
    jsonin_check(address, fields, sizeof fields / sizeof fields[0], "address.", e);
}

/* 1 to 50 lines of distinct SKUs (order_create counts on that). */
static void check_items(json_t *items, struct jsonin_errors *e)
{
  size_t n = json_array_size(items);
  if (items == NULL) {
    jsonin_error(e, "items", "is required");
    return;
  }
  if (!json_is_array(items) || n < 1 || n > ORDERS_MAX_ITEMS) {
    jsonin_error(e, "items", "must be an array of 1 to %d items", ORDERS_MAX_ITEMS);
    return;
  }
  int64_t skus[ORDERS_MAX_ITEMS] = {0};
  for (size_t i = 0; i < n; i++) {
    char name[48];
    int64_t quantity;
    const struct jsonin_field fields[] = {
        {"sku_id", JSONIN_INT, true, false, 1, INT64_MAX, &skus[i], NULL, NULL},
        {"quantity", JSONIN_INT, true, false, 1, 999, &quantity, NULL, NULL},
    };
    json_t *item = json_array_get(items, i);
    if (!json_is_object(item)) {
      snprintf(name, sizeof name, "items[%zu]", i);
      jsonin_error(e, name, "must be an object");
      continue;
    }
    snprintf(name, sizeof name, "items[%zu].", i);
    jsonin_check(item, fields, 2, name, e);
    for (size_t j = 0; j < i && skus[i] != 0; j++)
      if (skus[j] == skus[i]) {
        snprintf(name, sizeof name, "items[%zu].sku_id", i);
        jsonin_error(e, name, "repeats items[%zu].sku_id", j);
        break;
      }
  }
}

/* Checks the whole body, answering every problem in one 400. */
static enum http_step read_order_body(struct http_request *rq, int64_t *shop_id, const char **note,
                                      int64_t *coupon_id)
{
  /* jsonin has no array or object fields: the top level is checked without
   * those two (a shallow copy: strings stay owned by rq->json). */
  struct jsonin_errors e;
  json_t *top = json_copy(rq->json);
  if (top == NULL || !jsonin_errors_init(&e)) {
    json_decref(top);
    return HTTP_STEP_FAILED;
  }
  json_object_del(top, "items");
  json_object_del(top, "address");
  const struct jsonin_field fields[] = {
      {"shop_id", JSONIN_INT, true, false, 1, INT64_MAX, shop_id, NULL, NULL},
      {"note", JSONIN_TEXT, false, true, 0, 200, note, NULL, NULL},
      {"coupon_id", JSONIN_INT, false, true, 1, INT64_MAX, coupon_id, NULL, NULL},
  };
  jsonin_check(top, fields, sizeof fields / sizeof fields[0], "", &e);
  json_decref(top);
  check_items(json_object_get(rq->json, "items"), &e);
  check_address(json_object_get(rq->json, "address"), &e);
  return jsonin_finish(rq, &e);
}

/* order_create's refusals name the SKU they are about (none: the shop). */
static enum MHD_Result create_refused(struct http_request *rq, const char *code, int64_t sku_id)
{
  enum problem p;
  if (!problem_by_code(code, &p))
    return reply_problem_code(rq, code, NULL);
  if (p == PROBLEM_COUPON_UNAVAILABLE)
    return reply_problem(rq, p,
                         "the coupon is not yours, used, out of its validity, of another shop or"
                         " product, or the order is below its minimum",
                         NULL);
  if (sku_id == 0)
    return reply_problem(rq, p, "no such shop", NULL);
  char detail[96];
  const char *fmt = p == PROBLEM_NOT_FOUND             ? "sku %lld is not sold by this shop"
                    : p == PROBLEM_PRODUCT_UNAVAILABLE ? "sku %lld is not on sale"
                    : p == PROBLEM_OUT_OF_STOCK        ? "not enough stock of sku %lld"
                                                       : "sku %lld cannot be ordered";
  snprintf(detail, sizeof detail, fmt, (long long)sku_id);
  return reply_problem(rq, p, detail, json_pack("{s:I}", "sku_id", (json_int_t)sku_id));
}

enum MHD_Result h_orders_create(struct http_request *rq)
{
  int64_t shop_id = 0, coupon_id = 0;
  const char *note = "";
  enum http_step step = read_order_body(rq, &shop_id, &note, &coupon_id);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  /* Checked, so only the declared members remain. */
  char *items = json_dumps(json_object_get(rq->json, "items"), JSON_COMPACT);
  char *address = json_dumps(json_object_get(rq->json, "address"), JSON_COMPACT);
  if (items == NULL || address == NULL) {
    free(items);
    free(address);
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  struct db_order_draft d = {rq->session.account.id, shop_id, items, address, note, coupon_id};
  int64_t now = clock_now_us(), sku_id;
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout view = JSONOUT_INIT;
  enum db_status st =
      db_buyer_order_create(&d, now, now + ORDERS_PAY_WINDOW_US, code, &sku_id, write_view, &view);
  free(items);
  free(address);
  if (st >= DB_NONE && strcmp(code, "ok") == 0)
    return reply_jsonout(rq, MHD_HTTP_CREATED, &view);
  jsonout_free(&view);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  return create_refused(rq, code, sku_id);
}

static void page_add(const struct db_order *o, void *arg)
{
  struct page *pg = arg;
  if (page_row(pg)) {
    view_order(&pg->out, o, false);
    pg->last = (struct cursor){0, o->id};
  }
}

enum MHD_Result h_orders_list(struct http_request *rq)
{
  static const char *const statuses[] = {"unpaid", "paid", "shipped", "completed", "closed", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      {"status", QUERY_ENUM, 0, 0, &status, statuses, NULL},
      QUERY_PARAM_LIMIT(&limit),
      QUERY_PARAM_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct cursor c = {0, INT64_MAX};
  step = query_cursor(rq, ORDERS_CURSOR_KIND, cursor_text, &c);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_buyer_orders_page(rq->session.account.id, status >= 0 ? statuses[status] : NULL, c.id,
                           (int)limit + 1, page_add, &pg);
  if (st < DB_NONE) {
    jsonout_free(&pg.out);
    return reply_db_error(rq, st);
  }
  return page_reply(rq, &pg, ORDERS_CURSOR_KIND);
}

enum MHD_Result h_orders_get(struct http_request *rq)
{
  struct jsonout view = JSONOUT_INIT;
  enum db_status st = db_buyer_order_get(rq->session.account.id, rq->ids[0], write_view, &view);
  if (st == DB_ONE)
    return reply_jsonout(rq, MHD_HTTP_OK, &view);
  jsonout_free(&view);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  return reply_problem(rq, PROBLEM_NOT_FOUND, "no such order", NULL);
}

static const char *act_detail(enum db_buyer_action action, const char *code)
{
  if (strcmp(code, "not_found") == 0)
    return "no such order";
  if (strcmp(code, "order_expired") == 0)
    return "the payment deadline has passed; the order is closed";
  if (strcmp(code, "invalid_state") != 0)
    return NULL;
  switch (action) {
  case DB_BUYER_PAY:
    return "only an unpaid order can be paid";
  case DB_BUYER_CANCEL:
    return "only an unpaid order can be cancelled";
  case DB_BUYER_CONFIRM_RECEIPT:
    return "only a shipped order can be confirmed as received";
  }
  return NULL;
}

/* Pay, cancel and confirm: one SQL function each, answered with the order
 * as it left the order. */
static enum MHD_Result act(struct http_request *rq, enum db_buyer_action action)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout view = JSONOUT_INIT;
  enum db_status st = db_buyer_order_act(action, rq->session.account.id, rq->ids[0], clock_now_us(),
                                         code, write_view, &view);
  if (st >= DB_NONE && strcmp(code, "ok") == 0)
    return reply_jsonout(rq, MHD_HTTP_OK, &view);
  jsonout_free(&view);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  return reply_problem_code(rq, code, act_detail(action, code));
}

enum MHD_Result h_orders_pay(struct http_request *rq)
{
  return act(rq, DB_BUYER_PAY);
}

enum MHD_Result h_orders_cancel(struct http_request *rq)
{
  return act(rq, DB_BUYER_CANCEL);
}

enum MHD_Result h_orders_confirm_receipt(struct http_request *rq)
{
  return act(rq, DB_BUYER_CONFIRM_RECEIPT);
}

static const char *after_sale_type_problem(const char *v)
{
  if (strcmp(v, "refund_only") == 0 || strcmp(v, "return_refund") == 0 || strcmp(v, "reship") == 0)
    return NULL;
  return "must be refund_only, return_refund or reship";
}

static const char *after_sale_detail(const char *code)
{
  if (strcmp(code, "not_found") == 0)
    return "no such order";
  if (strcmp(code, "invalid_state") == 0)
    return "after-sales need a paid order, and a reship a shipped one";
  if (strcmp(code, "after_sale_open") == 0)
    return "this order already has an open after-sales request";
  if (strcmp(code, "refund_exceeds_paid") == 0)
    return "the amount exceeds what is left to refund";
  return NULL;
}

enum MHD_Result h_orders_after_sale(struct http_request *rq)
{
  const char *type = NULL, *reason = NULL;
  int64_t amount = 0;
  bool has_amount = false;
  const struct jsonin_field fields[] = {
      {"type", JSONIN_TEXT, true, false, 0, 32, &type, NULL, after_sale_type_problem},
      {"reason", JSONIN_TEXT, true, false, 1, 500, &reason, NULL, NULL},
      {"amount_cents", JSONIN_INT, false, false, 1, INT64_MAX, &amount, &has_amount, NULL},
  };
  enum http_step step = jsonin_read(rq, fields, sizeof fields / sizeof fields[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (has_amount && strcmp(type, "reship") == 0)
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "a reship refunds nothing",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "amount_cents", "message",
                                   "must be absent for a reship"));
  char code[DB_RESULT_CODE_SIZE];
  struct db_after_sale a;
  enum db_status st = db_buyer_after_sale_create(rq->session.account.id, rq->ids[0], type, reason,
                                                 amount, clock_now_us(), code, &a);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code, after_sale_detail(code));
  return reply_json_steal(rq, MHD_HTTP_CREATED,
                          json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:o}", "id", (json_int_t)a.id,
                                    "order_id", (json_int_t)a.order_id, "type", a.type, "reason",
                                    a.reason, "amount_cents", (json_int_t)a.amount_cents, "status",
                                    a.status, "created_at", view_time(a.created_at)));
}
