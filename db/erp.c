#include "erp.h"

#include "orders_read.h"

/* An ERP client pages with "after the last seq I saw", so a change must
 * never appear with a seq below one the feed has already handed out. A row
 * this statement can see was committed, but a transaction still running
 * may commit later with a smaller seq. Every running transaction has an id
 * at or above the snapshot's xmin, and order_status_guard makes change_seq
 * follow the transaction id; so a change whose transaction is below xmin
 * (every older transaction has ended) sorts before anything still to come,
 * while one at or above xmin is held back until the next poll. The scan
 * walks the (shop_id, change_seq) index in order and the reader stops at
 * the first held-back row, so nothing after it is returned early.
 *
 * Orders held by the platform's review are left out: the ERP must not
 * ship them. Their release is an UPDATE, which gives the order a new
 * change_seq, so it enters the feed then (and a close, as closed). */
enum db_status db_erp_orders_after(int64_t shop_id, int64_t after_seq, int64_t limit,
                                   db_order_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(3, "SELECT " DB_ORDER_COLUMNS ","
                                       " o.change_xid < pg_snapshot_xmin(pg_current_snapshot())"
                                       " FROM orders o WHERE o.shop_id = $1 AND o.change_seq > $2"
                                       " AND o.review_status IS DISTINCT FROM 'under_review'"
                                       " ORDER BY o.change_seq LIMIT $3");
  char shopb[DB_INT64_SIZE], afterb[DB_INT64_SIZE], limitb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(shopb, shop_id), db_param_int64(afterb, after_seq),
                     db_param_int64(limitb, limit)};
  PGresult *res;
  enum db_status st = db_exec(&q, p, &res);
  if (st < DB_NONE)
    return st;
  for (int r = 0; r < PQntuples(res) && db_get_bool(res, r, DB_ORDER_NCOLUMNS); r++) {
    struct db_order o;
    db_order_read(res, r, 0, &o);
    fn(&o, arg);
  }
  PQclear(res);
  return st;
}
