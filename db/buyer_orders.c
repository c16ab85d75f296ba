#include "buyer_orders.h"

#include "log.h"
#include "orders_read.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* What a creating function answered: the code and the row (or SKU) it
 * names. */
struct create_result {
  char *code;
  int64_t id;
};

static void read_create(const PGresult *res, void *arg)
{
  struct create_result *c = arg;
  snprintf(c->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 0));
  c->id = PQgetisnull(res, 0, 1) ? 0 : db_get_int64(res, 0, 1);
}

/* What order_create answered, and on "ok" the order as placed (columns 2
 * on), passed to fn. */
struct placed {
  struct create_result c;
  db_order_fn fn;
  void *arg;
  bool read;
};

static void read_placed(const PGresult *res, void *arg)
{
  struct placed *pl = arg;
  read_create(res, &pl->c);
  if (strcmp(pl->c.code, "ok") == 0 && !PQgetisnull(res, 0, 2)) {
    struct db_order o;
    db_order_read(res, 0, 2, &o);
    pl->fn(&o, pl->arg);
    pl->read = true;
  }
}

/* A statement that calls order_create cannot read the new order from the
 * table: its snapshot predates the call. order_create returns the row it
 * wrote instead (placed), which the statement spreads into the columns
 * DB_ORDER_COLUMNS names, so the order comes back in the same round trip. */
enum db_status db_buyer_order_create(const struct db_order_draft *d, int64_t now,
                                     int64_t expires_at, char code[DB_RESULT_CODE_SIZE],
                                     int64_t *sku_id, db_order_fn fn, void *arg)
{
  static struct db_stmt place =
      DB_STMT(8, "SELECT r.result, r.order_id, " DB_ORDER_COLUMNS
                 " FROM order_create($1, $2, $3::jsonb, $4::jsonb, $5, us_to_ts($6), us_to_ts($7),"
                 " $8::bigint) r LEFT JOIN LATERAL (SELECT (r.placed).*) o ON true");
  char bb[DB_INT64_SIZE], sb[DB_INT64_SIZE], nb[DB_INT64_SIZE], eb[DB_INT64_SIZE],
      cb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, d->buyer_id),
                     db_param_int64(sb, d->shop_id),
                     d->items_json,
                     d->address_json,
                     d->note,
                     db_param_int64(nb, now),
                     db_param_int64(eb, expires_at),
                     d->coupon_id != 0 ? db_param_int64(cb, d->coupon_id) : NULL};
  struct placed pl = {{code, 0}, fn, arg, false};
  code[0] = '\0';
  *sku_id = 0;
  enum db_status st = db_query_row(&place, p, read_placed, &pl);
  if (st < DB_NONE)
    return st;
  if (strcmp(code, "ok") != 0) {
    *sku_id = pl.c.id;
  } else if (!pl.read) {
    log_error("order %lld was placed without its row", (long long)pl.c.id);
    return DB_HARD_ERROR;
  }
  return st;
}

enum db_status db_buyer_order_get(int64_t buyer_id, int64_t order_id, db_order_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(2, "SELECT " DB_ORDER_COLUMNS " FROM orders o"
                                       " WHERE o.id = $1 AND o.buyer_id = $2");
  char ob[DB_INT64_SIZE], bb[DB_INT64_SIZE];
  return db_orders_each(
      &q, (const char *[]){db_param_int64(ob, order_id), db_param_int64(bb, buyer_id)}, fn, arg);
}

enum db_status db_buyer_orders_page(int64_t buyer_id, const char *status, int64_t before_id,
                                    int limit, db_order_fn fn, void *arg)
{
  /* Walks orders_buyer (buyer_id, id) backwards from before_id: a deep page
   * costs what the first costs. The status is a filter on that walk; a
   * buyer's orders are few enough for that. */
  static struct db_stmt q = DB_STMT(4, "SELECT " DB_ORDER_COLUMNS " FROM orders o"
                                       " WHERE o.buyer_id = $1 AND o.id < $2"
                                       " AND ($3::text IS NULL OR o.status = $3)"
                                       " ORDER BY o.id DESC LIMIT $4");
  char bb[DB_INT64_SIZE], ib[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, buyer_id), db_param_int64(ib, before_id), status,
                     db_param_int64(lb, limit)};
  return db_orders_each(&q, p, fn, arg);
}

struct act_result {
  char *code;
  db_order_fn fn;
  void *arg;
};

static void read_act(const PGresult *res, void *arg)
{
  struct act_result *a = arg;
  snprintf(a->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, DB_ORDER_NCOLUMNS));
  if (strcmp(a->code, "ok") == 0) {
    struct db_order o;
    db_order_read(res, 0, 0, &o);
    a->fn(&o, a->arg);
  }
}

