/* A shop's products and their SKUs.
 *
 * Reads are open to anyone: the shop's owner sees its off-sale products
 * too, everyone else (anonymous, buyers, other merchants) only on-sale ones,
 * and an off-sale product is 404 for them. Writes are the owner's: each
 * statement names the merchant next to the shop, so another merchant's
 * shop, product or SKU is 404 in the same round trip that would change it.
 *
 * A product body's images and skus are declared with their elements, so
 * their problems are named like "skus[2].price_cents". */
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "images.h"
#include "jsonin.h"
#include "products.h"
#include "query.h"
#include "reply.h"
#include "utf8.h"
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PRODUCT_TITLE_MAX       120
#define PRODUCT_DESCRIPTION_MAX 5000
#define PRODUCT_IMAGES_MAX      20
#define PRODUCT_IMAGE_URL_MAX   1024
#define PRODUCT_SKUS_MAX        50
#define SKU_SPEC_MAX            60
#define SKU_PRICE_MAX           100000000
#define SKU_STOCK_MAX           10000000
#define PRODUCTS_CURSOR_KIND    'g'

/* ---- JSON views ---- */

static json_t *view_product(const struct db_product *p)
{
  json_t *images = json_loads(p->images_json, 0, NULL);
  json_t *skus = json_loads(p->skus_json, 0, NULL);
  if (images == NULL || skus == NULL) {
    json_decref(images);
    json_decref(skus);
    return NULL;
  }
  return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o}", "id", (json_int_t)p->id,
                   "shop_id", (json_int_t)p->shop_id, "title", p->title, "description",
                   p->description, "images", images, "status", p->status, "skus", skus,
                   "created_at", view_time(p->created_at), "updated_at", view_time(p->updated_at));
}

static json_t *view_sku(const struct db_sku *k)
{
  return json_pack("{s:I, s:s, s:I, s:I, s:o, s:o}", "id", (json_int_t)k->id, "spec", k->spec,
                   "price_cents", (json_int_t)k->price_cents, "stock", (json_int_t)k->stock,
                   "image_id", k->image_id > 0 ? json_integer(k->image_id) : json_null(), "image",
                   k->image[0] != '\0' ? json_string(k->image) : json_null());
}

/* Collects the products a query returns as JSON. */
struct product_views {
  json_t *items;
  bool failed; /* a product could not be turned into JSON */
};

static void add_product(const struct db_product *p, void *arg)
{
  struct product_views *v = arg;
  if (json_array_append_new(v->items, view_product(p)) != 0)
    v->failed = true;
}

/* Replies with the one product a query returned: 404 when it returned none. */
static enum MHD_Result reply_product(struct http_request *rq, unsigned status, enum db_status st,
                                     struct product_views *v, const char *not_found)
{
  json_t *product = v->failed ? NULL : json_incref(json_array_get(v->items, 0));
  json_decref(v->items);
  if (st < DB_NONE) {
    json_decref(product);
    return reply_db_error(rq, st);
  }
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, not_found, NULL);
  return reply_json_steal(rq, status, product); /* NULL answers 500 */
}

/* The merchant whose view a read gets: the caller when a merchant, else 0
 * (nobody owns a shop then). */
static int64_t viewer_of(const struct http_request *rq)
{
  if (rq->authenticated && strcmp(rq->session.account.role, "merchant") == 0)
    return rq->session.account.id;
  return 0;
}

/* ---- Validation ---- */

/* Titles and specs must say something: whitespace alone is refused. */
static const char *blank_problem(const char *s)
{
  for (; *s != '\0'; s++)
    if (strchr(" \t\r\n", *s) == NULL)
      return NULL;
  return "must not be blank";
}

static const char *status_problem(const char *s)
{
  if (strcmp(s, "on_sale") == 0 || strcmp(s, "off_sale") == 0)
    return NULL;
  return "must be \"on_sale\" or \"off_sale\"";
}

/* A SKU's fields, for skus[] of a product body and for the SKU routes
 * alike. */
struct sku_in {
  const char *spec;
  int64_t price_cents, stock;
  int64_t image_id; /* the preview image; null (0) removes it on update */
  bool has[4];
};

