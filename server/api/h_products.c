/* A shop's products and their SKUs.
 *
 * Reads are open to anyone: the shop's owner sees its off-sale products
 * too, everyone else (anonymous, buyers, other merchants) only on-sale ones,
 * and an off-sale product is 404 for them. Writes are the owner's: each
 * statement names the merchant next to the shop, so another merchant's
 * shop, product or SKU is 404 in the same round trip that would change it.
 *
 * jsonin reads flat fields only. The nested members of a product body
 * (images, skus) are taken out of the body before jsonin sees it and are
 * checked here, by the same rules and in the same errors[] style, with
 * field names such as "skus[2].price_cents". */
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

#include <stdio.h>
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

/* The rules of a SKU's fields, for skus[] of a product body and for the SKU
 * routes alike; out may be NULL when only checking. */
static void sku_fields(struct jsonin_field f[3], bool required, const char **spec,
                       int64_t *price_cents, int64_t *stock, bool present[3])
{
  f[0] = (struct jsonin_field){.name = "spec",
                               .type = JSONIN_TEXT,
                               .required = required,
                               .min = 1,
                               .max = SKU_SPEC_MAX,
                               .out = spec,
                               .present = &present[0],
                               .check = blank_problem};
  f[1] = (struct jsonin_field){.name = "price_cents",
                               .type = JSONIN_INT,
                               .required = required,
                               .min = 1,
                               .max = SKU_PRICE_MAX,
                               .out = price_cents,
                               .present = &present[1]};
  f[2] = (struct jsonin_field){.name = "stock",
                               .type = JSONIN_INT,
                               .required = required,
                               .min = 0,
                               .max = SKU_STOCK_MAX,
                               .out = stock,
                               .present = &present[2]};
}

/* What is wrong with the nested members of a body. */
struct problems {
  json_t *errors;
  bool unknown; /* some member is not one the endpoint takes */
};

