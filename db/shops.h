/* Shops, as their merchant sees them, and the carriers list. */
#ifndef MERCHANTD_DB_SHOPS_H
#define MERCHANTD_DB_SHOPS_H

#include "db.h"

#include <stdint.h>

/* A merchant has few shops; lists of them stop here. */
#define DB_SHOPS_MAX 200

/* One shop with its badge counts. Text fields point into the query result:
 * they are valid only while the callback that received the shop runs. */
struct db_shop {
  int64_t id;
  const char *name;
  const char *description;
  int64_t created_at, updated_at;
  int64_t to_ship;              /* paid orders waiting to be shipped */
  int64_t under_review;         /* orders held by the platform's review */
  int64_t unread_conversations; /* conversations with unread buyer messages */
  int64_t after_sales_open;     /* orders with an open after-sales request */
  int64_t unread_letters;       /* delivered in-app letters not yet read */
  /* The limits in force (SQL shop_limits: the base ones and the privileges
   * of the shop's medals). */
  int64_t quick_replies_limit;     /* live quick replies */
  int64_t coupon_batch_limit;      /* products in one coupon batch */
  int64_t campaign_products_bonus; /* entries per campaign beyond its own cap */
};

typedef void (*db_shop_fn)(const struct db_shop *s, void *arg);

/* Opens a shop; fn receives it. */
enum db_status db_shop_create(int64_t merchant_id, const char *name, const char *description,
                              int64_t now, db_shop_fn fn, void *arg);
/* The merchant's shops, oldest first, at most DB_SHOPS_MAX. */
enum db_status db_shops_of_merchant(int64_t merchant_id, db_shop_fn fn, void *arg);
/* DB_ONE with the shop when it exists and the merchant owns it, else DB_NONE. */
enum db_status db_shop_get(int64_t shop_id, int64_t merchant_id, db_shop_fn fn, void *arg);
/* Changes name and/or description (NULL keeps one) of the merchant's shop;
 * DB_NONE when there is no such shop of the merchant. */
enum db_status db_shop_update(int64_t shop_id, int64_t merchant_id, const char *name,
                              const char *description, int64_t now, db_shop_fn fn, void *arg);

/* Every carrier, ordered by code; the texts are valid during the call only. */
typedef void (*db_carrier_fn)(const char *code, const char *name, void *arg);
enum db_status db_carriers_each(db_carrier_fn fn, void *arg);

#endif