/* flags apply to spec, price and stock; image_id is always optional. */
// clang-format off
#define SKU_FIELDS(k, flags) \
  JSONIN_TEXT("spec", &(k)->spec, 1, SKU_SPEC_MAX, flags, .present = &(k)->has[0], \
              .check = blank_problem), \
  JSONIN_INT("price_cents", &(k)->price_cents, 1, SKU_PRICE_MAX, flags, .present = &(k)->has[1]), \
  JSONIN_INT("stock", &(k)->stock, 0, SKU_STOCK_MAX, flags, .present = &(k)->has[2]), \
  JSONIN_INT("image_id", &(k)->image_id, 1, INT64_MAX, JSONIN_NULLABLE, .present = &(k)->has[3])
// clang-format on

/* An image URL is an absolute http(s) URL without spaces or control
 * characters. */
static const char *image_url_problem(const char *s)
{
  size_t scheme = strncasecmp(s, "https://", 8) == 0  ? 8
                  : strncasecmp(s, "http://", 7) == 0 ? 7
                                                      : 0;
  if (scheme == 0 || s[scheme] == '\0' || s[scheme] == '/')
    return "must be an http or https URL";
  for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
    if (*c <= 0x20 || *c == 0x7f)
      return "must not contain spaces or control characters";
  return NULL;
}

/* An image is an image URL or {"image_id": id}: an image of the shop's
 * image space (checked against the database by foreign_images). */
static const char *image_problem(json_t *v)
{
  if (json_is_object(v)) {
    json_t *id = json_object_get(v, "image_id");
    if (json_object_size(v) != 1 || !json_is_integer(id) || json_integer_value(id) < 1)
      return "must be {\"image_id\": id} with a positive integer id";
    return NULL;
  }
  if (!json_is_string(v))
    return "must be a URL string or {\"image_id\": id}";
  if (utf8_length(json_string_value(v), json_string_length(v)) > PRODUCT_IMAGE_URL_MAX)
    return "must be at most 1024 characters long";
  return image_url_problem(json_string_value(v));
}

/* The image ids of an array's elements in order (0 where an element names
 * none), as a PostgreSQL array, and how to name the field of element n. */
struct image_ids {
  const char *field; /* a format taking the element's index */
  char text[PRODUCT_SKUS_MAX * 21 + 3];
  size_t used;
  bool any;
  struct jsonin_errors *errors;
};

static void append_image_id(struct image_ids *ids, size_t index, int64_t id)
{
  ids->any = ids->any || id > 0;
  ids->used += (size_t)snprintf(ids->text + ids->used, sizeof ids->text - ids->used, "%s%lld",
                                index > 0 ? "," : "", (long long)id);
}

/* images[]: {"image_id": id} or a URL (0). */
static void add_image_id(struct jsonin_at *at, void *arg)
{
  append_image_id(arg, at->index,
                  at->valid && json_is_object(at->value)
                      ? json_integer_value(json_object_get(at->value, "image_id"))
                      : 0);
}

/* skus[]: the element's image_id, read into the sku_in the ids point at. */
struct sku_image_ids {
  struct image_ids ids;
  const struct sku_in *sku;
};

static void add_sku_image_id(struct jsonin_at *at, void *arg)
{
  struct sku_image_ids *s = arg;
  append_image_id(&s->ids, at->index, at->valid ? s->sku->image_id : 0);
}

static void foreign_image(int64_t position, void *arg)
{
  struct image_ids *ids = arg;
  char field[40];
  snprintf(field, sizeof field, ids->field, (long long)position);
  jsonin_error(ids->errors, field, "is not an image of this shop's image space");
}

/* The image ids of an array (valid in form) must be of the shop's space.
 * Another merchant's shop is judged by the write (404). */
static enum http_step foreign_images(struct http_request *rq, struct image_ids *ids,
                                     struct jsonin_errors *e)
{
  if (!ids->any)
    return HTTP_STEP_OK;
  snprintf(ids->text + ids->used, sizeof ids->text - ids->used, "}");
  ids->errors = e;
  bool owned;
  enum db_status st =
      db_images_foreign(rq->session.account.id, rq->ids[0], ids->text, foreign_image, ids, &owned);
  return st < DB_NONE ? HTTP_STEP_OF(reply_db_error(rq, st)) : HTTP_STEP_OK;
}

/* images_json and skus_json of a product write read from a body are
 * malloc'd; its other texts point into rq->json. */
static void product_write_free(struct db_product_write *w)
{
  free((char *)w->images_json);
  free((char *)w->skus_json);
}

