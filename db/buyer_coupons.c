#include "buyer_coupons.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The select list of a buyer coupon over "buyer_coupons b JOIN coupons c";
 * $now is the parameter holding the time its status is judged at. */
#define BUYER_COUPON_COLUMNS(now)                                                                  \
  "b.id, b.coupon_id, b.shop_id, c.kind, c.product_id, c.title, c.discount_cents,"                 \
  " c.min_order_cents, ts_to_us(b.valid_from), ts_to_us(b.valid_to),"                              \
  " " BUYER_COUPON_STATUS(now) ", b.used_order_id, ts_to_us(b.claimed_at)"
#define BUYER_COUPON_STATUS(now)                                                                   \
  "CASE WHEN b.used_order_id IS NOT NULL THEN 'used'"                                              \
  " WHEN b.valid_to <= us_to_ts($" #now ") THEN 'expired' ELSE 'usable' END"

static int64_t int64_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

/* Reads the BUYER_COUPON_COLUMNS starting at column c. */
static void read_buyer_coupon(const PGresult *res, int r, int c, struct db_buyer_coupon *out)
{
  out->id = db_get_int64(res, r, c);
  out->coupon_id = db_get_int64(res, r, c + 1);
  out->shop_id = db_get_int64(res, r, c + 2);
  snprintf(out->kind, sizeof out->kind, "%s", PQgetvalue(res, r, c + 3));
  out->product_id = int64_or_zero(res, r, c + 4);
  snprintf(out->title, sizeof out->title, "%s", PQgetvalue(res, r, c + 5));
  out->discount_cents = db_get_int64(res, r, c + 6);
  out->min_order_cents = db_get_int64(res, r, c + 7);
  out->valid_from = db_get_int64(res, r, c + 8);
  out->valid_to = db_get_int64(res, r, c + 9);
  snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, r, c + 10));
  out->used_order_id = int64_or_zero(res, r, c + 11);
  out->claimed_at = db_get_int64(res, r, c + 12);
}

/* The select list of a claim over "coupon_claim(...) r", in the layout of
 * BUYER_COUPON_COLUMNS: a new buyer coupon is usable and unused. */
#define CLAIM_COLUMNS                                                                              \
  "r.result, r.id, r.coupon_id, r.shop_id, r.kind, r.product_id, r.title, r.discount_cents,"       \
  " r.min_order_cents, ts_to_us(r.valid_from), ts_to_us(r.valid_to), 'usable', NULL::bigint,"      \
  " ts_to_us(r.claimed_at)"

struct claim_result {
  char *code;
  db_buyer_coupon_fn fn;
  void *arg;
};

/* Reads CLAIM_COLUMNS starting at column c; a null result (no claim ran)
 * leaves code empty. */
static void read_claim(const PGresult *res, int c, struct claim_result *out)
{
  if (PQgetisnull(res, 0, c))
    return;
  snprintf(out->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, c));
  if (strcmp(out->code, "ok") == 0) {
    struct db_buyer_coupon b;
    read_buyer_coupon(res, 0, c + 1, &b);
    out->fn(&b, out->arg);
  }
}

static void read_claim_row(const PGresult *res, void *arg)
{
  read_claim(res, 0, arg);
}

enum db_status db_coupon_claim(int64_t buyer_id, int64_t coupon_id, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], db_buyer_coupon_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT " CLAIM_COLUMNS " FROM coupon_claim($1, $2, us_to_ts($3)) r");
  char bb[DB_INT64_SIZE], cb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, buyer_id), db_param_int64(cb, coupon_id),
                     db_param_int64(nb, now)};
  struct claim_result c = {code, fn, arg};
  code[0] = '\0';
  return db_query_row(&q, p, read_claim_row, &c);
}

enum db_status db_coupon_claim_by_token(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                        int64_t coupon_id, int64_t now, struct db_session *session,
                                        char code[DB_RESULT_CODE_SIZE], db_buyer_coupon_fn fn,
                                        void *arg)
{
  /* The session is judged before the claim runs: coupon_claim is given the
   * account only when the session is live, unexpired at now and a buyer's,
   * and claims nothing for NULL. */
  static struct db_stmt q =
      DB_STMT(3, "SELECT " DB_LIVE_SESSION_COLUMNS ", " CLAIM_COLUMNS " FROM sessions s"
                 " LEFT JOIN LATERAL coupon_claim(CASE WHEN s.ended_at IS NULL"
                 " AND s.expires_at > us_to_ts($3) AND s.role = 'buyer' THEN s.account_id END,"
                 " $2, us_to_ts($3)) r ON true WHERE " DB_SESSION_WHERE(1));
  char hashb[2 * DB_TOKEN_HASH_SIZE + 3], cb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_bytea(hashb, token_hash, DB_TOKEN_HASH_SIZE),
                     db_param_int64(cb, coupon_id), db_param_int64(nb, now)};
  struct claim_result c = {code, fn, arg};
  code[0] = '\0';
  PGresult *res;
  enum db_status st = db_exec_folded(&q, p, session, &res);
  if (st != DB_ONE)
    return st;
  read_claim(res, DB_LIVE_SESSION_NCOLUMNS, &c);
  PQclear(res);
  return st;
}

struct each_buyer_coupon {
  db_buyer_coupon_fn fn;
  void *arg;
};

