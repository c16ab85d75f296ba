/* Products and their SKUs. Every write names the merchant next to the shop,
 * so another merchant's shop, product or SKU is not found in the same
 * statement that would change it. */
#ifndef MERCHANTD_DB_PRODUCTS_H
#define MERCHANTD_DB_PRODUCTS_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

#define DB_SKU_SPEC_SIZE 241 /* 60 characters of up to 4 bytes */

/* One product. Text fields point into the query result: they are valid only
 * while the callback that received the product runs. */
struct db_product {
  int64_t id;
  int64_t shop_id;
  const char *title;
  const char *description;
  const char *status;      /* on_sale or off_sale */
  const char *images_json; /* JSON array of URLs */
  /* JSON array [{"id", "spec", "price_cents", "stock", "image_id", "image"}] by id */
  const char *skus_json;
  int64_t created_at, updated_at;
};

typedef void (*db_product_fn)(const struct db_product *p, void *arg);

/* What a write sets; NULL leaves a field as it is (or, on create, takes the
 * default: empty description, no images, on_sale). images_json is a JSON
 * array of URL strings and {"image_id": id} objects, skus_json one of
 * {"spec", "price_cents", "stock", "image_id"?}. An image id that is not
 * (or no longer) in the shop's image space is left out. */
struct db_product_write {
  const char *title;
  const char *description;
  const char *images_json;
  const char *status;
  const char *skus_json; /* create only */
};

/* Creates the product and its SKUs in one statement; DB_NONE when the
 * merchant has no such shop. */
enum db_status db_product_create(int64_t merchant_id, int64_t shop_id,
                                 const struct db_product_write *w, int64_t now, db_product_fn fn,
                                 void *arg);

/* One page of a shop's live products, newest first, ids below before_id
 * (0: from the newest). viewer_id is the calling merchant (0 for anyone
 * else): the shop's owner sees off-sale products too, others only on-sale
 * ones. status, when not NULL, keeps only products in that status.
 * *shop_found says whether the shop exists. */
enum db_status db_products_page(int64_t shop_id, int64_t viewer_id, const char *status,
                                int64_t before_id, int limit, db_product_fn fn, void *arg,
                                bool *shop_found);
/* A live product as viewer_id (as above) may see it; DB_NONE otherwise. */
enum db_status db_product_get(int64_t shop_id, int64_t product_id, int64_t viewer_id,
                              db_product_fn fn, void *arg);
/* Changes a live product of the merchant's shop; DB_NONE when none. */
enum db_status db_product_update(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                                 const struct db_product_write *w, int64_t now, db_product_fn fn,
                                 void *arg);
/* Marks a live product deleted (orders keep pointing at it); DB_NONE when
 * the merchant's shop has no such live product. */
enum db_status db_product_delete(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                                 int64_t now);

struct db_sku {
  int64_t id;
  char spec[DB_SKU_SPEC_SIZE];
  int64_t price_cents;
  int64_t stock;
  int64_t image_id; /* the preview image (规格预览图); 0: none */
  char image[96];   /* its 800 px URL; "" when none */
  bool found;       /* db_sku_update: the merchant has the SKU */
  bool image_ok;    /* db_sku_update: the image is in the shop's space */
};

/* What a SKU update changes: NULL (set_image false) leaves a field as it
 * is; image_id 0 with set_image removes the preview image. */
struct db_sku_change {
  const char *spec;
  const int64_t *price_cents;
  const int64_t *stock;
  bool set_image;
  int64_t image_id;
};

/* A SKU to add; image_id 0: no preview image. */
struct db_sku_new {
  const char *spec;
  int64_t price_cents;
  int64_t stock;
  int64_t image_id;
};

/* Adds a SKU (SQL function sku_add); result receives its result code: "ok"
 * (out filled), "not_found", "invalid_state" (the product is full) or
 * "invalid_field" (the image is not in the shop's image space). */
enum db_status db_sku_add(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                          const struct db_sku_new *k, int64_t now, char result[32],
                          struct db_sku *out);
/* Changes a SKU of a live product of the merchant's shop. out->found is
 * false when there is no such SKU there; out->image_ok false when the image
 * is not in the shop's image space (nothing changed then). */
enum db_status db_sku_update(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                             int64_t sku_id, const struct db_sku_change *c, int64_t now,
                             struct db_sku *out);

#endif
