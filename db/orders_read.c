#include "orders_read.h"

/* 0 for SQL NULL. */
static int64_t time_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

void db_order_read(const PGresult *res, int r, int c, struct db_order *o)
{
  o->id = db_get_int64(res, r, c++);
  o->order_sn = PQgetvalue(res, r, c++);
  o->shop_id = db_get_int64(res, r, c++);
  o->buyer_id = db_get_int64(res, r, c++);
  o->buyer_name = PQgetvalue(res, r, c++);
  o->status = PQgetvalue(res, r, c++);
  o->items_cents = db_get_int64(res, r, c++);
  o->discount_cents = db_get_int64(res, r, c++);
  o->total_cents = db_get_int64(res, r, c++);
  o->paid_cents = db_get_int64(res, r, c++);
  o->refunded_cents = db_get_int64(res, r, c++);
  o->addr_name = PQgetvalue(res, r, c++);
  o->addr_phone = PQgetvalue(res, r, c++);
  o->addr_province = PQgetvalue(res, r, c++);
  o->addr_city = PQgetvalue(res, r, c++);
  o->addr_district = PQgetvalue(res, r, c++);
  o->addr_detail = PQgetvalue(res, r, c++);
  o->note = PQgetvalue(res, r, c++);
  o->merchant_note = PQgetvalue(res, r, c++);
  o->flag = (int)db_get_int64(res, r, c++);
  o->carrier = db_get_text(res, r, c++);
  o->tracking_no = db_get_text(res, r, c++);
  o->created_at = time_or_zero(res, r, c++);
  o->expires_at = time_or_zero(res, r, c++);
  o->paid_at = time_or_zero(res, r, c++);
  o->grouped_at = time_or_zero(res, r, c++);
  o->shipped_at = time_or_zero(res, r, c++);
  o->completed_at = time_or_zero(res, r, c++);
  o->closed_at = time_or_zero(res, r, c++);
  o->close_reason = db_get_text(res, r, c++);
  o->after_sales_open = db_get_bool(res, r, c++);
  o->change_seq = db_get_int64(res, r, c++);
  o->items_json = PQgetisnull(res, r, c) ? "[]" : PQgetvalue(res, r, c);
  c++;
  o->review_status = db_get_text(res, r, c++);
  o->review_reason = db_get_text(res, r, c++);
  o->review_deadline = time_or_zero(res, r, c++);
  o->coupon_id = PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

struct order_rows {
  db_order_fn fn;
  void *arg;
};

static void order_row(const PGresult *res, int r, void *arg)
{
  struct order_rows *rows = arg;
  struct db_order o;
  db_order_read(res, r, 0, &o);
  rows->fn(&o, rows->arg);
}

enum db_status db_orders_each(struct db_stmt *stmt, const char *const *params, db_order_fn fn,
                              void *arg)
{
  struct order_rows rows = {fn, arg};
  return db_each_row(stmt, params, order_row, &rows);
}
