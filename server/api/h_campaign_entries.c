/* Platform campaigns, the merchant's side:
 *   GET  /v1/campaigns                                ?status&limit&cursor: campaigns whose
 *                                                     sign-up opened, each shop's eligibility
 *   POST /v1/shops/{id}/campaign-entries              {"campaign_id", "product_id", "skus"}
 *   POST /v1/shops/{id}/campaign-entries:batch        {"campaign_id", "discount_percent",
 *                                                     "stock_percent", "product_ids"}
 *   GET  /v1/shops/{id}/campaign-entries              ?campaign_id&status&limit&cursor
 *   POST /v1/shops/{id}/campaign-entries/{id}/withdraw while pending
 *   GET  /v1/shops/{id}/campaigns/{id}/stats          the shop's counters in the campaign
 * Every query names the calling merchant next to the shop: another
 * merchant's shop or entry answers 404. The campaign's rules are checked
 * by campaign_entry_create, all of them, and reported per SKU. */
#include "campaign_reply.h"
#include "campaigns.h"
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "tenancy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAMPAIGNS_CURSOR 'g'
#define ENTRIES_CURSOR   'n'
#define SKUS_MAX         50
#define BATCH_MAX        200
#define NO_ENTRY         "no such campaign entry in this shop"

static const char *const listed_statuses[] = {"signup_open", "upcoming", "running", "ended", NULL};

