/* A shop's coupons, the merchant's side:
 *   POST /v1/shops/{id}/coupons                   one coupon (shop or product)
 *   POST /v1/shops/{id}/coupons:batch             one product coupon per product, all or none
 *   GET  /v1/shops/{id}/coupons                   ?status&limit&cursor, newest first
 *   GET  /v1/shops/{id}/coupons/{id}
 *   POST /v1/shops/{id}/coupons/{id}/stop         idempotent: keeps the first stopped_at
 *   POST /v1/shops/{id}/coupons/{id}/add-quantity {"quantity"}
 *   POST /v1/shops/{id}/live/start, /live/stop    the shop's live session
 * Every query names the calling merchant next to the shop: another
 * merchant's shop or coupon answers 404 in the same round trip. Rules that
 * need no data are checked here, so that a 400 lists them all; the product
 * check and the counters are the database's (0011_coupons_merchant.sql). */
#include "clock.h"
#include "coupons.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUPONS_CURSOR   'k'
#define DISCOUNT_MAX     INT64_C(100000000) /* a million yuan, in fen */
#define MIN_ORDER_MAX    INT64_C(10000000000)
#define UNSET_TIME       INT64_MIN
#define COMMON_FIELDS    11 /* the fields single and batch creation share */
#define NOT_FOUND_DETAIL "no such coupon in this shop"

static const char *kind_problem(const char *s)
{
  return strcmp(s, "shop") == 0 || strcmp(s, "product") == 0 ? NULL
                                                             : "must be \"shop\" or \"product\"";
}

static const char *channel_problem(const char *s)
{
  return strcmp(s, "normal") == 0 || strcmp(s, "live") == 0 ? NULL
                                                            : "must be \"normal\" or \"live\"";
}

static const char *blank_problem(const char *s)
{
  return s[strspn(s, " \t\r\n")] == '\0' ? "must not be blank" : NULL;
}

/* A field that is in the body and not null. */
static bool given(json_t *obj, const char *name)
{
  json_t *v = json_object_get(obj, name);
  return v != NULL && !json_is_null(v);
}

/* Declares the common fields (the first COMMON_FIELDS of fields) and sets n
 * to "nothing read yet". */
static void common_fields(struct db_coupon_new *n, struct jsonin_field *f)
{
  const struct jsonin_field common[COMMON_FIELDS] = {
      {"title", JSONIN_TEXT, true, false, 1, DB_COUPON_TITLE_MAX, &n->title, NULL, blank_problem},
      {"discount_cents", JSONIN_INT, true, false, 1, DISCOUNT_MAX, &n->discount_cents, NULL, NULL},
      {"min_order_cents", JSONIN_INT, false, false, 0, MIN_ORDER_MAX, &n->min_order_cents, NULL,
       NULL},
      {"total_quantity", JSONIN_INT, true, false, 1, DB_COUPON_QUANTITY_MAX, &n->total_quantity,
       NULL, NULL},
      {"per_buyer_limit", JSONIN_INT, true, false, 1, DB_COUPON_PER_BUYER_MAX, &n->per_buyer_limit,
       NULL, NULL},
      {"claim_start", JSONIN_TIME, true, false, 0, 0, &n->claim_start, NULL, NULL},
      {"claim_end", JSONIN_TIME, true, false, 0, 0, &n->claim_end, NULL, NULL},
      {"valid_days", JSONIN_INT, false, true, 1, DB_COUPON_VALID_DAYS_MAX, &n->valid_days, NULL,
       NULL},
      {"valid_from", JSONIN_TIME, false, true, 0, 0, &n->valid_from, NULL, NULL},
      {"valid_to", JSONIN_TIME, false, true, 0, 0, &n->valid_to, NULL, NULL},
      {"channel", JSONIN_TEXT, true, false, 1, 10, &n->channel, NULL, channel_problem},
  };
  memcpy(f, common, sizeof common);
  *n = (struct db_coupon_new){.claim_start = UNSET_TIME,
                              .claim_end = UNSET_TIME,
                              .valid_from = UNSET_TIME,
                              .valid_to = UNSET_TIME,
                              .discount_cents = -1,
                              .min_order_cents = 0};
}

/* The rules between fields, each checked once the fields it compares are
 * valid on their own. */
static void check_rules(json_t *obj, struct db_coupon_new *n, struct jsonin_errors *e)
{
  if (n->min_order_cents > 0 && n->discount_cents >= n->min_order_cents)
    jsonin_error(e, "discount_cents", "must be below min_order_cents");
  if (n->claim_start != UNSET_TIME && n->claim_end != UNSET_TIME && n->claim_start >= n->claim_end)
    jsonin_error(e, "claim_end", "must be after claim_start");
  bool days = given(obj, "valid_days"), from = given(obj, "valid_from"),
       to = given(obj, "valid_to");
  if (days && (from || to)) {
    jsonin_error(e, "valid_days", "give either valid_days or valid_from and valid_to, not both");
  } else if (!days && !from && !to) {
    jsonin_error(e, "valid_days", "is required unless valid_from and valid_to are given");
  } else if (!days && from != to) {
    jsonin_error(e, from ? "valid_to" : "valid_from", "is required with %s",
                 from ? "valid_from" : "valid_to");
  } else if (!days && n->valid_from != UNSET_TIME && n->valid_to != UNSET_TIME) {
    if (n->valid_from >= n->valid_to)
      jsonin_error(e, "valid_to", "must be after valid_from");
    else if (n->claim_end != UNSET_TIME && n->valid_to < n->claim_end)
      jsonin_error(e, "valid_to", "must not be before claim_end: a claimed coupon must be usable");
  }
  if (days)
    n->valid_from = n->valid_to = 0;
  else
    n->valid_days = 0;
}

