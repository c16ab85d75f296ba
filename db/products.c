#include "products.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The URL of SKU k's preview image (its 800 px rendition), or NULL. */
#define SKU_IMAGE_URL                                                                              \
  "(SELECT '/media/' || i.sha256 || '_800.webp' FROM images i WHERE i.id = k.image_id)"

/* The SKUs of product p as a JSON array, read from src (the skus table, or
 * the rows a statement just inserted). */
#define PRODUCT_SKUS(src)                                                                          \
  "(SELECT coalesce(json_agg(json_build_object('id', k.id, 'spec', k.spec, 'price_cents',"         \
  " k.price_cents, 'stock', k.stock, 'image_id', k.image_id, 'image', " SKU_IMAGE_URL              \
  ") ORDER BY k.id), '[]') FROM " src " k WHERE k.product_id = p.id)"

/* The select list of every product query, over "p"; read_product reads it. */
#define PRODUCT_COLUMNS(skus_src)                                                                  \
  "p.id, p.shop_id, p.title, p.description, p.status, array_to_json(p.images), " PRODUCT_SKUS(     \
      skus_src) ", ts_to_us(p.created_at), ts_to_us(p.updated_at)"

/* A JSON array ($n::jsonb) of URL strings and {"image_id": id} objects as
 * text[] of URLs, in order: an image of the shop's space becomes its 800 px
 * rendition's URL (the handler checked the ids; one deleted since is left
 * out). NULL gives {}. */
#define IMAGES_ARRAY(param, shop)                                                                  \
  "ARRAY(SELECT u FROM (SELECT CASE WHEN jsonb_typeof(v) = 'object' THEN"                          \
  " (SELECT '/media/' || i.sha256 || '_800.webp' FROM images i JOIN image_spaces sp"               \
  " ON sp.id = i.space_id WHERE i.id = (v ->> 'image_id')::bigint AND sp.shop_id = " shop ")"      \
  " ELSE v #>> '{}' END AS u, n FROM jsonb_array_elements(" param "::jsonb)"                       \
  " WITH ORDINALITY AS t (v, n)) x WHERE u IS NOT NULL ORDER BY n)"

static void read_product(const PGresult *res, int r, struct db_product *p)
{
  p->id = db_get_int64(res, r, 0);
  p->shop_id = db_get_int64(res, r, 1);
  p->title = PQgetvalue(res, r, 2);
  p->description = PQgetvalue(res, r, 3);
  p->status = PQgetvalue(res, r, 4);
  p->images_json = PQgetvalue(res, r, 5);
  p->skus_json = PQgetvalue(res, r, 6);
  p->created_at = db_get_int64(res, r, 7);
  p->updated_at = db_get_int64(res, r, 8);
}

struct product_rows {
  db_product_fn fn;
  void *arg;
};

static void product_row(const PGresult *res, int r, void *arg)
{
  struct product_rows *rows = arg;
  struct db_product p;
  read_product(res, r, &p);
  rows->fn(&p, rows->arg);
}

/* Runs a statement returning PRODUCT_COLUMNS rows and hands each to fn. */
static enum db_status products_each(struct db_stmt *q, const char *const *params, db_product_fn fn,
                                    void *arg)
{
  struct product_rows rows = {fn, arg};
  return db_each_row(q, params, product_row, &rows);
}

/* 0 (nobody) as SQL NULL. */
static const char *param_id_or_null(char buf[DB_INT64_SIZE], int64_t id)
{
  return id > 0 ? db_param_int64(buf, id) : NULL;
}

enum db_status db_product_create(int64_t merchant_id, int64_t shop_id,
                                 const struct db_product_write *w, int64_t now, db_product_fn fn,
                                 void *arg)
{
  /* One statement, so one transaction: the product comes with all its SKUs
   * or not at all. SKU ids follow the order of the request. */
  static struct db_stmt q = DB_STMT(
      8,
      "WITH s AS (SELECT id FROM shops WHERE id = $1 AND merchant_id = $2),"
      " p AS (INSERT INTO products (shop_id, title, description, images, status, created_at,"
      " updated_at) SELECT s.id, $3::text, coalesce($4::text, ''), " IMAGES_ARRAY(
          "$5",
          "s.id") ", coalesce($6::text, 'on_sale'), us_to_ts($8), us_to_ts($8) FROM s RETURNING *),"
                  " ins AS (INSERT INTO skus (product_id, shop_id, spec, price_cents, stock,"
                  " image_id, created_at, updated_at) SELECT p.id, p.shop_id, e.item ->> 'spec',"
                  " (e.item ->> 'price_cents')::bigint, (e.item ->> 'stock')::integer,"
                  " (SELECT i.id FROM images i JOIN image_spaces sp ON sp.id = i.space_id"
                  " WHERE i.id = (e.item ->> 'image_id')::bigint AND sp.shop_id = p.shop_id"
                  " FOR KEY SHARE OF i), p.created_at, p.created_at"
                  " FROM p, jsonb_array_elements($7::jsonb) WITH ORDINALITY AS e (item, n)"
                  " ORDER BY e.n RETURNING *)"
                  " SELECT " PRODUCT_COLUMNS("ins") " FROM p");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id),
                     db_param_int64(mb, merchant_id),
                     w->title,
                     w->description,
                     w->images_json,
                     w->status,
                     w->skus_json,
                     db_param_int64(nb, now)};
  return products_each(&q, p, fn, arg);
}

