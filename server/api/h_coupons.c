/* A shop's coupons, the merchant's side:
 *   POST /v1/shops/{id}/coupons                   one coupon (shop or product)
 *   POST /v1/shops/{id}/coupons:batch             one product coupon per product, all or none
 *   GET  /v1/shops/{id}/coupons                   ?status&limit&cursor, newest first
 *   GET  /v1/shops/{id}/coupons/{id}
 *   POST /v1/shops/{id}/coupons/{id}/stop         idempotent: keeps the first stopped_at
 *   POST /v1/shops/{id}/coupons/{id}/add-quantity {"quantity"}
 * (The live session's start and stop are the live room's: h_live.c.)
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

/* A coupon body as read: the coupon, and the validity fields as given
 * (whether they are there and not null decides which rules apply). */
struct coupon_in {
  struct db_coupon_new n;
  json_t *valid_days, *valid_from, *valid_to;
};

/* The fields single and batch creation share. */
// clang-format off
#define COUPON_FIELDS(c) \
  JSONIN_TEXT("title", &(c)->n.title, 1, DB_COUPON_TITLE_MAX, JSONIN_REQUIRED, \
              .check = jsonin_not_blank), \
  JSONIN_INT("discount_cents", &(c)->n.discount_cents, 1, DISCOUNT_MAX, JSONIN_REQUIRED), \
  JSONIN_INT("min_order_cents", &(c)->n.min_order_cents, 0, MIN_ORDER_MAX, JSONIN_OPTIONAL), \
  JSONIN_INT("total_quantity", &(c)->n.total_quantity, 1, DB_COUPON_QUANTITY_MAX, \
             JSONIN_REQUIRED), \
  JSONIN_INT("per_buyer_limit", &(c)->n.per_buyer_limit, 1, DB_COUPON_PER_BUYER_MAX, \
             JSONIN_REQUIRED), \
  JSONIN_TIME("claim_start", &(c)->n.claim_start, JSONIN_REQUIRED), \
  JSONIN_TIME("claim_end", &(c)->n.claim_end, JSONIN_REQUIRED), \
  JSONIN_INT("valid_days", &(c)->n.valid_days, 1, DB_COUPON_VALID_DAYS_MAX, JSONIN_NULLABLE, \
             .json = &(c)->valid_days), \
  JSONIN_TIME("valid_from", &(c)->n.valid_from, JSONIN_NULLABLE, .json = &(c)->valid_from), \
  JSONIN_TIME("valid_to", &(c)->n.valid_to, JSONIN_NULLABLE, .json = &(c)->valid_to), \
  JSONIN_TEXT("channel", &(c)->n.channel, 1, 10, JSONIN_REQUIRED, .check = channel_problem)
// clang-format on

/* Nothing read yet. */
static void coupon_in_init(struct coupon_in *c)
{
  *c = (struct coupon_in){.n = {.claim_start = UNSET_TIME,
                                .claim_end = UNSET_TIME,
                                .valid_from = UNSET_TIME,
                                .valid_to = UNSET_TIME,
                                .discount_cents = -1,
                                .min_order_cents = 0}};
}

/* A field that is in the body and not null. */
static bool given(const json_t *v)
{
  return v != NULL && !json_is_null(v);
}

/* The rules between fields, each checked once the fields it compares are
 * valid on their own. */
static void check_rules(struct coupon_in *c, struct jsonin_errors *e)
{
  struct db_coupon_new *n = &c->n;
  if (n->min_order_cents > 0 && n->discount_cents >= n->min_order_cents)
    jsonin_error(e, "discount_cents", "must be below min_order_cents");
  if (n->claim_start != UNSET_TIME && n->claim_end != UNSET_TIME && n->claim_start >= n->claim_end)
    jsonin_error(e, "claim_end", "must be after claim_start");
  bool days = given(c->valid_days), from = given(c->valid_from), to = given(c->valid_to);
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
    if (strcmp(code, "invalid_field") == 0)
      return reply_problem(
          rq, PROBLEM_INVALID_FIELD, "more products than the shop's limit for one batch",
          json_pack("{s:[{s:s, s:s}]}", "errors", "field", "product_ids", "message",
                    "has more products than the shop's limits.coupon_batch_products"));
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
  struct coupon_in c;
  coupon_in_init(&c);
  int64_t product_id = 0;
  json_t *product = NULL;
  const struct jsonin_field fields[] = {
      COUPON_FIELDS(&c),
      JSONIN_TEXT("kind", &c.n.kind, 1, 10, JSONIN_REQUIRED, .check = kind_problem),
      JSONIN_INT("product_id", &product_id, 1, INT64_MAX, JSONIN_NULLABLE, .json = &product),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  check_rules(&c, &e);
  bool has_product = given(product);
  if (c.n.kind != NULL && strcmp(c.n.kind, "product") == 0 && !has_product)
    jsonin_error(&e, "product_id", "is required for a product coupon");
  else if (c.n.kind != NULL && strcmp(c.n.kind, "shop") == 0 && has_product)
    jsonin_error(&e, "product_id", "must be null or absent for a shop coupon");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct created cr = {.out = JSONOUT_INIT, .batch = false};
  return create(rq, &c.n, &product_id, has_product ? 1 : 0, &cr);
}

/* product_ids: distinct ids, gathered as they are read. */
struct product_ids_in {
  int64_t id;
  size_t count;
  int64_t ids[DB_COUPON_BATCH_CEILING];
};

static void product_id_each(struct jsonin_at *at, void *arg)
{
  struct product_ids_in *p = arg;
  p->ids[at->index] = p->id; /* 0 when not valid */
  p->count = at->index + 1;
  for (size_t k = 0; k < at->index && p->id != 0; k++)
    if (p->ids[k] == p->id) {
      jsonin_at_error(at, NULL, "repeats product_ids[%zu]", k);
      break;
    }
}

enum MHD_Result h_coupons_create_batch(struct http_request *rq)
{
  struct coupon_in c;
  coupon_in_init(&c);
  c.n.kind = "product";
  struct product_ids_in *p = calloc(1, sizeof *p);
  if (p == NULL)
    return MHD_NO;
  const struct jsonin_field product_id = JSONIN_INT(NULL, &p->id, 1, INT64_MAX, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      COUPON_FIELDS(&c),
      JSONIN_ARRAY("product_ids", &product_id, 1, DB_COUPON_BATCH_CEILING, JSONIN_REQUIRED,
                   .each = product_id_each, .arg = p),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e)) {
    free(p);
    return MHD_NO;
  }
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  check_rules(&c, &e);
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK) {
    free(p);
    return http_step_result(step);
  }
  struct created cr = {.out = JSONOUT_INIT, .batch = true};
  enum MHD_Result ret = create(rq, &c.n, p->ids, p->count, &cr);
  free(p);
  return ret;
}

static void write_page_row(const struct db_coupon *c, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, c->id))
    view_coupon(&pg->out, c);
}

enum MHD_Result h_coupons_list(struct http_request *rq)
{
  static const char *const statuses[] = {"claiming", "sold_out",    "ended",
                                         "stopped",  "not_started", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0}; /* no cursor: from the newest */
  enum http_step step = query_status_page(rq, statuses, &status, COUPONS_CURSOR, &limit, &after);
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
      JSONIN_INT("quantity", &quantity, 1, DB_COUPON_QUANTITY_MAX, JSONIN_REQUIRED),
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
