#include "funds.h"

#include "db_internal.h"

static void read_funds(const PGresult *res, void *arg)
{
  struct db_funds *f = arg;
  int c = 0;
  f->fee_bps = db_get_int64(res, 0, c++);
  f->pending_cents = db_get_int64(res, 0, c++);
  f->available_cents = db_get_int64(res, 0, c++);
  f->held_cents = db_get_int64(res, 0, c++);
  f->deposit_cents = db_get_int64(res, 0, c++);
  f->promotion_cents = db_get_int64(res, 0, c++);
  f->debt_cents = db_get_int64(res, 0, c++);
  f->pending_orders = db_get_int64(res, 0, c++);
  f->after_sale_orders = db_get_int64(res, 0, c++);
  f->after_sale_cents = db_get_int64(res, 0, c);
}

enum db_status db_funds_get(int64_t merchant_id, int64_t shop_id, struct db_funds *out)
{
  /* The shop's row answers ownership; its funds row and its five accounts
   * (the unique (shop_id, kind) index) are the rest. Nothing here sums
   * transfers or orders: the balances and counters are kept on the rows. */
  static struct db_stmt q = DB_STMT(
      2, "SELECT f.fee_bps, a.pending, a.available, a.held, a.deposit, a.promotion, -a.debt,"
         " f.pending_orders, f.after_sale_orders, f.after_sale_cents"
         " FROM shops s JOIN shop_funds f ON f.shop_id = s.id"
         " CROSS JOIN LATERAL (SELECT"
         " sum(balance) FILTER (WHERE kind = 'pending') AS pending,"
         " sum(balance) FILTER (WHERE kind = 'available') AS available,"
         " sum(held) FILTER (WHERE kind = 'available') AS held,"
         " sum(balance) FILTER (WHERE kind = 'deposit') AS deposit,"
         " sum(balance) FILTER (WHERE kind = 'promotion') AS promotion,"
         " sum(balance) FILTER (WHERE kind = 'debt') AS debt"
         " FROM ledger_accounts WHERE shop_id = s.id) a"
         " WHERE s.id = $1 AND s.merchant_id = $2");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  return db_query_row(&q, p, read_funds, out);
}
