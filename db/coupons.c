#include "coupons.h"

#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void db_coupon_read(const PGresult *res, int r, int c, struct db_coupon *o)
{
  /* SQL NULLs read as "" and so as 0: the struct's "unset". */
  o->id = db_get_int64(res, r, c++);
  o->shop_id = db_get_int64(res, r, c++);
  o->kind = PQgetvalue(res, r, c++);
  o->product_id = db_get_int64(res, r, c++);
  o->title = PQgetvalue(res, r, c++);
  o->discount_cents = db_get_int64(res, r, c++);
  o->min_order_cents = db_get_int64(res, r, c++);
  o->total_quantity = db_get_int64(res, r, c++);
  o->claimed = db_get_int64(res, r, c++);
  o->used = db_get_int64(res, r, c++);
  o->per_buyer_limit = db_get_int64(res, r, c++);
  o->claim_start = db_get_int64(res, r, c++);
  o->claim_end = db_get_int64(res, r, c++);
  o->valid_days = db_get_int64(res, r, c++);
  o->valid_from = db_get_int64(res, r, c++);
  o->valid_to = db_get_int64(res, r, c++);
  o->channel = PQgetvalue(res, r, c++);
  o->status = PQgetvalue(res, r, c++);
  o->stopped_at = db_get_int64(res, r, c++);
  o->created_at = db_get_int64(res, r, c);
}

/* A callback and its argument, for rows of coupons from column 0. */
struct coupon_rows {
  db_coupon_fn fn;
  void *arg;
};

static void coupon_row(const PGresult *res, int r, void *arg)
{
  struct coupon_rows *rows = arg;
  if (PQgetisnull(res, r, 0)) /* the empty side of a LEFT JOIN */
    return;
  struct db_coupon c;
  db_coupon_read(res, r, 0, &c);
  rows->fn(&c, rows->arg);
}

/* The product ids as a bigint[] literal ("{1,2}"); malloc'd, NULL when out
 * of memory. */
static char *id_array(const int64_t *ids, size_t count)
{
  char *text = malloc(count * (DB_INT64_SIZE + 1) + 3);
  if (text == NULL)
    return NULL;
  size_t len = 0;
  text[len++] = '{';
  for (size_t i = 0; i < count; i++)
    len += (size_t)sprintf(text + len, "%s%lld", i ? "," : "", (long long)ids[i]);
  text[len++] = '}';
  text[len] = '\0';
  return text;
}

/* Results of coupons_create and coupon_add_quantity: a code, then (for
 * create, after an index) the coupon when the code is ok. */
struct coded_rows {
  char *code;
  db_coupon_fn fn;
  db_coupon_reject_fn reject;
  void *arg;
};

static void created_row(const PGresult *res, int r, void *arg)
{
  struct coded_rows *rows = arg;
  const char *code = PQgetvalue(res, r, 1);
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", code);
  if (strcmp(code, "ok") == 0) {
    struct db_coupon c;
    db_coupon_read(res, r, 2, &c);
    rows->fn(&c, rows->arg);
  } else if (strcmp(code, "invalid_product") == 0) {
    rows->reject((size_t)db_get_int64(res, r, 0), rows->arg);
  }
}