/* What the creation callbacks write: the coupons, or the products refused. */
struct created {
  struct jsonout out;
  json_t *errors; /* invalid_product: one per product refused */
  bool batch;     /* name products "product_ids[i]", else "product_id" */
};

static void write_created(const struct db_coupon *c, void *arg)
{
  view_coupon(&((struct created *)arg)->out, c);
}

static void reject_product(size_t index, void *arg)
{
  struct created *cr = arg;
  char field[32];
  if (cr->batch)
    snprintf(field, sizeof field, "product_ids[%zu]", index);
  else
    snprintf(field, sizeof field, "product_id");
  json_array_append_new(cr->errors, json_pack("{s:s, s:s}", "field", field, "message",
                                              "is not a product of this shop"));
}

/* Runs the creation and answers it. */
static enum MHD_Result create(struct http_request *rq, const struct db_coupon_new *n,
                              const int64_t *products, size_t count, struct created *cr)
{
  char code[DB_RESULT_CODE_SIZE];
  cr->errors = json_array();
  if (cr->errors == NULL)
    return MHD_NO;
  if (cr->batch) {
    jsonout_begin_object(&cr->out);
    jsonout_key(&cr->out, "items");
    jsonout_begin_array(&cr->out);
  }
  enum db_status st = db_coupons_create(rq->session.account.id, rq->ids[0], n, products, count,
                                        clock_now_us(), code, write_created, reject_product, cr);
  if (st < DB_NONE || strcmp(code, "ok") != 0) {
    jsonout_free(&cr->out);
    if (st < DB_NONE) {
      json_decref(cr->errors);
      return reply_db_error(rq, st);
    }
    if (strcmp(code, "invalid_product") == 0)
      return reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more products cannot have coupons",
                           json_pack("{s:o}", "errors", cr->errors));
    json_decref(cr->errors);
    if (strcmp(code, "not_found") == 0)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
    return reply_problem_code(rq, code, NULL); /* unknown: logged, 500 */
  }
  json_decref(cr->errors);
  if (cr->batch) {
    jsonout_end_array(&cr->out);
    jsonout_end_object(&cr->out);
  }
  return reply_jsonout(rq, MHD_HTTP_CREATED, &cr->out);
}

enum MHD_Result h_coupons_create(struct http_request *rq)
{
  struct db_coupon_new n;
  int64_t product_id = 0;
  struct jsonin_field fields[COMMON_FIELDS + 2];
  common_fields(&n, fields);
  fields[COMMON_FIELDS] =
      (struct jsonin_field){"kind", JSONIN_TEXT, true, false, 1, 10, &n.kind, NULL, kind_problem};
  fields[COMMON_FIELDS + 1] = (struct jsonin_field){"product_id", JSONIN_INT,  false, true, 1,
                                                    INT64_MAX,    &product_id, NULL,  NULL};
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(rq->json, fields, COMMON_FIELDS + 2, "", &e);
  check_rules(rq->json, &n, &e);
  bool has_product = given(rq->json, "product_id");
  if (n.kind != NULL && strcmp(n.kind, "product") == 0 && !has_product)
    jsonin_error(&e, "product_id", "is required for a product coupon");
  else if (n.kind != NULL && strcmp(n.kind, "shop") == 0 && has_product)
    jsonin_error(&e, "product_id", "must be null or absent for a shop coupon");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct created cr = {.out = JSONOUT_INIT, .batch = false};
  return create(rq, &n, &product_id, has_product ? 1 : 0, &cr);
}

/* Reads product_ids: 1 to DB_COUPON_BATCH_MAX distinct positive ids. */
static void read_product_ids(json_t *list, int64_t *ids, size_t *count, struct jsonin_errors *e)
{
  size_t n = json_array_size(list);
  *count = 0;
  if (list == NULL) {
    jsonin_error(e, "product_ids", "is required");
    return;
  }
  if (!json_is_array(list) || n == 0 || n > DB_COUPON_BATCH_MAX) {
    jsonin_error(e, "product_ids", "must be an array of 1 to %d product ids", DB_COUPON_BATCH_MAX);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_array_get(list, i);
    char field[32];
    snprintf(field, sizeof field, "product_ids[%zu]", i);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
      jsonin_error(e, field, "must be a positive integer");
      continue;
    }
    ids[i] = json_integer_value(v);
    for (size_t k = 0; k < i; k++)
      if (ids[k] == ids[i]) {
        jsonin_error(e, field, "repeats product_ids[%zu]", k);
        break;
      }
  }
  *count = n;
}

