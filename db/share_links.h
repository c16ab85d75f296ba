/* Share links (migrations/0033_share_links.sql, docs/data.md "Share
 * links"): making them, a shop's list, one link with its days, and the
 * public visit that counts. */
#ifndef MERCHANTD_DB_SHARE_LINKS_H
#define MERCHANTD_DB_SHARE_LINKS_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A code: SHARE_CODE_LEN base62 characters (and the NUL). */
#define DB_SHARE_CODE_SIZE 11
/* Candidate codes one create passes, tried in order. */
#define DB_SHARE_CODE_TRIES 3

/* One link as read; strings valid only during the callback. */
struct db_share_link {
  int64_t id, shop_id;
  int64_t product_id; /* 0: the shop page */
  const char *channel;
  const char *code;
  int64_t created_at;
  int64_t hits, visitors;
  int64_t last_visit_at; /* 0: never visited */
  int64_t revoked_at;    /* 0: live */
};

/* One day of a link: the day as YYYY-MM-DD (MERCHANTD_TZ). */
struct db_share_link_day {
  const char *day;
  int64_t hits, visitors;
};

typedef void (*db_share_link_fn)(const struct db_share_link *l, void *arg);
typedef void (*db_share_link_day_fn)(const struct db_share_link_day *d, void *arg);

/* Makes the link of (shop, product, channel) or finds the live one there is
 * (share_link_create). code: "ok", "not_found" (no such shop of the
 * merchant), "invalid_product". *created says which; fn gets the link on
 * "ok". product_id 0: the shop page. */
enum db_status db_share_link_create(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                                    const char *channel,
                                    const char codes[DB_SHARE_CODE_TRIES][DB_SHARE_CODE_SIZE],
                                    int64_t now, char code[DB_RESULT_CODE_SIZE], bool *created,
                                    db_share_link_fn fn, void *arg);

/* A page of the shop's links, newest first (id below before_id, 0: from
 * the newest), limit rows. DB_NONE: no such shop of the merchant; an empty
 * page of a shop it has is DB_ONE with no call of fn. */
enum db_status db_share_links_page(int64_t merchant_id, int64_t shop_id, int64_t before_id,
                                   int limit, db_share_link_fn fn, void *arg);

/* One link of the shop and its last `days` days to the day of now, oldest
 * first, days without visits included (zeros). DB_NONE: no such link of a
 * shop of the merchant. */
enum db_status db_share_link_get(int64_t merchant_id, int64_t shop_id, int64_t link_id, int days,
                                 int64_t now, db_share_link_fn fn, db_share_link_day_fn day_fn,
                                 void *arg);

/* Revokes the link (at now, or keeps the time of an earlier revocation)
 * and passes it to fn. DB_NONE: no such link of a shop of the merchant. */
enum db_status db_share_link_revoke(int64_t merchant_id, int64_t shop_id, int64_t link_id,
                                    int64_t now, db_share_link_fn fn, void *arg);

/* Counts a visit of the link with this code by visitor (share_link_visit)
 * and says where it leads: DB_ONE with *shop_id and *product_id (0: the
 * shop page), DB_NONE for an unknown code or a revoked link. */
enum db_status db_share_link_visit(const char *code, const char *visitor, int64_t now,
                                   int64_t *shop_id, int64_t *product_id);

/* Where the link leads, counting nothing (a HEAD request). */
enum db_status db_share_link_resolve(const char *code, int64_t *shop_id, int64_t *product_id);

/* Drops up to batch rows of who was counted on days before the day of
 * before (MERCHANTD_TZ); *deleted says how many. */
enum db_status db_share_link_visitors_prune(int64_t before, int batch, int64_t *deleted);

#endif