enum db_status db_coupons_create(int64_t merchant_id, int64_t shop_id,
                                 const struct db_coupon_new *n, const int64_t *product_ids,
                                 size_t count, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                 db_coupon_fn fn, db_coupon_reject_fn reject, void *arg)
{
  static struct db_stmt q = DB_STMT(
      16, "SELECT r.idx, r.code, " DB_COUPON_COLUMNS(
              "(r.coupon)", "us_to_ts($16)") " FROM coupons_create($1, $2, $3, $4::bigint[], $5, "
                                             "$6, $7, $8, $9, us_to_ts($10),"
                                             " us_to_ts($11), $12, us_to_ts($13), us_to_ts($14), "
                                             "$15, us_to_ts($16)) r");
  char *products = id_array(product_ids, count);
  if (products == NULL)
    return DB_HARD_ERROR;
  char b[12][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     n->kind,
                     products,
                     n->title,
                     db_param_int64(b[2], n->discount_cents),
                     db_param_int64(b[3], n->min_order_cents),
                     db_param_int64(b[4], n->total_quantity),
                     db_param_int64(b[5], n->per_buyer_limit),
                     db_param_int64(b[6], n->claim_start),
                     db_param_int64(b[7], n->claim_end),
                     n->valid_days != 0 ? db_param_int64(b[8], n->valid_days) : NULL,
                     n->valid_days == 0 ? db_param_int64(b[9], n->valid_from) : NULL,
                     n->valid_days == 0 ? db_param_int64(b[10], n->valid_to) : NULL,
                     n->channel,
                     db_param_int64(b[11], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct coded_rows rows = {code, fn, reject, arg};
  enum db_status st = db_each_row(&q, p, created_row, &rows);
  free(products);
  return st;
}

enum db_status db_coupons_page(int64_t merchant_id, int64_t shop_id, const char *status,
                               int64_t now, int64_t before_id, int limit, db_coupon_fn fn,
                               void *arg)
{
  /* The shop's row answers whether the merchant has it; the page joins it
   * (a row of NULLs when empty). A shop has at most thousands of coupons:
   * the status filter walks the shop's index newest first. */
  static struct db_stmt q = DB_STMT(
      6, "SELECT " DB_COUPON_COLUMNS(
             "c", "us_to_ts($3)") " FROM shops s LEFT JOIN LATERAL ("
                                  " SELECT k.* FROM coupons k WHERE k.shop_id = s.id AND k.id < $4"
                                  " AND k.channel <> 'red_packet'"
                                  " AND ($5::text IS NULL OR coupon_status(k.stopped_at, "
                                  "k.claim_start, k.claim_end,"
                                  " k.claimed, k.total_quantity, us_to_ts($3)) = $5)"
                                  " ORDER BY k.id DESC LIMIT $6) c ON true"
                                  " WHERE s.id = $1 AND s.merchant_id = $2 ORDER BY c.id DESC");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id),
                     db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], now),
                     db_param_int64(b[3], before_id > 0 ? before_id : INT64_MAX),
                     status,
                     db_param_int64(b[4], limit)};
  struct coupon_rows rows = {fn, arg};
  return db_each_row(&q, p, coupon_row, &rows);
}

enum db_status db_coupon_get(int64_t merchant_id, int64_t shop_id, int64_t coupon_id, int64_t now,
                             db_coupon_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      4, "SELECT " DB_COUPON_COLUMNS(
             "c", "us_to_ts($4)") " FROM coupons c"
                                  " JOIN shops s ON s.id = c.shop_id"
                                  " WHERE c.id = $3 AND c.shop_id = $1 AND s.merchant_id = $2"
                                  " AND c.channel <> 'red_packet'");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], coupon_id), db_param_int64(b[3], now)};
  struct coupon_rows rows = {fn, arg};
  return db_each_row(&q, p, coupon_row, &rows);
}

enum db_status db_coupon_stop(int64_t merchant_id, int64_t shop_id, int64_t coupon_id, int64_t now,
                              db_coupon_fn fn, void *arg)
{
  /* coalesce: stopping again keeps the first stopped_at. */
  static struct db_stmt q = DB_STMT(
      4, "UPDATE coupons c SET stopped_at = coalesce(c.stopped_at, us_to_ts($4))"
         " FROM shops s WHERE c.id = $3 AND c.shop_id = $1 AND s.id = c.shop_id"
         " AND s.merchant_id = $2 AND c.channel <> 'red_packet' RETURNING " DB_COUPON_COLUMNS(
             "c", "us_to_ts($4)"));
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], coupon_id), db_param_int64(b[3], now)};
  struct coupon_rows rows = {fn, arg};
  return db_each_row(&q, p, coupon_row, &rows);
}

static void added_row(const PGresult *res, int r, void *arg)
{
  struct coded_rows *rows = arg;
  const char *code = PQgetvalue(res, r, 0);
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", code);
  if (strcmp(code, "ok") == 0) {
    struct db_coupon c;
    db_coupon_read(res, r, 1, &c);
    rows->fn(&c, rows->arg);
  }
}

enum db_status db_coupon_add_quantity(int64_t merchant_id, int64_t shop_id, int64_t coupon_id,
                                      int64_t quantity, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                      db_coupon_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, "SELECT r.code, " DB_COUPON_COLUMNS(
                     "(r.coupon)",
                     "us_to_ts($5)") " FROM coupon_add_quantity($1, $2, $3, $4, us_to_ts($5)) r");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id), db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], coupon_id), db_param_int64(b[3], quantity),
                     db_param_int64(b[4], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct coded_rows rows = {code, fn, NULL, arg};
  return db_each_row(&q, p, added_row, &rows);
}
