/* Coupons, the buyer's side: POST /v1/coupons/{id}/claim, GET
 * /v1/shops/{id}/coupons/claimable and GET /v1/me/coupons. The claim's
 * exactness (never past the quantity or the per-buyer limit) is SQL
 * coupon_claim's; using a coupon is POST /v1/orders' (h_orders.c). */
#include "auth.h"
#include "buyer_coupons.h"
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "routes.h"

#include <string.h>

/* Cursor kinds: a buyer's coupons (by -id), a shop's claimable coupons
 * (by -id). */
#define MY_COUPONS_CURSOR_KIND 'w'
#define CLAIMABLE_CURSOR_KIND  'y'

/* A buyer coupon as its owner sees it. */
static void write_buyer_coupon(struct jsonout *j, const struct db_buyer_coupon *c)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", c->id);
  jsonout_field_int(j, "coupon_id", c->coupon_id);
  jsonout_field_int(j, "shop_id", c->shop_id);
  jsonout_field_string(j, "kind", c->kind);
  jsonout_field_int_or_null(j, "product_id", c->product_id);
  jsonout_field_string(j, "title", c->title);
  jsonout_field_int(j, "discount_cents", c->discount_cents);
  jsonout_field_int(j, "min_order_cents", c->min_order_cents);
  jsonout_field_time(j, "valid_from", c->valid_from);
  jsonout_field_time(j, "valid_to", c->valid_to);
  jsonout_field_string(j, "status", c->status);
  jsonout_field_int_or_null(j, "used_order_id", c->used_order_id);
  jsonout_field_time(j, "claimed_at", c->claimed_at);
  jsonout_end_object(j);
}

/* db_buyer_coupon_fn for a single coupon. */
static void write_one(const struct db_buyer_coupon *c, void *arg)
{
  write_buyer_coupon(arg, c);
}

static const char *claim_detail(const char *code)
{
  if (strcmp(code, "not_found") == 0)
    return "no such coupon";
  if (strcmp(code, "not_claimable") == 0)
    return "the coupon cannot be claimed now: outside its claim window, stopped, or live-only"
           " while the shop is not live";
  if (strcmp(code, "claim_limit_reached") == 0)
    return "you have claimed this coupon as many times as it allows";
  if (strcmp(code, "sold_out") == 0)
    return "every coupon of this kind has been claimed";
  return NULL;
}

static enum MHD_Result claim_reply(struct http_request *rq, enum db_status st, const char *code,
                                   struct jsonout *view)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0)
    return reply_jsonout(rq, MHD_HTTP_CREATED, view);
  jsonout_free(view);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  return reply_problem_code(rq, code, claim_detail(code));
}

/* The live-stream rush of a shop: the route folds authentication into the
 * claim's statement (ROUTE_FOLDED_AUTH), which judges the session before it
 * claims. A request the statement did not claim for (no live buyer session
 * there) or that came authenticated (with an Idempotency-Key) takes the
 * ordinary way. */
enum MHD_Result h_buyer_coupons_claim(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout view = JSONOUT_INIT;
  int64_t now = clock_now_us();
  if (!rq->authenticated) {
    enum db_status st = db_coupon_claim_by_token(rq->token_hash, rq->ids[0], now, &rq->session,
                                                 code, write_one, &view);
    if (st < DB_NONE || code[0] != '\0') {
      if (code[0] != '\0')
        auth_accept_judged(rq);
      return claim_reply(rq, st, code, &view);
    }
    enum http_step step = auth_accept_live(rq, st == DB_ONE, ROUTE_BUYER);
    if (step != HTTP_STEP_OK)
      return http_step_result(step);
  }
  enum db_status st =
      db_coupon_claim(rq->session.account.id, rq->ids[0], now, code, write_one, &view);
  return claim_reply(rq, st, code, &view);
}

/* Reads ?limit and ?cursor (plus the route's other parameters, first in
 * params) into *limit and *c. */
static enum http_step read_page_query(struct http_request *rq, struct query_param *params,
                                      size_t count, char kind, int64_t *limit, struct cursor *c)
{
  const char *cursor_text = NULL;
  params[count - 2] = (struct query_param)QUERY_LIMIT(limit);
  params[count - 1] = (struct query_param)QUERY_CURSOR(&cursor_text);
  enum http_step step = query_read(rq, params, count);
  if (step != HTTP_STEP_OK)
    return step;
  *c = (struct cursor){0, INT64_MAX};
  return query_cursor(rq, kind, cursor_text, c);
}

static void page_add_buyer_coupon(const struct db_buyer_coupon *c, void *arg)
{
  struct page *pg = arg;
  if (page_row(pg)) {
    write_buyer_coupon(&pg->out, c);
    pg->last = (struct cursor){0, c->id};
  }
}

enum MHD_Result h_buyer_coupons_list(struct http_request *rq)
{
  static const char *const statuses[] = {"usable", "used", "expired", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor c;
  struct query_param params[] = {QUERY_ENUM("status", &status, statuses), {0}, {0}};
  enum http_step step = read_page_query(rq, params, 3, MY_COUPONS_CURSOR_KIND, &limit, &c);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_buyer_coupons_page(rq->session.account.id, status >= 0 ? statuses[status] : NULL,
                            clock_now_us(), c.id, (int)limit + 1, page_add_buyer_coupon, &pg);
  return page_reply_read(rq, &pg, st, MY_COUPONS_CURSOR_KIND);
}

/* A shop coupon as a buyer about to claim it sees it: the coupon's own
 * fields (without the shop's used count) and claimable_count, how many
 * more this buyer may claim now. */
static void page_add_claimable(const struct db_claimable_coupon *c, void *arg)
{
  struct page *pg = arg;
  if (!page_row_by_id(pg, c->id))
    return;
  struct jsonout *j = &pg->out;
  bool fixed = c->valid_days == 0;
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", c->id);
  jsonout_field_int(j, "shop_id", c->shop_id);
  jsonout_field_string(j, "kind", c->kind);
  jsonout_field_int_or_null(j, "product_id", c->product_id);
  jsonout_field_string(j, "title", c->title);
  jsonout_field_int(j, "discount_cents", c->discount_cents);
  jsonout_field_int(j, "min_order_cents", c->min_order_cents);
  jsonout_field_int(j, "total_quantity", c->total_quantity);
  jsonout_field_int(j, "remaining", c->remaining);
  jsonout_field_int(j, "per_buyer_limit", c->per_buyer_limit);
  jsonout_field_time(j, "claim_start", c->claim_start);
  jsonout_field_time(j, "claim_end", c->claim_end);
  jsonout_field_int_or_null(j, "valid_days", c->valid_days);
  jsonout_field_time_or_null(j, "valid_from", fixed ? c->valid_from : 0);
  jsonout_field_time_or_null(j, "valid_to", fixed ? c->valid_to : 0);
  jsonout_field_string(j, "channel", c->channel);
  jsonout_field_int(j, "claimable_count", c->claimable_count);
  jsonout_end_object(j);
}

enum MHD_Result h_buyer_coupons_claimable(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor c;
  struct query_param params[2];
  enum http_step step = read_page_query(rq, params, 2, CLAIMABLE_CURSOR_KIND, &limit, &c);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_coupons_claimable(rq->session.account.id, rq->ids[0], clock_now_us(), c.id,
                                           (int)limit + 1, page_add_claimable, &pg);
  if (st < DB_ONE) {
    jsonout_free(&pg.out);
    return st == DB_NONE ? reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL)
                         : reply_db_error(rq, st);
  }
  return page_reply(rq, &pg, CLAIMABLE_CURSOR_KIND);
}
