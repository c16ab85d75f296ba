/* A shop's funds (资金), the merchant's side:
 *   GET /v1/shops/{id}/funds   every balance, and why only so much is withdrawable
 * One statement reads the ownership, the five account rows and the shop's
 * counters, all kept by the transactions that post (db/funds.h), so the
 * reply costs the same whatever the shop's history. */
#include "funds.h"
#include "handlers.h"
#include "reply.h"

static json_t *amount_of_orders(int64_t cents, int64_t orders)
{
  return json_pack("{s:I, s:I}", "amount_cents", (json_int_t)cents, "orders", (json_int_t)orders);
}

/* See docs/openapi.yaml, Funds. The pending money splits into orders not
 * completed yet and completed ones waiting for an open after-sales request. */
static json_t *view_funds(int64_t shop_id, const struct db_funds *f)
{
  return json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:o, s:o, s:I, s:I}}",
                   "shop_id", (json_int_t)shop_id, "service_fee_bps", (json_int_t)f->fee_bps,
                   "withdrawable_cents", (json_int_t)(f->available_cents - f->held_cents),
                   "balances", "pending_cents", (json_int_t)f->pending_cents, "available_cents",
                   (json_int_t)f->available_cents, "deposit_cents", (json_int_t)f->deposit_cents,
                   "promotion_cents", (json_int_t)f->promotion_cents, "debt_cents",
                   (json_int_t)f->debt_cents, "not_withdrawable", "awaiting_completion",
                   amount_of_orders(f->pending_cents - f->after_sale_cents,
                                    f->pending_orders - f->after_sale_orders),
                   "awaiting_after_sales",
                   amount_of_orders(f->after_sale_cents, f->after_sale_orders),
                   "withdrawals_in_flight_cents", (json_int_t)f->held_cents, "debt_cents",
                   (json_int_t)f->debt_cents);
}

enum MHD_Result h_funds_get(struct http_request *rq)
{
  struct db_funds f;
  enum db_status st = db_funds_get(rq->session.account.id, rq->ids[0], &f);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  return reply_json_steal(rq, MHD_HTTP_OK, view_funds(rq->ids[0], &f)); /* NULL answers 500 */
}