enum MHD_Result h_campaign_entries_campaigns(struct http_request *rq)
{
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step =
      query_status_page(rq, listed_statuses, &status, CAMPAIGNS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_campaigns_for_merchant(
      rq->session.account.id, status >= 0 ? listed_statuses[status] : NULL, after.id,
      (int)limit + 1, clock_now_us(), campaign_reply_row, &pg);
  return page_reply_read(rq, &pg, st, CAMPAIGNS_CURSOR);
}

/* skus[]: each SKU once. */
struct sku_in {
  int64_t sku_id, price, stock;
  int64_t seen[SKUS_MAX];
};

static void sku_each(struct jsonin_at *at, void *arg)
{
  struct sku_in *s = arg;
  s->seen[at->index] = s->sku_id; /* 0 when not valid */
  for (size_t j = 0; j < at->index && s->sku_id != 0; j++)
    if (s->seen[j] == s->sku_id) {
      jsonin_at_error(at, "sku_id", "repeats skus[%zu].sku_id", j);
      break;
    }
}

enum MHD_Result h_campaign_entries_create(struct http_request *rq)
{
  int64_t campaign_id = 0, product_id = 0;
  json_t *skus_json = NULL;
  struct sku_in s;
  memset(&s, 0, sizeof s);
  const struct jsonin_field sku_fields[] = {
      JSONIN_INT("sku_id", &s.sku_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_INT("campaign_price_cents", &s.price, 1, 100000000, JSONIN_REQUIRED),
      JSONIN_INT("campaign_stock", &s.stock, 1, 10000000, JSONIN_REQUIRED),
  };
  const struct jsonin_spec sku_spec = JSONIN_SPEC(sku_fields);
  const struct jsonin_field sku = JSONIN_OBJECT(NULL, &sku_spec, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_INT("campaign_id", &campaign_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_INT("product_id", &product_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_ARRAY("skus", &sku, 1, SKUS_MAX, JSONIN_REQUIRED, .json = &skus_json, .each = sku_each,
                   .arg = &s),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char *skus = json_dumps(skus_json, JSON_COMPACT);
  if (skus == NULL)
    return MHD_NO;
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_campaign_entry_create(rq->session.account.id, rq->ids[0], campaign_id, product_id, skus,
                               clock_now_us(), code, campaign_reply_write, &out);
  free(skus);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_CREATED,
                              "no such campaign, or product of this shop");
}

/* product_ids: distinct ids, as a bigint[] literal for SQL. */
struct product_ids_in {
  int64_t id;
  int64_t ids[BATCH_MAX];
  size_t count;
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

/* The batch's reply: a result per product (json: the entry, or the
 * errors[] of a refused one), or the batch's refusal. */
struct batch_out {
  struct jsonout out;
  char code[DB_RESULT_CODE_SIZE]; /* of a refusal of the whole batch */
};

static void batch_result(int64_t product_id, const char *code, const char *json, void *arg)
{
  struct batch_out *b = arg;
  if (product_id == 0) {
    snprintf(b->code, sizeof b->code, "%s", code);
    return;
  }
  bool ok = strcmp(code, "ok") == 0, refused = strcmp(code, "campaign_rules_failed") == 0;
  jsonout_begin_object(&b->out);
  jsonout_field_int(&b->out, "product_id", product_id);
  jsonout_field_string(&b->out, "result", ok ? "created" : refused ? "refused" : "not_found");
  jsonout_key(&b->out, "entry");
  if (ok && json != NULL)
    jsonout_raw(&b->out, json);
  else
    jsonout_null(&b->out);
  jsonout_key(&b->out, "errors");
  if (refused && json != NULL)
    jsonout_raw(&b->out, json);
  else
    jsonout_null(&b->out);
  jsonout_end_object(&b->out);
}

enum MHD_Result h_campaign_entries_batch(struct http_request *rq)
{
  int64_t campaign_id = 0, discount = 0, stock = 0;
  struct product_ids_in *p = calloc(1, sizeof *p);
  if (p == NULL)
    return MHD_NO;
  const struct jsonin_field product_id = JSONIN_INT(NULL, &p->id, 1, INT64_MAX, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_INT("campaign_id", &campaign_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_INT("discount_percent", &discount, 1, 99, JSONIN_REQUIRED),
      JSONIN_INT("stock_percent", &stock, 1, 100, JSONIN_REQUIRED),
      JSONIN_ARRAY("product_ids", &product_id, 1, BATCH_MAX, JSONIN_REQUIRED,
                   .each = product_id_each, .arg = p),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK) {
    free(p);
    return http_step_result(step);
  }
  char *products = malloc(p->count * 21 + 3); /* 20 digits and a comma each */
  if (products == NULL) {
    free(p);
    return MHD_NO;
  }
  size_t len = 0;
  products[len++] = '{';
  for (size_t i = 0; i < p->count; i++)
    len += (size_t)sprintf(products + len, "%s%lld", i ? "," : "", (long long)p->ids[i]);
  products[len++] = '}';
  products[len] = '\0';
  free(p);

  struct batch_out b = {.out = JSONOUT_INIT, .code = ""};
  jsonout_begin_object(&b.out);
  jsonout_key(&b.out, "results");
  jsonout_begin_array(&b.out);
  enum db_status st =
      db_campaign_entries_batch(rq->session.account.id, rq->ids[0], campaign_id, discount, stock,
                                products, clock_now_us(), batch_result, &b);
  free(products);
  if (st < DB_NONE || b.code[0] != '\0') {
    jsonout_free(&b.out);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    if (strcmp(b.code, "not_found") == 0)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such campaign", NULL);
    return reply_problem_code(rq, b.code, "the campaign's sign-up is not open");
  }
  jsonout_end_array(&b.out);
  jsonout_end_object(&b.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &b.out);
}

static const char *const entry_statuses[] = {"pending",   "approved",  "rejected",
                                             "withdrawn", "cancelled", NULL};

enum MHD_Result h_campaign_entries_list(struct http_request *rq)
{
  int status = -1;
  int64_t campaign_id = 0, limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      QUERY_INT("campaign_id", &campaign_id, 1, INT64_MAX),
      QUERY_ENUM("status", &status, entry_statuses),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  struct cursor after = {0, 0};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, ENTRIES_CURSOR, cursor_text, &after);
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_campaign_entries_of_shop(
      rq->session.account.id, rq->ids[0], campaign_id, status >= 0 ? entry_statuses[status] : NULL,
      after.id, (int)limit + 1, campaign_reply_row, &pg);
  return page_reply_read(rq, &pg, st, ENTRIES_CURSOR);
}

enum MHD_Result h_campaign_entries_withdraw(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_campaign_entry_withdraw(rq->session.account.id, rq->ids[0], rq->ids[1],
                                                 clock_now_us(), code, campaign_reply_write, &out);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_OK, NO_ENTRY);
}

enum MHD_Result h_campaign_entries_stats(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_campaign_stats(rq->session.account.id, rq->ids[0], rq->ids[1], campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, "no such shop, or campaign the shop is in");
}
