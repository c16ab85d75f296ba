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

/* items[]: each SKU once (order_create counts on that). */
struct item_in {
  int64_t sku_id, quantity;
  int64_t seen[ORDERS_MAX_ITEMS];
};

static void item_each(struct jsonin_at *at, void *arg)
{
  struct item_in *it = arg;
  it->seen[at->index] = it->sku_id; /* 0 when not valid */
  for (size_t j = 0; j < at->index && it->sku_id != 0; j++)
    if (it->seen[j] == it->sku_id) {
      jsonin_at_error(at, "sku_id", "repeats items[%zu].sku_id", j);
      break;
    }
}

/* Checks the whole body, answering every problem in one 400. items and
 * address go to SQL as the checked JSON. */
static enum http_step read_order_body(struct http_request *rq, struct db_order_draft *d,
                                      json_t **items, json_t **address)
{
  struct item_in it;
  const struct jsonin_field item_fields[] = {
      JSONIN_INT("sku_id", &it.sku_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_INT("quantity", &it.quantity, 1, 999, JSONIN_REQUIRED),
  };
  const struct jsonin_spec item_spec = JSONIN_SPEC(item_fields);
  const struct jsonin_field item = JSONIN_OBJECT(NULL, &item_spec, JSONIN_REQUIRED);
  struct {
    const char *name, *phone, *province, *city, *district, *detail;
  } a;
  const struct jsonin_field address_fields[] = {
      JSONIN_TEXT("name", &a.name, 1, 50, JSONIN_REQUIRED),
      JSONIN_TEXT("phone", &a.phone, 5, 20, JSONIN_REQUIRED, .check = phone_problem),
      JSONIN_TEXT("province", &a.province, 1, 50, JSONIN_REQUIRED),
      JSONIN_TEXT("city", &a.city, 1, 50, JSONIN_REQUIRED),
      JSONIN_TEXT("district", &a.district, 1, 50, JSONIN_REQUIRED),
      JSONIN_TEXT("detail", &a.detail, 1, 200, JSONIN_REQUIRED),
  };
  const struct jsonin_spec address_spec = JSONIN_SPEC(address_fields);
  const struct jsonin_field fields[] = {
      JSONIN_INT("shop_id", &d->shop_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_TEXT("note", &d->note, 0, 200, JSONIN_NULLABLE),
      JSONIN_INT("coupon_id", &d->coupon_id, 1, INT64_MAX, JSONIN_NULLABLE),
      JSONIN_ARRAY("items", &item, 1, ORDERS_MAX_ITEMS, JSONIN_REQUIRED, .json = items,
                   .each = item_each, .arg = &it),
      JSONIN_OBJECT("address", &address_spec, JSONIN_REQUIRED, .json = address),
  };
  return jsonin_read(rq, fields, JSONIN_COUNT(fields));
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
                    : p == PROBLEM_CAMPAIGN_LIMIT_REACHED
                        ? "past the campaign's limit per buyer of sku %lld"
                        : "sku %lld cannot be ordered";
  snprintf(detail, sizeof detail, fmt, (long long)sku_id);
  return reply_problem(rq, p, detail, json_pack("{s:I}", "sku_id", (json_int_t)sku_id));
}

enum MHD_Result h_orders_create(struct http_request *rq)
{
  struct db_order_draft d = {.buyer_id = rq->session.account.id, .note = ""};
  json_t *items_json = NULL, *address_json = NULL;
  enum http_step step = read_order_body(rq, &d, &items_json, &address_json);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char *items = json_dumps(items_json, JSON_COMPACT);
  char *address = json_dumps(address_json, JSON_COMPACT);
  if (items == NULL || address == NULL) {
    free(items);
    free(address);
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  d.items_json = items;
  d.address_json = address;
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
  struct cursor c = {0, INT64_MAX};
  enum http_step step = query_status_page(rq, statuses, &status, ORDERS_CURSOR_KIND, &limit, &c);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_buyer_orders_page(rq->session.account.id, status >= 0 ? statuses[status] : NULL, c.id,
                           (int)limit + 1, page_add, &pg);
  return page_reply_read(rq, &pg, st, ORDERS_CURSOR_KIND);
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
      JSONIN_TEXT("type", &type, 0, 32, JSONIN_REQUIRED, .check = after_sale_type_problem),
      JSONIN_TEXT("reason", &reason, 1, 500, JSONIN_REQUIRED),
      JSONIN_INT("amount_cents", &amount, 1, INT64_MAX, JSONIN_OPTIONAL, .present = &has_amount),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
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
