#include "promotions.h"

#include "db_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum db_status db_promotion_plan_write(const struct db_promotion_write *w, int64_t now,
                                       char code[DB_RESULT_CODE_SIZE], db_promotion_json_fn *fn,
                                       void *arg)
{
  static struct db_stmt q = DB_STMT(
      11, "SELECT code, body FROM promotion_plan_write($1, $2, $3, $4, $5, $6, us_to_ts($7),"
          " us_to_ts($8), $9::boolean, $10::jsonb, us_to_ts($11))");
  char b[8][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], w->merchant_id),
                     db_param_int64(b[1], w->shop_id),
                     w->plan_id > 0 ? db_param_int64(b[2], w->plan_id) : NULL,
                     w->product_id > 0 ? db_param_int64(b[3], w->product_id) : NULL,
                     w->name,
                     w->budget_cents >= 0 ? db_param_int64(b[4], w->budget_cents) : NULL,
                     w->has_starts ? db_param_int64(b[5], w->starts_at) : NULL,
                     w->has_ends ? db_param_int64(b[6], w->ends_at) : NULL,
                     w->clear_end ? "true" : "false",
                     w->keywords_json,
                     db_param_int64(b[7], now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_promotion_plan_get(int64_t merchant_id, int64_t shop_id, int64_t plan_id,
                                     int64_t now, db_promotion_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT promotion_plan_json(pl, us_to_ts($4)) FROM promotion_plans pl"
                 " JOIN shops s ON s.id = pl.shop_id AND s.merchant_id = $2"
                 " WHERE pl.id = $3 AND pl.shop_id = $1");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], plan_id), db_param_int64(b[3], now)};
  return db_query_json(&q, p, fn, arg);
}

enum db_status db_promotion_plans_page(int64_t merchant_id, int64_t shop_id, int64_t before_id,
                                       int limit, int64_t now, db_promotion_row_fn *fn, void *arg)
{
  /* The shop's row says whether the merchant has it; an empty page is its
   * one row of NULLs, which db_each_id_json skips. */
  static struct db_stmt q = DB_STMT(
      5, "SELECT pl.id, CASE WHEN pl.id IS NOT NULL THEN promotion_plan_json(pl, us_to_ts($5)) END"
         " FROM shops s LEFT JOIN LATERAL (SELECT x.* FROM promotion_plans x"
         " WHERE x.shop_id = s.id AND x.id < $3 ORDER BY x.id DESC LIMIT $4) pl ON true"
         " WHERE s.id = $1 AND s.merchant_id = $2 ORDER BY pl.id DESC");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], before_id > 0 ? before_id : INT64_MAX),
                     db_param_int64(b[3], limit), db_param_int64(b[4], now)};
  return db_each_id_json(&q, p, fn, arg);
}

enum db_status db_promotion_plan_pause(int64_t merchant_id, int64_t shop_id, int64_t plan_id,
                                       bool paused, int64_t now, db_promotion_json_fn *fn,
                                       void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, "SELECT body FROM promotion_plan_pause($1, $2, $3, $4::boolean, us_to_ts($5))"
                 " body WHERE body IS NOT NULL");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id), db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], plan_id), paused ? "true" : "false",
                     db_param_int64(b[3], now)};
  return db_query_json(&q, p, fn, arg);
}

struct hit_rows {
  db_search_hit_fn *fn;
  void *arg;
  bool promoted;
};

static void hit_row(const PGresult *res, int r, void *arg)
{
  struct hit_rows *rows = arg;
  struct db_search_hit h = {0};
  h.id = db_get_int64(res, r, 0);
  h.shop_id = db_get_int64(res, r, 1);
  h.title = PQgetvalue(res, r, 2);
  h.price_cents = db_get_int64(res, r, 3);
  h.sales_30d = db_get_int64(res, r, 4);
  if (rows->promoted) {
    h.impression_id = db_get_int64(res, r, 5);
    h.plan_id = db_get_int64(res, r, 6);
    h.cost_cents = db_get_int64(res, r, 7);
  } else {
    h.sort_key = db_get_int64(res, r, 5);
  }
  rows->fn(&h, rows->arg);
}

enum db_status db_product_search(const char *query, const char *sort, bool has_cursor, int64_t key,
                                 int64_t id, int limit, int64_t now, db_search_hit_fn *fn,
                                 void *arg)
{
  static struct db_stmt q = DB_STMT(6, "SELECT id, shop_id, title, price_cents, sales_30d, sort_key"
                                       " FROM product_search($1, $2, $3, $4, $5, us_to_ts($6))");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {query,
                     sort,
                     has_cursor ? db_param_int64(b[0], key) : NULL,
                     has_cursor ? db_param_int64(b[1], id) : NULL,
                     db_param_int64(b[2], limit),
                     db_param_int64(b[3], now)};
  struct hit_rows rows = {fn, arg, false};
  return db_each_row(&q, p, hit_row, &rows);
}