/* Reads a product body: for create (title and skus required) or for update
 * (no skus; at least one field). Replies 400 itself. The checked images
 * and skus go to the database as the JSON they were sent as. */
static enum http_step read_product_body(struct http_request *rq, bool create,
                                        struct db_product_write *w)
{
  memset(w, 0, sizeof *w);
  struct image_ids ids = {.field = "images[%lld]", .text = "{", .used = 1};
  const struct jsonin_field image = JSONIN_VALUE(NULL, image_problem, JSONIN_REQUIRED);
  struct sku_in k;
  struct sku_image_ids sku_ids = {{.field = "skus[%lld].image_id", .text = "{", .used = 1}, &k};
  const struct jsonin_field sku_fields[] = {SKU_FIELDS(&k, JSONIN_REQUIRED)};
  const struct jsonin_spec sku_spec = JSONIN_SPEC(sku_fields);
  const struct jsonin_field sku = JSONIN_OBJECT(NULL, &sku_spec, JSONIN_REQUIRED);
  json_t *images = NULL, *skus = NULL;
  bool has[3];
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("title", &w->title, 1, PRODUCT_TITLE_MAX,
                  create ? JSONIN_REQUIRED : JSONIN_OPTIONAL, .present = &has[0],
                  .check = blank_problem),
      JSONIN_TEXT("description", &w->description, 0, PRODUCT_DESCRIPTION_MAX, JSONIN_OPTIONAL,
                  .present = &has[1]),
      JSONIN_TEXT("status", &w->status, 1, 16, JSONIN_OPTIONAL, .present = &has[2],
                  .check = status_problem),
      JSONIN_ARRAY("images", &image, 0, PRODUCT_IMAGES_MAX, JSONIN_OPTIONAL, .json = &images,
                   .each = add_image_id, .arg = &ids),
      /* Last: an update takes no skus. */
      JSONIN_ARRAY("skus", &sku, 1, PRODUCT_SKUS_MAX, JSONIN_REQUIRED, .json = &skus,
                   .each = add_sku_image_id, .arg = &sku_ids),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return HTTP_STEP_FAILED;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields) - (create ? 0 : 1));
  struct image_ids *arrays[] = {images != NULL ? &ids : NULL, skus != NULL ? &sku_ids.ids : NULL};
  for (size_t i = 0; i < 2 && json_array_size(e.list) == 0; i++) {
    enum http_step asked = arrays[i] != NULL ? foreign_images(rq, arrays[i], &e) : HTTP_STEP_OK;
    if (asked != HTTP_STEP_OK) {
      json_decref(e.list);
      return asked; /* the database could not be asked: already answered */
    }
  }
  if (!create && json_array_size(e.list) == 0 && !has[0] && !has[1] && !has[2] && images == NULL)
    jsonin_error(&e, "body", "must have at least one of title, description, images, status");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return step;
  w->images_json = images != NULL ? json_dumps(images, JSON_COMPACT) : NULL;
  w->skus_json = skus != NULL ? json_dumps(skus, JSON_COMPACT) : NULL;
  if ((images != NULL && w->images_json == NULL) || (skus != NULL && w->skus_json == NULL)) {
    product_write_free(w);
    return HTTP_STEP_FAILED;
  }
  return HTTP_STEP_OK;
}

/* ---- Products ---- */

