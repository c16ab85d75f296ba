#include "shops.h"

#include "db_internal.h"

/* The select list of every shop query, over "s" (the shops row). The badge
 * counts come from one lateral read of the per-tab counters; a later count
 * is one more column here (and one more field in struct db_shop). */
#define SHOP_COLUMNS                                                                               \
  "s.id, s.name, s.description, ts_to_us(s.created_at), ts_to_us(s.updated_at),"                   \
  " c.to_ship, c.under_review, c.unread_conversations, c.after_sales_open, c.unread_letters,"      \
  " k.quick_replies, k.coupon_batch_products, k.campaign_products_bonus"
#define SHOP_COUNTS                                                                                \
  " LEFT JOIN LATERAL (SELECT"                                                                     \
  " coalesce(sum(n) FILTER (WHERE tab = 'paid'), 0) AS to_ship,"                                   \
  " coalesce(sum(n) FILTER (WHERE tab = 'under_review'), 0) AS under_review,"                      \
  " coalesce(sum(n) FILTER (WHERE tab = 'unread_conversations'), 0) AS unread_conversations,"      \
  " coalesce(sum(n) FILTER (WHERE tab = 'after_sales'), 0) AS after_sales_open,"                   \
  " coalesce(sum(n) FILTER (WHERE tab = 'unread_letters'), 0) AS unread_letters"                   \
  " FROM shop_order_counts WHERE shop_id = s.id) c ON true"                                        \
  " CROSS JOIN LATERAL shop_limits(s.id) k"

static void read_shop(const PGresult *res, int r, struct db_shop *s)
{
  s->id = db_get_int64(res, r, 0);
  s->name = PQgetvalue(res, r, 1);
  s->description = PQgetvalue(res, r, 2);
  s->created_at = db_get_int64(res, r, 3);
  s->updated_at = db_get_int64(res, r, 4);
  s->to_ship = db_get_int64(res, r, 5);
  s->under_review = db_get_int64(res, r, 6);
  s->unread_conversations = db_get_int64(res, r, 7);
  s->after_sales_open = db_get_int64(res, r, 8);
  s->unread_letters = db_get_int64(res, r, 9);
  s->quick_replies_limit = db_get_int64(res, r, 10);
  s->coupon_batch_limit = db_get_int64(res, r, 11);
  s->campaign_products_bonus = db_get_int64(res, r, 12);
}

struct shop_rows {
  db_shop_fn fn;
  void *arg;
};

static void shop_row(const PGresult *res, int r, void *arg)
{
  struct shop_rows *rows = arg;
  struct db_shop s;
  read_shop(res, r, &s);
  rows->fn(&s, rows->arg);
}

/* Runs a statement returning SHOP_COLUMNS rows and hands each to fn. */
static enum db_status shops_each(struct db_stmt *q, const char *const *params, db_shop_fn fn,
                                 void *arg)
{
  struct shop_rows rows = {fn, arg};
  return db_each_row(q, params, shop_row, &rows);
}

enum db_status db_shop_create(int64_t merchant_id, const char *name, const char *description,
                              int64_t now, db_shop_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      4, "WITH s AS (INSERT INTO shops (merchant_id, name, description, created_at, updated_at)"
         " VALUES ($1, $2, $3, us_to_ts($4), us_to_ts($4)) RETURNING *)"
         " SELECT " SHOP_COLUMNS " FROM s" SHOP_COUNTS);
  char mb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), name, description, db_param_int64(nb, now)};
  return shops_each(&q, p, fn, arg);
}

enum db_status db_shops_of_merchant(int64_t merchant_id, db_shop_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(2, "SELECT " SHOP_COLUMNS " FROM shops s" SHOP_COUNTS
                                       " WHERE s.merchant_id = $1 ORDER BY s.id LIMIT $2");
  char mb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(lb, DB_SHOPS_MAX)};
  return shops_each(&q, p, fn, arg);
}

enum db_status db_shop_get(int64_t shop_id, int64_t merchant_id, db_shop_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(2, "SELECT " SHOP_COLUMNS " FROM shops s" SHOP_COUNTS
                                       " WHERE s.id = $1 AND s.merchant_id = $2");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  return shops_each(&q, p, fn, arg);
}

enum db_status db_shop_update(int64_t shop_id, int64_t merchant_id, const char *name,
                              const char *description, int64_t now, db_shop_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, "WITH s AS (UPDATE shops SET name = coalesce($3::text, name),"
                 " description = coalesce($4::text, description), updated_at = us_to_ts($5)"
                 " WHERE id = $1 AND merchant_id = $2 RETURNING *)"
                 " SELECT " SHOP_COLUMNS " FROM s" SHOP_COUNTS);
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id), name,
                     description, db_param_int64(nb, now)};
  return shops_each(&q, p, fn, arg);
}

enum db_status db_carriers_each(db_carrier_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(0, "SELECT code, name FROM carriers ORDER BY code");
  PGresult *res;
  enum db_status st = db_exec(&q, NULL, &res);
  if (st < DB_NONE)
    return st;
  for (int r = 0; r < PQntuples(res); r++)
    fn(PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), arg);
  PQclear(res);
  return st;
}