enum MHD_Result h_coupons_create_batch(struct http_request *rq)
{
  struct db_coupon_new n;
  struct jsonin_field fields[COMMON_FIELDS];
  common_fields(&n, fields);
  n.kind = "product";
  /* The common fields are checked on a copy without the list. */
  json_t *rest = json_copy(rq->json);
  int64_t *ids = calloc(DB_COUPON_BATCH_MAX, sizeof *ids);
  struct jsonin_errors e;
  if (rest == NULL || ids == NULL || !jsonin_errors_init(&e)) {
    json_decref(rest);
    free(ids);
    return MHD_NO;
  }
  json_object_del(rest, "product_ids");
  size_t count = 0;
  read_product_ids(json_object_get(rq->json, "product_ids"), ids, &count, &e);
  jsonin_check(rest, fields, COMMON_FIELDS, "", &e);
  check_rules(rest, &n, &e);
  json_decref(rest);
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK) {
    free(ids);
    return http_step_result(step);
  }
  struct created cr = {.out = JSONOUT_INIT, .batch = true};
  enum MHD_Result ret = create(rq, &n, ids, count, &cr);
  free(ids);
  return ret;
}

static void write_page_row(const struct db_coupon *c, void *arg)
{
  struct page *pg = arg;
  if (!page_row(pg))
    return;
  view_coupon(&pg->out, c);
  pg->last = (struct cursor){0, c->id};
}

enum MHD_Result h_coupons_list(struct http_request *rq)
{
  static const char *const statuses[] = {"claiming", "sold_out",    "ended",
                                         "stopped",  "not_started", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      {"status", QUERY_ENUM, 0, 0, &status, statuses, NULL},
      QUERY_PARAM_LIMIT(&limit),
      QUERY_PARAM_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  struct cursor after = {0, 0}; /* no cursor: from the newest */
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, COUPONS_CURSOR, cursor_text, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_coupons_page(rq->session.account.id, rq->ids[0], status >= 0 ? statuses[status] : NULL,
                      clock_now_us(), after.id, (int)limit + 1, write_page_row, &pg);
  if (st <= DB_NONE) {
    jsonout_free(&pg.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply(rq, &pg, COUPONS_CURSOR);
}

static void write_coupon(const struct db_coupon *c, void *arg)
{
  view_coupon(arg, c);
}

/* The coupon written, or why there is none. */
static enum MHD_Result coupon_reply(struct http_request *rq, enum db_status st, struct jsonout *out)
{
  if (st < DB_NONE || out->len == 0) {
    jsonout_free(out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, NOT_FOUND_DETAIL, NULL);
  }
  return reply_jsonout(rq, MHD_HTTP_OK, out);
}

enum MHD_Result h_coupons_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_coupon_get(rq->session.account.id, rq->ids[0], rq->ids[1], clock_now_us(),
                                    write_coupon, &out);
  return coupon_reply(rq, st, &out);
}

enum MHD_Result h_coupons_stop(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_coupon_stop(rq->session.account.id, rq->ids[0], rq->ids[1], clock_now_us(),
                                     write_coupon, &out);
  return coupon_reply(rq, st, &out);
}

enum MHD_Result h_coupons_add_quantity(struct http_request *rq)
{
  int64_t quantity = 0;
  const struct jsonin_field fields[] = {
      {"quantity", JSONIN_INT, true, false, 1, DB_COUPON_QUANTITY_MAX, &quantity, NULL, NULL},
  };
  enum http_step step = jsonin_read(rq, fields, 1);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_coupon_add_quantity(rq->session.account.id, rq->ids[0], rq->ids[1],
                                             quantity, clock_now_us(), code, write_coupon, &out);
  if (st < DB_NONE || strcmp(code, "ok") == 0 || strcmp(code, "not_found") == 0)
    return coupon_reply(rq, st, &out);
  jsonout_free(&out);
  if (strcmp(code, "quantity_limit") == 0) {
    char detail[80], message[80];
    snprintf(detail, sizeof detail, "the coupon's total quantity would pass %d",
             DB_COUPON_QUANTITY_MAX);
    snprintf(message, sizeof message, "would take total_quantity past %d", DB_COUPON_QUANTITY_MAX);
    return reply_problem(
        rq, PROBLEM_INVALID_FIELD, detail,
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", "quantity", "message", message));
  }
  return reply_problem_code(rq, code, "the coupon is stopped or its claim window has ended");
}

/* Starts (live) or stops the shop's live session; answers its state. */
static enum MHD_Result live_set(struct http_request *rq, bool live)
{
  int64_t since = 0;
  enum db_status st =
      db_shop_live_set(rq->session.account.id, rq->ids[0], live, clock_now_us(), &since);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:I, s:b, s:o}", "shop_id", (json_int_t)rq->ids[0], "live",
                                    live, "live_since", view_time_or_null(since)));
}

enum MHD_Result h_coupons_live_start(struct http_request *rq)
{
  return live_set(rq, true);
}

enum MHD_Result h_coupons_live_stop(struct http_request *rq)
{
  return live_set(rq, false);
}