enum db_status db_products_page(int64_t shop_id, int64_t viewer_id, const char *status,
                                int64_t before_id, int limit, db_product_fn fn, void *arg,
                                bool *shop_found)
{
  /* The shop row comes back even without products (p.id NULL), which tells
   * an empty shop from one that does not exist in the same round trip. */
  static struct db_stmt q = DB_STMT(
      5,
      "SELECT " PRODUCT_COLUMNS(
          "skus") " FROM shops s LEFT JOIN LATERAL"
                  " (SELECT * FROM products p WHERE p.shop_id = s.id AND p.deleted_at IS NULL"
                  " AND (p.status = 'on_sale' OR s.merchant_id = $2)"
                  " AND ($3::text IS NULL OR p.status = $3) AND ($4::bigint IS NULL OR p.id < $4)"
                  " ORDER BY p.id DESC LIMIT $5) p ON true WHERE s.id = $1 ORDER BY p.id DESC");
  char sb[DB_INT64_SIZE], vb[DB_INT64_SIZE], cb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(sb, shop_id), param_id_or_null(vb, viewer_id), status,
                          param_id_or_null(cb, before_id), db_param_int64(lb, limit)};
  PGresult *res;
  *shop_found = false;
  enum db_status st = db_exec(&q, params, &res);
  if (st < DB_NONE)
    return st;
  *shop_found = PQntuples(res) > 0;
  for (int r = 0; r < PQntuples(res); r++) {
    if (PQgetisnull(res, r, 0))
      continue;
    struct db_product p;
    read_product(res, r, &p);
    fn(&p, arg);
  }
  PQclear(res);
  return st;
}

enum db_status db_product_get(int64_t shop_id, int64_t product_id, int64_t viewer_id,
                              db_product_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT " PRODUCT_COLUMNS(
                     "skus") " FROM products p JOIN shops s ON s.id = p.shop_id"
                             " WHERE p.id = $2 AND p.shop_id = $1 AND p.deleted_at IS NULL"
                             " AND (p.status = 'on_sale' OR s.merchant_id = $3)");
  char sb[DB_INT64_SIZE], pb[DB_INT64_SIZE], vb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(sb, shop_id), db_param_int64(pb, product_id),
                          param_id_or_null(vb, viewer_id)};
  return products_each(&q, params, fn, arg);
}

enum db_status db_product_update(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                                 const struct db_product_write *w, int64_t now, db_product_fn fn,
                                 void *arg)
{
  static struct db_stmt q = DB_STMT(
      8,
      "WITH p AS (UPDATE products p SET title = coalesce($4::text, p.title),"
      " description = coalesce($5::text, p.description),"
      " images = CASE WHEN $6::jsonb IS NULL THEN p.images ELSE " IMAGES_ARRAY(
          "$6",
          "p.shop_id") " END,"
                       " status = coalesce($7::text, p.status), updated_at = us_to_ts($8)"
                       " FROM shops s WHERE p.id = $3 AND p.shop_id = $2 AND p.deleted_at IS NULL"
                       " AND s.id = p.shop_id AND s.merchant_id = $1 RETURNING p.*)"
                       " SELECT " PRODUCT_COLUMNS("skus") " FROM p");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], pb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(mb, merchant_id),
                          db_param_int64(sb, shop_id),
                          db_param_int64(pb, product_id),
                          w->title,
                          w->description,
                          w->images_json,
                          w->status,
                          db_param_int64(nb, now)};
  return products_each(&q, params, fn, arg);
}

enum db_status db_product_delete(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                                 int64_t now)
{
  static struct db_stmt q =
      DB_STMT(4, "UPDATE products p SET deleted_at = us_to_ts($4), updated_at = us_to_ts($4)"
                 " FROM shops s WHERE p.id = $3 AND p.shop_id = $2 AND p.deleted_at IS NULL"
                 " AND s.id = p.shop_id AND s.merchant_id = $1");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], pb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                          db_param_int64(pb, product_id), db_param_int64(nb, now)};
  return db_run(&q, params);
}

struct sku_added {
  char *result;
  struct db_sku *sku;
};

