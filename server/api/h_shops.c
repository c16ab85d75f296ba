/* GET /v1/carriers and a merchant's shops: open, list, read, rename.
 *
 * Every shop query names the calling merchant next to the shop id, so
 * another merchant's shop is simply not found (404) in the same round trip
 * that reads it. */
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "reply.h"
#include "shops.h"
#include "view.h"

#include <string.h>

#define SHOP_NAME_MAX        60
#define SHOP_DESCRIPTION_MAX 2000

static void add_carrier(const char *code, const char *name, void *arg)
{
  json_array_append_new(arg, json_pack("{s:s, s:s}", "code", code, "name", name));
}

enum MHD_Result h_shops_carriers(struct http_request *rq)
{
  json_t *items = json_array();
  if (items == NULL)
    return MHD_NO;
  enum db_status st = db_carriers_each(add_carrier, items);
  if (st < DB_NONE) {
    json_decref(items);
    return reply_db_error(rq, st);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:o}", "items", items));
}

static json_t *view_shop(const struct db_shop *s)
{
  return json_pack("{s:I, s:s, s:s, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
                   "id", (json_int_t)s->id, "name", s->name, "description", s->description,
                   "created_at", view_time(s->created_at), "updated_at", view_time(s->updated_at),
                   "counts", "to_ship", (json_int_t)s->to_ship, "under_review",
                   (json_int_t)s->under_review, "unread_conversations",
                   (json_int_t)s->unread_conversations, "after_sales_open",
                   (json_int_t)s->after_sales_open, "unread_letters", (json_int_t)s->unread_letters,
                   "limits", "quick_replies", (json_int_t)s->quick_replies_limit,
                   "coupon_batch_products", (json_int_t)s->coupon_batch_limit,
                   "campaign_products_bonus", (json_int_t)s->campaign_products_bonus);
}

/* Collects the shops a query returns as JSON. */
struct shop_views {
  json_t *items;
  bool failed; /* a shop could not be turned into JSON */
};

static void add_shop(const struct db_shop *s, void *arg)
{
  struct shop_views *v = arg;
  if (json_array_append_new(v->items, view_shop(s)) != 0)
    v->failed = true;
}

/* Replies with the one shop a query returned: 404 when it returned none. */
static enum MHD_Result reply_shop(struct http_request *rq, unsigned status, enum db_status st,
                                  struct shop_views *v)
{
  json_t *shop = v->failed ? NULL : json_incref(json_array_get(v->items, 0));
  json_decref(v->items);
  if (st < DB_NONE) {
    json_decref(shop);
    return reply_db_error(rq, st);
  }
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  return reply_json_steal(rq, status, shop); /* NULL answers 500 */
}

/* Shop names must say something: whitespace alone is refused. */
static const char *blank_problem(const char *s)
{
  for (; *s != '\0'; s++)
    if (strchr(" \t\r\n", *s) == NULL)
      return NULL;
  return "must not be blank";
}

enum MHD_Result h_shops_create(struct http_request *rq)
{
  const char *name = NULL, *description = "";
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, SHOP_NAME_MAX, JSONIN_REQUIRED, .check = blank_problem),
      JSONIN_TEXT("description", &description, 0, SHOP_DESCRIPTION_MAX, JSONIN_OPTIONAL),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct shop_views v = {json_array(), false};
  if (v.items == NULL)
    return MHD_NO;
  enum db_status st =
      db_shop_create(rq->session.account.id, name, description, clock_now_us(), add_shop, &v);
  return reply_shop(rq, MHD_HTTP_CREATED, st, &v);
}

enum MHD_Result h_shops_list(struct http_request *rq)
{
  struct shop_views v = {json_array(), false};
  if (v.items == NULL)
    return MHD_NO;
  enum db_status st = db_shops_of_merchant(rq->session.account.id, add_shop, &v);
  if (st < DB_NONE || v.failed) {
    json_decref(v.items);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:o}", "items", v.items));
}

enum MHD_Result h_shops_get(struct http_request *rq)
{
  struct shop_views v = {json_array(), false};
  if (v.items == NULL)
    return MHD_NO;
  enum db_status st = db_shop_get(rq->ids[0], rq->session.account.id, add_shop, &v);
  return reply_shop(rq, MHD_HTTP_OK, st, &v);
}

enum MHD_Result h_shops_update(struct http_request *rq)
{
  const char *name = NULL, *description = NULL;
  bool has_name = false, has_description = false;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, SHOP_NAME_MAX, JSONIN_OPTIONAL, .present = &has_name,
                  .check = blank_problem),
      JSONIN_TEXT("description", &description, 0, SHOP_DESCRIPTION_MAX, JSONIN_OPTIONAL,
                  .present = &has_description),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!has_name && !has_description)
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "nothing to change",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "body", "message",
                                   "must have at least one of name, description"));
  struct shop_views v = {json_array(), false};
  if (v.items == NULL)
    return MHD_NO;
  enum db_status st = db_shop_update(rq->ids[0], rq->session.account.id, name, description,
                                     clock_now_us(), add_shop, &v);
  return reply_shop(rq, MHD_HTTP_OK, st, &v);
}
