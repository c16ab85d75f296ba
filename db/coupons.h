/* Coupons, the merchant's side (see migrations/0010_coupons.sql and
 * 0011_coupons_merchant.sql): creating them, one or a batch, the shop's
 * list, stop, add-quantity. (Red packet vouchers, channel red_packet, are
 * the live room's: db/live.c; these never show them.) Every query names
 * the calling merchant next to the shop: another merchant's shop or coupon
 * reads as none at all. */
#ifndef MERCHANTD_DB_COUPONS_H
#define MERCHANTD_DB_COUPONS_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits the table's CHECKs hold too. */
#define DB_COUPON_QUANTITY_MAX   1000000
#define DB_COUPON_PER_BUYER_MAX  100
#define DB_COUPON_VALID_DAYS_MAX 365
#define DB_COUPON_TITLE_MAX      100
/* The most products one batch takes from any shop: a shop's own limit is
 * 500 plus what the privileges of its medals add (SQL shop_limits). */
#define DB_COUPON_BATCH_CEILING 2000

/* A shop's coupon. Texts point into the query result: valid only while the
 * callback that received it runs. Optional values are 0 when NULL. status
 * is the coupon's at the query's "now" (SQL coupon_status). */
struct db_coupon {
  int64_t id, shop_id;
  const char *kind; /* "shop" or "product" */
  int64_t product_id;
  const char *title;
  int64_t discount_cents, min_order_cents;
  int64_t total_quantity, claimed, used, per_buyer_limit;
  int64_t claim_start, claim_end;
  int64_t valid_days, valid_from, valid_to;
  const char *channel; /* "normal" or "live" */
  const char *status;  /* stopped, ended, sold_out, not_started or claiming */
  int64_t stopped_at, created_at;
};

/* The columns db_coupon_read reads, of the coupons row (or composite) p,
 * with the status at the timestamptz expression now: e.g.
 * DB_COUPON_COLUMNS("c", "us_to_ts($3)"). */
#define DB_COUPON_COLUMNS(p, now)                                                                  \
  p ".id, " p ".shop_id, " p ".kind, " p ".product_id, " p ".title, " p ".discount_cents, " p      \
    ".min_order_cents, " p ".total_quantity, " p ".claimed, " p ".used, " p                        \
    ".per_buyer_limit, ts_to_us(" p ".claim_start), ts_to_us(" p ".claim_end), " p                 \
    ".valid_days, ts_to_us(" p ".valid_from), ts_to_us(" p ".valid_to), " p ".channel, "           \
    "coupon_status(" p ".stopped_at, " p ".claim_start, " p ".claim_end, " p ".claimed, " p        \
    ".total_quantity, " now "), ts_to_us(" p ".stopped_at), ts_to_us(" p ".created_at)"
#define DB_COUPON_NCOLUMNS 20

/* Reads the DB_COUPON_COLUMNS of row r from column c (res: a PGresult). */
struct pg_result;
void db_coupon_read(const struct pg_result *res, int r, int c, struct db_coupon *out);

typedef void (*db_coupon_fn)(const struct db_coupon *c, void *arg);

/* What a new coupon is; valid_days 0 or valid_from/valid_to 0 for the
 * validity form not used. */
struct db_coupon_new {
  const char *kind, *title, *channel;
  int64_t discount_cents, min_order_cents, total_quantity, per_buyer_limit;
  int64_t claim_start, claim_end, valid_days, valid_from, valid_to;
};

/* Why a creation did not happen, per product of the request. */
typedef void (*db_coupon_reject_fn)(size_t index, void *arg);

/* Creates a shop coupon (kind "shop", n 0) or one product coupon per
 * product (all or none). code: "ok" (fn gets each coupon, in request
 * order), "not_found" (no such shop of the merchant) or "invalid_product"
 * (reject gets the index of each product that is not a live product of the
 * shop; nothing was created). */
enum db_status db_coupons_create(int64_t merchant_id, int64_t shop_id,
                                 const struct db_coupon_new *n, const int64_t *product_ids,
                                 size_t count, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                 db_coupon_fn fn, db_coupon_reject_fn reject, void *arg);

/* The shop's coupons, newest first: ids below before_id (0: from the
 * newest), of one status (NULL: any), at most limit. DB_NONE when the
 * merchant has no such shop (an empty page is DB_ONE). */
enum db_status db_coupons_page(int64_t merchant_id, int64_t shop_id, const char *status,
                               int64_t now, int64_t before_id, int limit, db_coupon_fn fn,
                               void *arg);

/* One coupon of the merchant's shop to fn; DB_NONE when there is none. */
enum db_status db_coupon_get(int64_t merchant_id, int64_t shop_id, int64_t coupon_id, int64_t now,
                             db_coupon_fn fn, void *arg);

/* Stops the coupon (a stopped one keeps its first stopped_at) and hands it
 * to fn; DB_NONE when there is none. */
enum db_status db_coupon_stop(int64_t merchant_id, int64_t shop_id, int64_t coupon_id, int64_t now,
                              db_coupon_fn fn, void *arg);

/* Adds quantity to the coupon. code: "ok" (fn gets the coupon),
 * "not_found", "invalid_state" (stopped or ended) or "quantity_limit". */
enum db_status db_coupon_add_quantity(int64_t merchant_id, int64_t shop_id, int64_t coupon_id,
                                      int64_t quantity, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                      db_coupon_fn fn, void *arg);

#endif
