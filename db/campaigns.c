#include "campaigns.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

enum db_status db_campaign_create(int64_t staff_id, const char *body_json, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                  void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT result, body FROM campaign_create($1, $2::jsonb, us_to_ts($3))");
  char sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, staff_id), body_json, db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_campaign_update(int64_t id, const char *body_json, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                  void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT result, body FROM campaign_update($1, $2::jsonb, us_to_ts($3))");
  char ib[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), body_json, db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_campaign_cancel(int64_t id, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                  db_campaign_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT result, body FROM campaign_cancel($1, us_to_ts($2))");
  char ib[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_campaign_get(int64_t id, int64_t now, db_campaign_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT campaign_json(c, us_to_ts($2)) FROM campaigns c WHERE c.id = $1");
  char ib[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(nb, now)};
  return db_query_json(&q, p, fn, arg);
}

enum db_status db_campaigns_page(const char *status, int64_t after, int limit, int64_t now,
                                 db_campaign_row_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT c.id, campaign_json(c, us_to_ts($4)) FROM campaigns c"
                 " WHERE ($1::text IS NULL OR campaign_status(c, us_to_ts($4)) = $1)"
                 " AND ($2::bigint = 0 OR c.id < $2) ORDER BY c.id DESC LIMIT $3");
  char ab[DB_INT64_SIZE], lb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {status, db_param_int64(ab, after), db_param_int64(lb, limit),
                     db_param_int64(nb, now)};
  return db_each_id_json(&q, p, fn, arg);
}

enum db_status db_campaign_entries_queue(int64_t campaign_id, const char *status, int64_t after,
                                         int limit, db_campaign_row_fn *fn, void *arg)
{
  /* The campaign's row says whether it exists; an empty page is its one
   * row of NULLs, which db_each_id_json skips. */
  static struct db_stmt q =
      DB_STMT(4, "SELECT e.id, CASE WHEN e.id IS NOT NULL THEN campaign_entry_json(e.id) END"
                 " FROM campaigns c LEFT JOIN LATERAL (SELECT x.id FROM campaign_entries x"
                 " WHERE x.campaign_id = c.id AND ($2::text IS NULL OR x.status = $2)"
                 " AND x.id > $3 ORDER BY x.id LIMIT $4) e ON true WHERE c.id = $1 ORDER BY e.id");
  char cb[DB_INT64_SIZE], ab[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(cb, campaign_id), status, db_param_int64(ab, after),
                     db_param_int64(lb, limit)};
  return db_each_id_json(&q, p, fn, arg);
}

enum db_status db_campaign_entry_decide(int64_t staff_id, int64_t campaign_id, int64_t entry_id,
                                        bool approve, const char *reason, int64_t now,
                                        char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                        void *arg)
{
  static struct db_stmt q = DB_STMT(
      6, "SELECT result, body FROM campaign_entry_decide($1, $2, $3, $4, $5, us_to_ts($6))");
  char sb[DB_INT64_SIZE], cb[DB_INT64_SIZE], eb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, staff_id),
                     db_param_int64(cb, campaign_id),
                     db_param_int64(eb, entry_id),
                     approve ? "true" : "false",
                     reason,
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_campaigns_for_merchant(int64_t merchant_id, const char *status, int64_t after,
                                         int limit, int64_t now, db_campaign_row_fn *fn, void *arg)
{
  /* Each shop's eligibility, with why not: sign-up not open, no product on
   * sale to enter, or the shop's quota of entries taken. */
  static struct db_stmt q = DB_STMT(
      5, "SELECT c.id, campaign_json(c, us_to_ts($5)) || jsonb_build_object('shops',"
         " (SELECT coalesce(jsonb_agg(jsonb_build_object('shop_id', s.id, 'eligible',"
         " cardinality(x.reasons) = 0, 'reasons', to_jsonb(x.reasons)) ORDER BY s.id), '[]')"
         " FROM shops s CROSS JOIN LATERAL (SELECT array_remove(ARRAY["
         " CASE WHEN campaign_status(c, us_to_ts($5)) <> 'signup_open' THEN 'signup_not_open' END,"
         " CASE WHEN NOT EXISTS (SELECT 1 FROM products p WHERE p.shop_id = s.id"
         " AND p.status = 'on_sale' AND p.deleted_at IS NULL) THEN 'no_product_on_sale' END,"
         " CASE WHEN (SELECT count(*) FROM campaign_entries e WHERE e.campaign_id = c.id"
         " AND e.shop_id = s.id AND e.status IN ('pending', 'approved'))"
         " >= c.max_products_per_shop + (shop_limits(s.id)).campaign_products_bonus"
         " THEN 'max_products_reached' END], NULL) AS reasons) x"
         " WHERE s.merchant_id = $1))"
         " FROM campaigns c WHERE c.cancelled_at IS NULL AND c.signup_from <= us_to_ts($5)"
         " AND ($2::text IS NULL OR campaign_status(c, us_to_ts($5)) = $2)"
         " AND ($3::bigint = 0 OR c.id < $3) ORDER BY c.id DESC LIMIT $4");
  char mb[DB_INT64_SIZE], ab[DB_INT64_SIZE], lb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), status, db_param_int64(ab, after),
                     db_param_int64(lb, limit), db_param_int64(nb, now)};
  return db_each_id_json(&q, p, fn, arg);
}