/* One round trip: the action, then the order through order_fresh, whose
 * fresh snapshot sees what the action did (a plain join would not). The
 * lateral reference to r makes the read run after the action. */
#define ACT_SQL(fn)                                                                                \
  "SELECT " DB_ORDER_COLUMNS ", r.code FROM " fn "($1, $2, us_to_ts($3)) r(code)"                  \
  " LEFT JOIN LATERAL order_fresh(CASE WHEN r.code = 'ok' THEN $2::bigint END) o ON true"

enum db_status db_buyer_order_act(enum db_buyer_action action, int64_t buyer_id, int64_t order_id,
                                  int64_t now, char code[DB_RESULT_CODE_SIZE], db_order_fn fn,
                                  void *arg)
{
  static struct db_stmt pay = DB_STMT(3, ACT_SQL("order_pay"));
  static struct db_stmt cancel = DB_STMT(3, ACT_SQL("order_cancel"));
  static struct db_stmt confirm = DB_STMT(3, ACT_SQL("order_confirm_receipt"));
  struct db_stmt *q = action == DB_BUYER_PAY      ? &pay
                      : action == DB_BUYER_CANCEL ? &cancel
                                                  : &confirm;
  char bb[DB_INT64_SIZE], ob[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, buyer_id), db_param_int64(ob, order_id),
                     db_param_int64(nb, now)};
  struct act_result a = {code, fn, arg};
  code[0] = '\0';
  return db_query_row(q, p, read_act, &a);
}

static void read_after_sale(const PGresult *res, void *arg)
{
  struct db_after_sale *a = arg;
  a->id = db_get_int64(res, 0, 0);
  a->order_id = db_get_int64(res, 0, 1);
  snprintf(a->type, sizeof a->type, "%s", PQgetvalue(res, 0, 2));
  snprintf(a->reason, sizeof a->reason, "%s", PQgetvalue(res, 0, 3));
  a->amount_cents = db_get_int64(res, 0, 4);
  snprintf(a->status, sizeof a->status, "%s", PQgetvalue(res, 0, 5));
  a->created_at = db_get_int64(res, 0, 6);
}

/* As with orders, the new row is read by a second statement: the calling
 * statement's snapshot could not see it. */
enum db_status db_buyer_after_sale_create(int64_t buyer_id, int64_t order_id, const char *type,
                                          const char *reason, int64_t amount_cents, int64_t now,
                                          char code[DB_RESULT_CODE_SIZE], struct db_after_sale *out)
{
  static struct db_stmt ask =
      DB_STMT(6, "SELECT r.result, r.after_sale_id FROM after_sale_create($1, $2, $3, $4,"
                 " $5, us_to_ts($6)) r");
  static struct db_stmt read =
      DB_STMT(1, "SELECT id, order_id, type, reason, amount_cents, status, ts_to_us(created_at)"
                 " FROM after_sales WHERE id = $1");
  char bb[DB_INT64_SIZE], ob[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, buyer_id),
                     db_param_int64(ob, order_id),
                     type,
                     reason,
                     amount_cents > 0 ? db_param_int64(ab, amount_cents) : NULL,
                     db_param_int64(nb, now)};
  struct create_result c = {code, 0};
  code[0] = '\0';
  enum db_status st = db_query_row(&ask, p, read_create, &c);
  if (st < DB_NONE || strcmp(code, "ok") != 0)
    return st;
  char ib[DB_INT64_SIZE];
  st = db_query_row(&read, (const char *[]){db_param_int64(ib, c.id)}, read_after_sale, out);
  if (st == DB_NONE) {
    log_error("after-sale %lld vanished right after it was created", (long long)c.id);
    return DB_HARD_ERROR;
  }
  return st;
}

static void read_count(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_orders_expire(int64_t now, int limit, int64_t *moved)
{
  static struct db_stmt q = DB_STMT(2, "SELECT orders_expire(us_to_ts($1), $2)");
  char nb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  *moved = 0;
  return db_query_row(&q, (const char *[]){db_param_int64(nb, now), db_param_int64(lb, limit)},
                      read_count, moved);
}

enum db_status db_orders_autocomplete(int64_t now, int limit, int64_t *moved)
{
  static struct db_stmt q = DB_STMT(2, "SELECT orders_autocomplete(us_to_ts($1), $2)");
  char nb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  *moved = 0;
  return db_query_row(&q, (const char *[]){db_param_int64(nb, now), db_param_int64(lb, limit)},
                      read_count, moved);
}