static void add_error(struct problems *pr, const char *field, const char *msg)
{
  json_array_append_new(pr->errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

/* One member of a nested object, by the rules jsonin applies to flat ones. */
static void check_member(struct problems *pr, const char *field, const struct jsonin_field *f,
                         json_t *v)
{
  char msg[128];
  if (v == NULL || json_is_null(v)) {
    if (v != NULL || f->required)
      add_error(pr, field, v == NULL ? "is required" : "must not be null");
  } else if (f->type == JSONIN_INT) {
    json_int_t n = json_integer_value(v);
    if (!json_is_integer(v) || n < f->min || n > f->max) {
      snprintf(msg, sizeof msg, "must be an integer from %lld to %lld", (long long)f->min,
               (long long)f->max);
      add_error(pr, field, msg);
    }
  } else if (!json_is_string(v)) {
    add_error(pr, field, "must be a string");
  } else {
    size_t len = utf8_length(json_string_value(v), json_string_length(v));
    const char *why = f->check != NULL ? f->check(json_string_value(v)) : NULL;
    if ((int64_t)len < f->min || (int64_t)len > f->max) {
      snprintf(msg, sizeof msg, "must be %lld to %lld characters long", (long long)f->min,
               (long long)f->max);
      add_error(pr, field, msg);
    } else if (why != NULL) {
      add_error(pr, field, why);
    }
  }
}

/* skus: 1 to 50 objects of exactly spec, price_cents and stock. */
static void check_skus(struct problems *pr, json_t *skus)
{
  if (!json_is_array(skus) || json_array_size(skus) < 1 ||
      json_array_size(skus) > PRODUCT_SKUS_MAX) {
    add_error(pr, "skus", skus == NULL ? "is required" : "must be an array of 1 to 50 skus");
    return;
  }
  struct jsonin_field f[3];
  bool present[3];
  sku_fields(f, true, NULL, NULL, NULL, present);
  size_t i;
  json_t *sku;
  json_array_foreach(skus, i, sku)
  {
    char field[96];
    snprintf(field, sizeof field, "skus[%zu]", i);
    if (!json_is_object(sku)) {
      add_error(pr, field, "must be an object");
      continue;
    }
    const char *key;
    json_t *v;
    json_object_foreach(sku, key, v)
    {
      if (strcmp(key, "spec") != 0 && strcmp(key, "price_cents") != 0 &&
          strcmp(key, "stock") != 0) {
        snprintf(field, sizeof field, "skus[%zu].%.40s", i, key);
        utf8_repair(field); /* the cut may split a character */
        add_error(pr, field, "unknown field");
        pr->unknown = true;
      }
    }
    for (int k = 0; k < 3; k++) {
      snprintf(field, sizeof field, "skus[%zu].%s", i, f[k].name);
      check_member(pr, field, &f[k], json_object_get(sku, f[k].name));
    }
  }
}

/* An image is an absolute http(s) URL without spaces or control characters,
 * or {"image_id": id}: an image of the shop's image space (checked against
 * the database by foreign_images). */
static const char *image_url_problem(json_t *v)
{
  if (json_is_object(v)) {
    json_t *id = json_object_get(v, "image_id");
    if (json_object_size(v) != 1 || !json_is_integer(id) || json_integer_value(id) < 1)
      return "must be {\"image_id\": id} with a positive integer id";
    return NULL;
  }
  if (!json_is_string(v))
    return "must be a URL string or {\"image_id\": id}";
  const char *s = json_string_value(v);
  if (utf8_length(s, json_string_length(v)) > PRODUCT_IMAGE_URL_MAX)
    return "must be at most 1024 characters long";
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

static void check_images(struct problems *pr, json_t *images)
{
  if (!json_is_array(images) || json_array_size(images) > PRODUCT_IMAGES_MAX) {
    add_error(pr, "images", "must be an array of at most 20 images (URLs or image ids)");
    return;
  }
  size_t i;
  json_t *v;
  json_array_foreach(images, i, v)
  {
    const char *why = image_url_problem(v);
    char field[32];
    snprintf(field, sizeof field, "images[%zu]", i);
    if (why != NULL)
      add_error(pr, field, why);
  }
}

static void foreign_image(int64_t position, void *arg)
{
  struct problems *pr = arg;
  char field[32];
  snprintf(field, sizeof field, "images[%lld]", (long long)position);
  add_error(pr, field, "is not an image of this shop's image space");
}

/* The image ids of images[] (checked in form already) must be of the
 * shop's space. Another merchant's shop is judged by the write (404). */
static enum http_step foreign_images(struct http_request *rq, json_t *images, struct problems *pr)
{
  char ids[PRODUCT_IMAGES_MAX * 21 + 3] = "{";
  size_t used = 1, i;
  bool any = false;
  json_t *v;
  json_array_foreach(images, i, v)
  {
    json_int_t id = json_is_object(v) ? json_integer_value(json_object_get(v, "image_id")) : 0;
    any = any || id > 0;
    used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%lld", i ? "," : "", (long long)id);
  }
  snprintf(ids + used, sizeof ids - used, "}");
  if (!any)
    return HTTP_STEP_OK;
  bool owned;
  enum db_status st =
      db_images_foreign(rq->session.account.id, rq->ids[0], ids, foreign_image, pr, &owned);
  return st < DB_NONE ? HTTP_STEP_OF(reply_db_error(rq, st)) : HTTP_STEP_OK;
}

/* Removes a member from the body and returns it (a new reference, NULL
 * when absent). */
static json_t *take_member(json_t *body, const char *name)
{
  json_t *v = json_incref(json_object_get(body, name));
  json_object_del(body, name);
  return v;
}

/* images_json and skus_json of a product write read from a body are
 * malloc'd; its other texts point into rq->json. */
static void product_write_free(struct db_product_write *w)
{
  free((char *)w->images_json);
  free((char *)w->skus_json);
}

/* Reads a product body: for create (title and skus required) or for update
 * (no skus; at least one field). Replies 400 itself. jsonin replies on its
 * own findings, so nested members are checked once the flat ones passed. */
static enum http_step read_product_body(struct http_request *rq, bool create,
                                        struct db_product_write *w)
{
  memset(w, 0, sizeof *w);
  json_t *images = take_member(rq->json, "images");
  json_t *skus = create ? take_member(rq->json, "skus") : NULL;
  bool has[3];
  const struct jsonin_field fields[] = {
      {"title", JSONIN_TEXT, create, false, 1, PRODUCT_TITLE_MAX, &w->title, &has[0],
       blank_problem},
      {"description", JSONIN_TEXT, false, false, 0, PRODUCT_DESCRIPTION_MAX, &w->description,
       &has[1], NULL},
      {"status", JSONIN_TEXT, false, false, 1, 16, &w->status, &has[2], status_problem},
  };
  enum http_step step = jsonin_read(rq, fields, sizeof fields / sizeof fields[0]);
  struct problems pr = {json_array(), false};
  if (step == HTTP_STEP_OK && pr.errors == NULL)
    step = HTTP_STEP_FAILED;
  if (step == HTTP_STEP_OK) {
    if (images != NULL)
      check_images(&pr, images);
    if (images != NULL && json_array_size(pr.errors) == 0)
      step = foreign_images(rq, images, &pr);
    if (create)
      check_skus(&pr, skus);
    if (!create && !has[0] && !has[1] && !has[2] && images == NULL)
      add_error(&pr, "body", "must have at least one of title, description, images, status");
    if (step != HTTP_STEP_OK) {
      /* the database could not be asked: already answered */
    } else if (json_array_size(pr.errors) > 0) {
      step = HTTP_STEP_OF(
          reply_problem(rq, pr.unknown ? PROBLEM_UNKNOWN_FIELD : PROBLEM_INVALID_FIELD,
                        pr.unknown ? "the request has fields this endpoint does not take"
                                   : "one or more fields are invalid",
                        json_pack("{s:O}", "errors", pr.errors)));
    } else {
      w->images_json = images != NULL ? json_dumps(images, JSON_COMPACT) : NULL;
      w->skus_json = skus != NULL ? json_dumps(skus, JSON_COMPACT) : NULL;
      if ((images != NULL && w->images_json == NULL) || (skus != NULL && w->skus_json == NULL)) {
        product_write_free(w);
        step = HTTP_STEP_FAILED;
      }
    }
  }
  json_decref(pr.errors);
  json_decref(images);
  json_decref(skus);
  return step;
}

/* ---- Products ---- */

enum MHD_Result h_products_list(struct http_request *rq)
{
  static const char *const statuses[] = {"on_sale", "off_sale", NULL};
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor = NULL;
  int status = -1;
  const struct query_param params[] = {
      QUERY_PARAM_LIMIT(&limit),
      QUERY_PARAM_CURSOR(&cursor),
      {"status", QUERY_ENUM, 0, 0, &status, statuses, NULL},
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
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

enum MHD_Result h_products_sku_create(struct http_request *rq)
{
  const char *spec = NULL;
  int64_t price_cents = 0, stock = 0;
  struct jsonin_field fields[3];
  bool present[3];
  sku_fields(fields, true, &spec, &price_cents, &stock, present);
  enum http_step step = jsonin_read(rq, fields, 3);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char result[32];
  struct db_sku sku;
  enum db_status st = db_sku_add(rq->session.account.id, rq->ids[0], rq->ids[1], spec, price_cents,
                                 stock, clock_now_us(), result, &sku);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(result, "ok") != 0)
    return reply_problem_code(rq, result,
                              strcmp(result, "not_found") == 0 ? "no such product"
                                                               : "a product has at most 50 skus");
  return reply_json_steal(rq, MHD_HTTP_CREATED, view_sku(&sku));
}

enum MHD_Result h_products_sku_update(struct http_request *rq)
{
  const char *spec = NULL;
  int64_t price_cents = 0, stock = 0, image_id = 0;
  struct jsonin_field fields[4];
  bool present[4];
  sku_fields(fields, false, &spec, &price_cents, &stock, present);
  fields[3] = (struct jsonin_field){.name = "image_id",
                                    .type = JSONIN_INT,
                                    .nullable = true,
                                    .min = 1,
                                    .max = INT64_MAX,
                                    .out = &image_id,
                                    .present = &present[3]};
  enum http_step step = jsonin_read(rq, fields, 4);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!present[0] && !present[1] && !present[2] && !present[3])
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "nothing to change",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "body", "message",
                                   "must have at least one of spec, price_cents, stock, image_id"));
  struct db_sku_change c = {spec, present[1] ? &price_cents : NULL, present[2] ? &stock : NULL,
                            present[3], image_id};
  struct db_sku sku;
  enum db_status st = db_sku_update(rq->session.account.id, rq->ids[0], rq->ids[1], rq->ids[2], &c,
                                    clock_now_us(), &sku);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE || !sku.found)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such sku", NULL);
  if (!sku.image_ok)
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "no such image in this shop's image space",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "image_id", "message",
                                   "must be an image of this shop's image space"));
  return reply_json_steal(rq, MHD_HTTP_OK, view_sku(&sku));
}
