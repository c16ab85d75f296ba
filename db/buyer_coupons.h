/* Coupons, the buyer's side: claiming a shop's coupon (SQL coupon_claim),
 * the coupons a buyer may still claim in a shop, and the buyer's own
 * coupons. Using one on an order is order_create's (see buyer_orders.h). */
#ifndef MERCHANTD_DB_BUYER_COUPONS_H
#define MERCHANTD_DB_BUYER_COUPONS_H

#include "accounts.h"
#include "db.h"

#include <stdint.h>

#define DB_COUPON_KIND_SIZE   8
#define DB_COUPON_TITLE_SIZE  401 /* 100 characters of up to 4 bytes */
#define DB_COUPON_STATUS_SIZE 16

/* A buyer's coupon with what it takes from the shop's coupon. Times are
 * microseconds since the epoch; product_id and used_order_id are 0 when
 * null. status: usable, used or expired (at the time the query was given). */
struct db_buyer_coupon {
  int64_t id;
  int64_t coupon_id;
  int64_t shop_id;
  char kind[DB_COUPON_KIND_SIZE];
  int64_t product_id;
  char title[DB_COUPON_TITLE_SIZE];
  int64_t discount_cents;
  int64_t min_order_cents;
  int64_t valid_from, valid_to;
  char status[DB_COUPON_STATUS_SIZE];
  int64_t used_order_id;
  int64_t claimed_at;
};

typedef void (*db_buyer_coupon_fn)(const struct db_buyer_coupon *c, void *arg);

/* Claims the coupon for the buyer. code: ok, not_found, not_claimable,
 * claim_limit_reached or sold_out; on ok fn receives the new buyer coupon.
 * DB_ONE unless the call failed. */
enum db_status db_coupon_claim(int64_t buyer_id, int64_t coupon_id, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], db_buyer_coupon_fn fn, void *arg);
/* The same claim with the session the token hash names judged in the same
 * statement (ROUTE_FOLDED_AUTH): DB_NONE when there is no live session.
 * Otherwise session is filled, and the claim ran, setting code, only when
 * the session was a buyer's and unexpired at now; code is empty when it
 * did not. */
enum db_status db_coupon_claim_by_token(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                        int64_t coupon_id, int64_t now, struct db_session *session,
                                        char code[DB_RESULT_CODE_SIZE], db_buyer_coupon_fn fn,
                                        void *arg);

/* A page of the buyer's coupons, newest first: ids below before_id, of one
 * status (NULL for all) as of now, at most limit of them. */
enum db_status db_buyer_coupons_page(int64_t buyer_id, const char *status, int64_t now,
                                     int64_t before_id, int limit, db_buyer_coupon_fn fn,
                                     void *arg);

/* A shop's coupon as a buyer about to claim it sees it. */
struct db_claimable_coupon {
  int64_t id;
  int64_t shop_id;
  char kind[DB_COUPON_KIND_SIZE];
  int64_t product_id; /* 0 for a shop coupon */
  char title[DB_COUPON_TITLE_SIZE];
  int64_t discount_cents;
  int64_t min_order_cents;
  int64_t total_quantity;
  int64_t remaining;
  int64_t per_buyer_limit;
  int64_t claim_start, claim_end;
  int64_t valid_days;           /* 0 when the validity is fixed */
  int64_t valid_from, valid_to; /* 0 when valid_days is set */
  char channel[DB_COUPON_KIND_SIZE];
  int64_t claimable_count; /* how many more this buyer may claim now */
};

typedef void (*db_claimable_coupon_fn)(const struct db_claimable_coupon *c, void *arg);

/* The shop's coupons the buyer can claim now (window open, not stopped,
 * not sold out, under the buyer's limit, live ones only while the shop is
 * live), newest first: ids below before_id, at most limit. DB_NONE when the
 * shop does not exist; an empty shop is DB_ONE with no call of fn. */
enum db_status db_coupons_claimable(int64_t buyer_id, int64_t shop_id, int64_t now,
                                    int64_t before_id, int limit, db_claimable_coupon_fn fn,
                                    void *arg);

#endif