enum MHD_Result h_products_list(struct http_request *rq)
{
  static const char *const statuses[] = {"on_sale", "off_sale", NULL};
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor = NULL;
  int status = -1;
  const struct query_param params[] = {
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
      QUERY_ENUM("status", &status, statuses),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct cursor after = {0, 0};
  step = query_cursor(rq, PRODUCTS_CURSOR_KIND, cursor, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  struct product_views v = {json_array(), false};
  if (v.items == NULL)
    return MHD_NO;
  bool shop_found;
  /* One row more than asked says whether a next page exists. */
  enum db_status st =
      db_products_page(rq->ids[0], viewer_of(rq), status >= 0 ? statuses[status] : NULL, after.id,
                       (int)limit + 1, add_product, &v, &shop_found);
  if (st < DB_NONE || v.failed || !shop_found) {
    json_decref(v.items);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    return v.failed ? reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL)
                    : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  json_t *next = json_null();
  if (json_array_size(v.items) > (size_t)limit) {
    json_array_remove(v.items, (size_t)limit);
    json_t *last = json_array_get(v.items, (size_t)limit - 1);
    struct cursor c = {0, json_integer_value(json_object_get(last, "id"))};
    char text[CURSOR_TEXT_SIZE];
    cursor_encode(PRODUCTS_CURSOR_KIND, &c, text);
    next = json_string(text);
  }
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:o, s:o}", "items", v.items, "next_cursor", next));
}

enum MHD_Result h_products_get(struct http_request *rq)
{
  struct product_views v = {json_array(), false};
  if (v.items == NULL)
    return MHD_NO;
  enum db_status st = db_product_get(rq->ids[0], rq->ids[1], viewer_of(rq), add_product, &v);
  return reply_product(rq, MHD_HTTP_OK, st, &v, "no such product");
}

enum MHD_Result h_products_create(struct http_request *rq)
{
  struct db_product_write w;
  enum http_step step = read_product_body(rq, true, &w);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct product_views v = {json_array(), false};
  enum db_status st = v.items == NULL ? DB_HARD_ERROR
                                      : db_product_create(rq->session.account.id, rq->ids[0], &w,
                                                          clock_now_us(), add_product, &v);
  product_write_free(&w);
  return reply_product(rq, MHD_HTTP_CREATED, st, &v, "no such shop");
}

enum MHD_Result h_products_update(struct http_request *rq)
{
  struct db_product_write w;
  enum http_step step = read_product_body(rq, false, &w);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct product_views v = {json_array(), false};
  enum db_status st = v.items == NULL
                          ? DB_HARD_ERROR
                          : db_product_update(rq->session.account.id, rq->ids[0], rq->ids[1], &w,
                                              clock_now_us(), add_product, &v);
  product_write_free(&w);
  return reply_product(rq, MHD_HTTP_OK, st, &v, "no such product");
}

enum MHD_Result h_products_delete(struct http_request *rq)
{
  enum db_status st =
      db_product_delete(rq->session.account.id, rq->ids[0], rq->ids[1], clock_now_us());
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such product", NULL);
  return reply_empty(rq, MHD_HTTP_NO_CONTENT);
}

/* ---- SKUs ---- */

/* A SKU's image_id names no image of the shop's space. */
static enum MHD_Result reply_foreign_sku_image(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_INVALID_FIELD, "no such image in this shop's image space",
                       json_pack("{s:[{s:s, s:s}]}", "errors", "field", "image_id", "message",
                                 "must be an image of this shop's image space"));
}

enum MHD_Result h_products_sku_create(struct http_request *rq)
{
  struct sku_in k = {0};
  const struct jsonin_field fields[] = {SKU_FIELDS(&k, JSONIN_REQUIRED)};
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char result[32];
  struct db_sku sku;
  const struct db_sku_new add = {k.spec, k.price_cents, k.stock, k.image_id};
  enum db_status st = db_sku_add(rq->session.account.id, rq->ids[0], rq->ids[1], &add,
                                 clock_now_us(), result, &sku);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(result, "invalid_field") == 0)
    return reply_foreign_sku_image(rq);
  if (strcmp(result, "ok") != 0)
    return reply_problem_code(rq, result,
                              strcmp(result, "not_found") == 0 ? "no such product"
                                                               : "a product has at most 50 skus");
  return reply_json_steal(rq, MHD_HTTP_CREATED, view_sku(&sku));
}

enum MHD_Result h_products_sku_update(struct http_request *rq)
{
  struct sku_in k = {0};
  const struct jsonin_field fields[] = {SKU_FIELDS(&k, JSONIN_OPTIONAL)};
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!k.has[0] && !k.has[1] && !k.has[2] && !k.has[3])
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "nothing to change",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "body", "message",
                                   "must have at least one of spec, price_cents, stock, image_id"));
  struct db_sku_change c = {k.spec, k.has[1] ? &k.price_cents : NULL, k.has[2] ? &k.stock : NULL,
                            k.has[3], k.image_id};
  struct db_sku sku;
  enum db_status st = db_sku_update(rq->session.account.id, rq->ids[0], rq->ids[1], rq->ids[2], &c,
                                    clock_now_us(), &sku);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE || !sku.found)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such sku", NULL);
  if (!sku.image_ok)
    return reply_foreign_sku_image(rq);
  return reply_json_steal(rq, MHD_HTTP_OK, view_sku(&sku));
}