static void read_sku_added(const PGresult *res, void *arg)
{
  struct sku_added *a = arg;
  snprintf(a->result, 32, "%s", PQgetvalue(res, 0, 0));
  if (!PQgetisnull(res, 0, 1))
    a->sku->id = db_get_int64(res, 0, 1);
  if (!PQgetisnull(res, 0, 2))
    snprintf(a->sku->image, sizeof a->sku->image, "%s", PQgetvalue(res, 0, 2));
}

enum db_status db_sku_add(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                          const struct db_sku_new *k, int64_t now, char result[32],
                          struct db_sku *out)
{
  static struct db_stmt q = DB_STMT(
      8, "SELECT result, sku_id, image FROM sku_add($1, $2, $3, $4, $5, $6, $7, us_to_ts($8))");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], pb[DB_INT64_SIZE], prb[DB_INT64_SIZE],
      stb[DB_INT64_SIZE], ib[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(mb, merchant_id),
                          db_param_int64(sb, shop_id),
                          db_param_int64(pb, product_id),
                          k->spec,
                          db_param_int64(prb, k->price_cents),
                          db_param_int64(stb, k->stock),
                          k->image_id > 0 ? db_param_int64(ib, k->image_id) : NULL,
                          db_param_int64(nb, now)};
  /* The function stores exactly what it was given. */
  memset(out, 0, sizeof *out);
  snprintf(out->spec, sizeof out->spec, "%s", k->spec);
  out->price_cents = k->price_cents;
  out->stock = k->stock;
  out->image_id = k->image_id;
  snprintf(result, 32, "internal_error");
  struct sku_added a = {result, out};
  return db_query_row(&q, params, read_sku_added, &a);
}

static void read_sku(const PGresult *res, void *arg)
{
  struct db_sku *k = arg;
  k->found = db_get_bool(res, 0, 0);
  k->image_ok = db_get_bool(res, 0, 1);
  if (PQgetisnull(res, 0, 2))
    return;
  k->id = db_get_int64(res, 0, 2);
  snprintf(k->spec, sizeof k->spec, "%s", PQgetvalue(res, 0, 3));
  k->price_cents = db_get_int64(res, 0, 4);
  k->stock = db_get_int64(res, 0, 5);
  k->image_id = PQgetisnull(res, 0, 6) ? 0 : db_get_int64(res, 0, 6);
  snprintf(k->image, sizeof k->image, "%s", PQgetisnull(res, 0, 7) ? "" : PQgetvalue(res, 0, 7));
}

enum db_status db_sku_update(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                             int64_t sku_id, const struct db_sku_change *c, int64_t now,
                             struct db_sku *out)
{
  /* The SKU is found first, so that an image id is judged only for the
   * merchant's own SKU: another shop's image is 400, never a hint about
   * another merchant's shop. An image must be in this shop's space. */
  static struct db_stmt q = DB_STMT(
      10,
      "WITH k0 AS (SELECT k.id FROM skus k JOIN products p ON p.id = k.product_id"
      " JOIN shops s ON s.id = p.shop_id WHERE k.id = $4 AND k.product_id = $3"
      " AND p.shop_id = $2 AND p.deleted_at IS NULL AND s.merchant_id = $1),"
      " img AS (SELECT NOT $9::boolean OR $10::bigint IS NULL OR EXISTS (SELECT 1 FROM images i"
      " JOIN image_spaces sp ON sp.id = i.space_id WHERE i.id = $10 AND sp.shop_id = $2) AS ok),"
      " u AS (UPDATE skus k SET spec = coalesce($5::text, k.spec),"
      " price_cents = coalesce($6::bigint, k.price_cents),"
      " stock = coalesce($7::integer, k.stock),"
      " image_id = CASE WHEN $9::boolean THEN $10::bigint ELSE k.image_id END,"
      " updated_at = us_to_ts($8) FROM k0, img WHERE k.id = k0.id AND img.ok RETURNING k.*)"
      " SELECT EXISTS (SELECT 1 FROM k0), (SELECT ok FROM img), k.id, k.spec, k.price_cents,"
      " k.stock, k.image_id, " SKU_IMAGE_URL " FROM (SELECT 1) one LEFT JOIN u k ON true");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], pb[DB_INT64_SIZE], kb[DB_INT64_SIZE],
      prb[DB_INT64_SIZE], stb[DB_INT64_SIZE], nb[DB_INT64_SIZE], ib[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(mb, merchant_id),
                          db_param_int64(sb, shop_id),
                          db_param_int64(pb, product_id),
                          db_param_int64(kb, sku_id),
                          c->spec,
                          c->price_cents != NULL ? db_param_int64(prb, *c->price_cents) : NULL,
                          c->stock != NULL ? db_param_int64(stb, *c->stock) : NULL,
                          db_param_int64(nb, now),
                          c->set_image ? "true" : "false",
                          c->set_image && c->image_id > 0 ? db_param_int64(ib, c->image_id) : NULL};
  memset(out, 0, sizeof *out);
  return db_query_row(&q, params, read_sku, out);
}