static void read_buyer_coupon_row(const PGresult *res, int r, void *arg)
{
  struct each_buyer_coupon *e = arg;
  struct db_buyer_coupon b;
  read_buyer_coupon(res, r, 0, &b);
  e->fn(&b, e->arg);
}

enum db_status db_buyer_coupons_page(int64_t buyer_id, const char *status, int64_t now,
                                     int64_t before_id, int limit, db_buyer_coupon_fn fn, void *arg)
{
  /* Walks buyer_coupons_buyer (buyer_id, id) backwards from before_id; the
   * status is a filter on that walk (a buyer holds few coupons). */
  static struct db_stmt q = DB_STMT(
      5,
      "SELECT " BUYER_COUPON_COLUMNS(4) " FROM buyer_coupons b JOIN coupons c"
                                        " ON c.id = b.coupon_id WHERE b.buyer_id = $1 AND b.id < $2"
                                        " AND ($3::text IS NULL OR " BUYER_COUPON_STATUS(
                                            4) " = $3) ORDER BY b.id DESC LIMIT $5");
  char bb[DB_INT64_SIZE], ib[DB_INT64_SIZE], nb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, buyer_id), db_param_int64(ib, before_id), status,
                     db_param_int64(nb, now), db_param_int64(lb, limit)};
  struct each_buyer_coupon e = {fn, arg};
  return db_each_row(&q, p, read_buyer_coupon_row, &e);
}

struct each_claimable {
  db_claimable_coupon_fn fn;
  void *arg;
};

static void read_claimable_row(const PGresult *res, int r, void *arg)
{
  struct each_claimable *e = arg;
  if (PQgetisnull(res, r, 0))
    return; /* the shop's row with no coupon joined */
  struct db_claimable_coupon c;
  c.id = db_get_int64(res, r, 0);
  c.shop_id = db_get_int64(res, r, 1);
  snprintf(c.kind, sizeof c.kind, "%s", PQgetvalue(res, r, 2));
  c.product_id = int64_or_zero(res, r, 3);
  snprintf(c.title, sizeof c.title, "%s", PQgetvalue(res, r, 4));
  c.discount_cents = db_get_int64(res, r, 5);
  c.min_order_cents = db_get_int64(res, r, 6);
  c.total_quantity = db_get_int64(res, r, 7);
  c.remaining = db_get_int64(res, r, 8);
  c.per_buyer_limit = db_get_int64(res, r, 9);
  c.claim_start = db_get_int64(res, r, 10);
  c.claim_end = db_get_int64(res, r, 11);
  c.valid_days = int64_or_zero(res, r, 12);
  c.valid_from = int64_or_zero(res, r, 13);
  c.valid_to = int64_or_zero(res, r, 14);
  snprintf(c.channel, sizeof c.channel, "%s", PQgetvalue(res, r, 15));
  c.claimable_count = db_get_int64(res, r, 16);
  e->fn(&c, e->arg);
}

enum db_status db_coupons_claimable(int64_t buyer_id, int64_t shop_id, int64_t now,
                                    int64_t before_id, int limit, db_claimable_coupon_fn fn,
                                    void *arg)
{
  /* The shop's row, with its claimable coupons joined (none: one row of
   * nulls), tells a missing shop from an empty list in one round trip.
   * The conditions are coupon_claim's, so what is listed can be claimed
   * (until someone else takes the last one). */
  static struct db_stmt q = DB_STMT(
      5, "SELECT x.* FROM shops s LEFT JOIN LATERAL (SELECT c.id, c.shop_id, c.kind,"
         " c.product_id, c.title, c.discount_cents, c.min_order_cents, c.total_quantity,"
         " c.total_quantity - c.claimed, c.per_buyer_limit, ts_to_us(c.claim_start),"
         " ts_to_us(c.claim_end), c.valid_days, ts_to_us(c.valid_from), ts_to_us(c.valid_to),"
         " c.channel, least(c.per_buyer_limit - k.n, c.total_quantity - c.claimed)"
         " FROM coupons c CROSS JOIN LATERAL (SELECT count(*) AS n FROM buyer_coupons b"
         " WHERE b.coupon_id = c.id AND b.buyer_id = $2) k"
         " WHERE c.shop_id = s.id AND c.id < $4 AND c.stopped_at IS NULL"
         " AND c.claim_start <= us_to_ts($3) AND us_to_ts($3) < c.claim_end"
         " AND c.claimed < c.total_quantity AND k.n < c.per_buyer_limit"
         " AND (c.channel = 'normal' OR s.live_since IS NOT NULL)"
         " AND (c.valid_days IS NOT NULL OR c.valid_to > us_to_ts($3))"
         " ORDER BY c.id DESC LIMIT $5) x ON true WHERE s.id = $1");
  char sb[DB_INT64_SIZE], bb[DB_INT64_SIZE], nb[DB_INT64_SIZE], ib[DB_INT64_SIZE],
      lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(bb, buyer_id),
                     db_param_int64(nb, now), db_param_int64(ib, before_id),
                     db_param_int64(lb, limit)};
  struct each_claimable e = {fn, arg};
  enum db_status st = db_each_row(&q, p, read_claimable_row, &e);
  return st == DB_MANY ? DB_ONE : st;
}
