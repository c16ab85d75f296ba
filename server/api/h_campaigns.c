/* Platform campaigns, the staff's side (permission campaigns):
 *   POST  /v1/platform/campaigns                          a campaign and its rules
 *   GET   /v1/platform/campaigns                          ?status&limit&cursor, newest first
 *   GET   /v1/platform/campaigns/{id}
 *   PATCH /v1/platform/campaigns/{id}                     rules fixed once sign-up opened
 *   POST  /v1/platform/campaigns/{id}/cancel              before it starts
 *   GET   /v1/platform/campaigns/{id}/entries             ?status&limit&cursor, oldest first
 *   POST  /v1/platform/campaigns/{id}/entries/{id}/approve
 *   POST  /v1/platform/campaigns/{id}/entries/{id}/reject {"reason"}
 * Fields are checked here; the rules between a campaign's times, the lock
 * and the stock carved at approval are the SQL functions' (campaign_*.sql).
 * Replies carry the JSON the database built, copied as it is. */
#include "campaign_reply.h"
#include "campaigns.h"
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"

#include <stdlib.h>
#include <string.h>

#define CAMPAIGNS_CURSOR 'c'
#define ENTRIES_CURSOR   'e'
#define NAME_MAX         100
#define REASON_MAX       500
#define NO_CAMPAIGN      "no such campaign"

static const char *kind_problem(const char *s)
{
  return strcmp(s, "flash_sale") == 0 || strcmp(s, "festival") == 0 || strcmp(s, "daily_deal") == 0
             ? NULL
             : "must be \"flash_sale\", \"festival\" or \"daily_deal\"";
}

/* A campaign body; required says whether every field must be there
 * (creation) or any may be left out (a change). */
static enum http_step read_campaign(struct http_request *rq, bool create)
{
  unsigned fl = create ? JSONIN_REQUIRED : JSONIN_OPTIONAL;
  const char *name = NULL, *kind = NULL;
  int64_t t[4], discount, stock, limit, products;
  bool coupons, automatic;
  const struct jsonin_field rules[] = {
      JSONIN_INT("min_discount_percent", &discount, 0, 99, fl),
      JSONIN_INT("min_campaign_stock", &stock, 1, 10000000, fl),
      JSONIN_INT("per_buyer_limit", &limit, 1, 999, fl),
      JSONIN_INT("max_products_per_shop", &products, 1, 1000, fl),
      JSONIN_BOOL("allow_coupons", &coupons, fl),
      JSONIN_BOOL("auto_approve", &automatic, fl),
  };
  const struct jsonin_spec rules_spec = JSONIN_SPEC(rules);
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, NAME_MAX, fl, .check = jsonin_not_blank),
      JSONIN_TEXT("kind", &kind, 1, 16, fl, .check = kind_problem),
      JSONIN_TIME("signup_from", &t[0], fl),
      JSONIN_TIME("signup_to", &t[1], fl),
      JSONIN_TIME("starts_at", &t[2], fl),
      JSONIN_TIME("ends_at", &t[3], fl),
      JSONIN_OBJECT("rules", &rules_spec, fl),
  };
  return jsonin_read(rq, fields, JSONIN_COUNT(fields));
}

/* The body as the SQL function takes it (jsonb); NULL when out of memory. */
static char *body_text(struct http_request *rq)
{
  return json_dumps(rq->json, JSON_COMPACT);
}

#define TIMES_DETAIL                                                                               \
  "sign-up must open before it closes, close by the start, and the start be before the end"

static enum MHD_Result campaign_written(struct http_request *rq, enum db_status st,
                                        const char *code, struct jsonout *out, unsigned status)
{
  if (st >= DB_NONE && strcmp(code, "invalid_field") == 0) {
    jsonout_free(out);
    return reply_problem(
        rq, PROBLEM_INVALID_FIELD, TIMES_DETAIL,
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", "starts_at", "message", TIMES_DETAIL));
  }
  return campaign_reply_coded(rq, st, code, out, status, NO_CAMPAIGN);
}

enum MHD_Result h_campaigns_create(struct http_request *rq)
{
  enum http_step step = read_campaign(rq, true);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char *body = body_text(rq);
  if (body == NULL)
    return MHD_NO;
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_campaign_create(rq->session.account.id, body, clock_now_us(), code,
                                         campaign_reply_write, &out);
  free(body);
  return campaign_written(rq, st, code, &out, MHD_HTTP_CREATED);
}

enum MHD_Result h_campaigns_update(struct http_request *rq)
{
  enum http_step step = read_campaign(rq, false);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char *body = body_text(rq);
  if (body == NULL)
    return MHD_NO;
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_campaign_update(rq->ids[0], body, clock_now_us(), code, campaign_reply_write, &out);
  free(body);
  return campaign_written(rq, st, code, &out, MHD_HTTP_OK);
}

enum MHD_Result h_campaigns_cancel(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_campaign_cancel(rq->ids[0], clock_now_us(), code, campaign_reply_write, &out);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_OK, NO_CAMPAIGN);
}

enum MHD_Result h_campaigns_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_campaign_get(rq->ids[0], clock_now_us(), campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_CAMPAIGN);
}

static const char *const campaign_statuses[] = {"draft", "signup_open", "upcoming", "running",
                                                "ended", "cancelled",   NULL};

enum MHD_Result h_campaigns_list(struct http_request *rq)
{
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step =
      query_status_page(rq, campaign_statuses, &status, CAMPAIGNS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_campaigns_page(status >= 0 ? campaign_statuses[status] : NULL, after.id,
                                        (int)limit + 1, clock_now_us(), campaign_reply_row, &pg);
  return page_reply_read(rq, &pg, st, CAMPAIGNS_CURSOR);
}

static const char *const entry_statuses[] = {"pending",   "approved",  "rejected",
                                             "withdrawn", "cancelled", NULL};

enum MHD_Result h_campaigns_entries(struct http_request *rq)
{
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step =
      query_status_page(rq, entry_statuses, &status, ENTRIES_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_campaign_entries_queue(rq->ids[0], status >= 0 ? entry_statuses[status] : NULL, after.id,
                                (int)limit + 1, campaign_reply_row, &pg);
  if (st == DB_NONE) {
    jsonout_free(&pg.out);
    return reply_problem(rq, PROBLEM_NOT_FOUND, NO_CAMPAIGN, NULL);
  }
  return page_reply_read(rq, &pg, st, ENTRIES_CURSOR);
}

static enum MHD_Result decide(struct http_request *rq, bool approve, const char *reason)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_campaign_entry_decide(rq->session.account.id, rq->ids[0], rq->ids[1], approve, reason,
                               clock_now_us(), code, campaign_reply_write, &out);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_OK, "no such entry in this campaign");
}

enum MHD_Result h_campaigns_entry_approve(struct http_request *rq)
{
  return decide(rq, true, NULL);
}

enum MHD_Result h_campaigns_entry_reject(struct http_request *rq)
{
  const char *reason = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("reason", &reason, 1, REASON_MAX, JSONIN_REQUIRED, .check = jsonin_not_blank),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return decide(rq, false, reason);
}