enum db_status db_campaign_entry_create(int64_t merchant_id, int64_t shop_id, int64_t campaign_id,
                                        int64_t product_id, const char *skus_json, int64_t now,
                                        char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                        void *arg)
{
  static struct db_stmt q = DB_STMT(
      6, "SELECT result, body FROM campaign_entry_create($1, $2, $3, $4, $5::jsonb, us_to_ts($6))");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], cb[DB_INT64_SIZE], pb[DB_INT64_SIZE],
      nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id),
                     db_param_int64(sb, shop_id),
                     db_param_int64(cb, campaign_id),
                     db_param_int64(pb, product_id),
                     skus_json,
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

struct batch_rows {
  db_campaign_batch_fn *fn;
  void *arg;
};

static void batch_row(const PGresult *res, int r, void *arg)
{
  struct batch_rows *rows = arg;
  rows->fn(db_get_int64(res, r, 0), PQgetvalue(res, r, 1), db_get_text(res, r, 2), rows->arg);
}

enum db_status db_campaign_entries_batch(int64_t merchant_id, int64_t shop_id, int64_t campaign_id,
                                         int64_t discount_percent, int64_t stock_percent,
                                         const char *products, int64_t now,
                                         db_campaign_batch_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(7, "SELECT product_id, result, body FROM campaign_entries_batch($1, $2, $3, $4, $5,"
                 " $6::bigint[], us_to_ts($7))");
  char b[6][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], campaign_id),
                     db_param_int64(b[3], discount_percent),
                     db_param_int64(b[4], stock_percent),
                     products,
                     db_param_int64(b[5], now)};
  struct batch_rows rows = {fn, arg};
  return db_each_row(&q, p, batch_row, &rows);
}

enum db_status db_campaign_entry_withdraw(int64_t merchant_id, int64_t shop_id, int64_t entry_id,
                                          int64_t now, char code[DB_RESULT_CODE_SIZE],
                                          db_campaign_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT result, body FROM campaign_entry_withdraw($1, $2, $3, us_to_ts($4))");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], eb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                     db_param_int64(eb, entry_id), db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_campaign_entries_of_shop(int64_t merchant_id, int64_t shop_id,
                                           int64_t campaign_id, const char *status, int64_t after,
                                           int limit, db_campaign_row_fn *fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      6, "SELECT e.id, campaign_entry_json(e.id) FROM campaign_entries e"
         " JOIN shops s ON s.id = e.shop_id"
         " WHERE e.shop_id = $2 AND s.merchant_id = $1 AND ($3::bigint = 0 OR e.campaign_id = $3)"
         " AND ($4::text IS NULL OR e.status = $4) AND ($5::bigint = 0 OR e.id < $5)"
         " ORDER BY e.id DESC LIMIT $6");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], cb[DB_INT64_SIZE], ab[DB_INT64_SIZE],
      lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                     db_param_int64(cb, campaign_id), status,
                     db_param_int64(ab, after),       db_param_int64(lb, limit)};
  return db_each_id_json(&q, p, fn, arg);
}

enum db_status db_campaign_stats(int64_t merchant_id, int64_t shop_id, int64_t campaign_id,
                                 db_campaign_json_fn *fn, void *arg)
{
  /* One row of counters and the ten best products off an index: the cost
   * does not grow with the orders. */
  static struct db_stmt q = DB_STMT(
      3, "SELECT jsonb_build_object('campaign_id', c.id, 'shop_id', s.id,"
         " 'sold_units', ss.units, 'gmv_cents', ss.gmv_cents, 'orders', ss.orders,"
         " 'top_products',"
         " (SELECT coalesce(jsonb_agg(jsonb_build_object('product_id', t.product_id, 'title',"
         " t.title, 'sold_units', t.units, 'gmv_cents', t.gmv_cents)"
         " ORDER BY t.units DESC, t.product_id), '[]')"
         " FROM (SELECT ps.product_id, p.title, ps.units, ps.gmv_cents"
         " FROM campaign_product_stats ps JOIN products p ON p.id = ps.product_id"
         " WHERE ps.campaign_id = c.id AND ps.shop_id = s.id"
         " ORDER BY ps.units DESC, ps.product_id LIMIT 10) t))"
         " FROM campaigns c JOIN shops s ON s.id = $2 AND s.merchant_id = $1"
         " JOIN campaign_shop_stats ss ON ss.campaign_id = c.id AND ss.shop_id = s.id"
         " WHERE c.id = $3");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], cb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                     db_param_int64(cb, campaign_id)};
  return db_query_json(&q, p, fn, arg);
}

static void read_count(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_campaigns_end(int64_t now, int limit, int64_t *ended)
{
  static struct db_stmt q = DB_STMT(2, "SELECT campaigns_end(us_to_ts($1), $2)");
  char nb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(nb, now), db_param_int64(lb, limit)};
  *ended = 0;
  return db_query_row(&q, p, read_count, ended);
}