enum db_status db_promotion_auction(const char *query, int slots, int64_t now, db_search_hit_fn *fn,
                                    void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT p.id, p.shop_id, p.title, p.min_price_cents, p.sales_30d,"
                 " a.impression_id, a.plan_id, a.price_cents"
                 " FROM promotion_auction($1, $2, us_to_ts($3)) WITH ORDINALITY a"
                 " JOIN products p ON p.id = a.product_id ORDER BY a.ordinality");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {query, db_param_int64(b[0], slots), db_param_int64(b[1], now)};
  struct hit_rows rows = {fn, arg, true};
  return db_each_row(&q, p, hit_row, &rows);
}

struct click_row {
  char *code, *outcome;
  int64_t *charged;
};

static void click_read(const PGresult *res, void *arg)
{
  struct click_row *c = arg;
  snprintf(c->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 0));
  snprintf(c->outcome, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 1));
  *c->charged = db_get_int64(res, 0, 2);
}

enum db_status db_promotion_click(int64_t impression_id, int64_t plan_id, int64_t price_cents,
                                  const char *visitor, int64_t buyer_id, int cap, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], char outcome[DB_RESULT_CODE_SIZE],
                                  int64_t *charged_cents)
{
  static struct db_stmt q =
      DB_STMT(7, "SELECT code, coalesce(outcome, ''), charged_cents"
                 " FROM promotion_click($1, $2, $3, $4, $5, $6, us_to_ts($7))");
  char b[6][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], impression_id),
                     db_param_int64(b[1], plan_id),
                     db_param_int64(b[2], price_cents),
                     visitor,
                     buyer_id > 0 ? db_param_int64(b[3], buyer_id) : NULL,
                     db_param_int64(b[4], cap),
                     db_param_int64(b[5], now)};
  code[0] = outcome[0] = '\0';
  *charged_cents = 0;
  struct click_row c = {code, outcome, charged_cents};
  return db_query_row(&q, p, click_read, &c);
}

static void key_read(const PGresult *res, void *arg)
{
  /* encode(secret, 'hex'): 64 hex digits. */
  const char *hex = PQgetvalue(res, 0, 0);
  if (sodium_hex2bin(arg, DB_PROMOTION_KEY_SIZE, hex, strlen(hex), NULL, NULL, NULL) != 0)
    memset(arg, 0, DB_PROMOTION_KEY_SIZE);
}

enum db_status db_promotion_key(const unsigned char fresh[DB_PROMOTION_KEY_SIZE], int64_t now,
                                unsigned char key[DB_PROMOTION_KEY_SIZE])
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT encode(promotion_key(decode($1, 'hex'), us_to_ts($2)), 'hex')");
  char hex[DB_PROMOTION_KEY_SIZE * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, fresh, DB_PROMOTION_KEY_SIZE);
  char nb[DB_INT64_SIZE];
  const char *p[] = {hex, db_param_int64(nb, now)};
  return db_query_row(&q, p, key_read, key);
}

enum db_status db_promotion_report(int64_t merchant_id, int64_t shop_id, int64_t plan_id, bool week,
                                   int64_t from, int64_t to, int64_t now, bool csv,
                                   char code[DB_RESULT_CODE_SIZE], db_promotion_json_fn *fn,
                                   void *arg)
{
  static struct db_stmt q =
      DB_STMT(8, "SELECT code, body FROM promotion_report($1, $2, $3, $4::boolean,"
                 " DATE '1970-01-01' + $5::integer, DATE '1970-01-01' + $6::integer,"
                 " us_to_ts($7), $8::boolean)");
  char b[6][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     plan_id > 0 ? db_param_int64(b[2], plan_id) : NULL,
                     week ? "true" : "false",
                     db_param_int64(b[3], from),
                     db_param_int64(b[4], to),
                     db_param_int64(b[5], now),
                     csv ? "true" : "false"};
  return db_query_coded_json(&q, p, code, fn, arg);
}

static void read_written(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_product_sales_roll(int64_t now, int64_t *changed)
{
  static struct db_stmt q = DB_STMT(1, "SELECT product_sales_roll(us_to_ts($1))");
  char nb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(nb, now)};
  *changed = 0;
  return db_query_row(&q, params, read_written, changed);
}

enum db_status db_promotion_report_letters(int64_t now, const char *zone, int64_t *written)
{
  static struct db_stmt q = DB_STMT(2, "SELECT promotion_report_letters(us_to_ts($1), $2)");
  char nb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(nb, now), zone};
  *written = 0;
  return db_query_row(&q, params, read_written, written);
}
