/* Merchant growth (商家成长, docs/growth.md):
 * staff with the permission growth define tasks and medals:
 *   POST  /v1/platform/growth/tasks          {"key", "title", "description"?, "group",
 *                                             "position"?, "condition", "active"?}
 *   GET   /v1/platform/growth/tasks          ?group&limit&cursor, by id
 *   GET   /v1/platform/growth/tasks/{id}
 *   PATCH /v1/platform/growth/tasks/{id}     any of the fields
 *   POST  /v1/platform/growth/medals         {"key", "name", "description"?, "task_keys",
 *                                             "privileges"?, "active"?}
 *   GET   /v1/platform/growth/medals         ?limit&cursor, by id
 *   GET   /v1/platform/growth/medals/{id}
 *   PATCH /v1/platform/growth/medals/{id}    any of the fields
 * and a merchant reads a shop's:
 *   GET   /v1/shops/{id}/growth              ?group: tasks with progress (the starter group
 *                                             is the new shop's onboarding checklist)
 *   GET   /v1/shops/{id}/medals              the medal hall: earned and not yet, what is missing
 * Progress comes only from the job evaluate_growth (growth_evaluate.sql,
 * growth_sweep.sql), never from a request. Fields are checked here, the
 * rest is the SQL functions'; replies carry the JSON the database built,
 * answered by the campaign handlers' helpers (campaign_reply.h), which do
 * the same. */
#include "campaign_reply.h"
#include "clock.h"
#include "growth.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"

#include <stdlib.h>
#include <string.h>

#define TASKS_CURSOR  'd'
#define MEDALS_CURSOR 'm'
#define NO_TASK       "no such growth task"
#define NO_MEDAL      "no such medal"
#define NO_SHOP       "no such shop"
#define KEY_MAX       40
#define MEDAL_TASKS   20

static const char *const groups[] = {"starter", "marketing", "service", "fulfilment", NULL};

static const char *group_problem(const char *s)
{
  for (size_t i = 0; groups[i] != NULL; i++)
    if (strcmp(s, groups[i]) == 0)
      return NULL;
  return "must be starter, marketing, service or fulfilment";
}

/* A key: a lowercase letter, then lowercase letters, digits and _. */
static const char *key_problem(const char *s)
{
  if (s[0] < 'a' || s[0] > 'z' || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
    return "must be a lowercase letter followed by lowercase letters, digits or _";
  return NULL;
}

/* The condition catalogue (docs/growth.md "Conditions") and the
 * parameters each kind takes: a required one, allowed ones. */
struct condition_kind {
  const char *kind;
  bool count, hours, percent, days; /* allowed */
  bool count_required, percent_required;
};

static const struct condition_kind kinds[] = {
    {"product_on_sale", true, false, false, false, false, false},
    {"auto_reply_configured", false, false, false, false, false, false},
    {"order_shipped_fast", true, true, false, false, false, false},
    {"orders_shipped", true, false, false, false, true, false},
    {"coupons_created", true, false, false, false, false, false},
    {"campaign_entries_approved", true, false, false, false, false, false},
    {"live_coupon_pushed", true, false, false, false, false, false},
    {"reply_rate_3min", false, false, true, true, false, true},
};

static const struct condition_kind *kind_of(const char *s)
{
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(s, kinds[i].kind) == 0)
      return &kinds[i];
  return NULL;
}

static const char *kind_problem(const char *s)
{
  return kind_of(s) != NULL ? NULL
                            : "must be product_on_sale, auto_reply_configured, "
                              "order_shipped_fast, orders_shipped, coupons_created, "
                              "campaign_entries_approved, live_coupon_pushed or reply_rate_3min";
}

/* The parameters a condition of this kind may and must have. */
static void condition_rules(struct jsonin_errors *e, const char *kind, const bool has[4])
{
  const struct condition_kind *k = kind != NULL ? kind_of(kind) : NULL;
  if (k == NULL)
    return;
  const char *names[] = {"condition.count", "condition.hours", "condition.percent",
                         "condition.days"};
  const bool allowed[] = {k->count, k->hours, k->percent, k->days};
  for (int i = 0; i < 4; i++)
    if (has[i] && !allowed[i])
      jsonin_error(e, names[i], "is not a parameter of %s", kind);
  if (k->count_required && !has[0])
    jsonin_error(e, names[0], "is required for %s", kind);
  if (k->percent_required && !has[2])
    jsonin_error(e, names[2], "is required for %s", kind);
}

/* A task body; create says whether the required fields must be there. */
static enum http_step read_task(struct http_request *rq, bool create)
{
  unsigned fl = create ? JSONIN_REQUIRED : JSONIN_OPTIONAL;
  const char *key = NULL, *title = NULL, *description = NULL, *group = NULL, *kind = NULL;
  int64_t position, count, hours, percent, days;
  bool active, has[4] = {false, false, false, false};
  const struct jsonin_field condition[] = {
      JSONIN_TEXT("kind", &kind, 1, 40, JSONIN_REQUIRED, .check = kind_problem),
      JSONIN_INT("count", &count, 1, 100000, JSONIN_OPTIONAL, .present = &has[0]),
      JSONIN_INT("hours", &hours, 1, 720, JSONIN_OPTIONAL, .present = &has[1]),
      JSONIN_INT("percent", &percent, 1, 100, JSONIN_OPTIONAL, .present = &has[2]),
      JSONIN_INT("days", &days, 1, 30, JSONIN_OPTIONAL, .present = &has[3]),
  };
  const struct jsonin_spec condition_spec = JSONIN_SPEC(condition);
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("key", &key, 1, KEY_MAX, fl, .check = key_problem),
      JSONIN_TEXT("title", &title, 1, 60, fl, .check = jsonin_not_blank),
      JSONIN_TEXT("description", &description, 0, 500, JSONIN_OPTIONAL),
      JSONIN_TEXT("group", &group, 1, 16, fl, .check = group_problem),
      JSONIN_INT("position", &position, 0, 1000, JSONIN_OPTIONAL),
      JSONIN_OBJECT("condition", &condition_spec, fl),
      JSONIN_BOOL("active", &active, JSONIN_OPTIONAL),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return HTTP_STEP_FAILED;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  condition_rules(&e, kind, has);
  if (!create && json_object_size(rq->json) == 0)
    jsonin_error(&e, "body", "must change at least one field");
  return jsonin_finish(rq, &e);
}

static enum http_step read_medal(struct http_request *rq, bool create)
{
  unsigned fl = create ? JSONIN_REQUIRED : JSONIN_OPTIONAL;
  const char *key = NULL, *name = NULL, *description = NULL, *task_key = NULL;
  int64_t quick_replies, coupon_batch, campaign_products;
  bool active;
  const struct jsonin_field privileges[] = {
      JSONIN_INT("quick_replies", &quick_replies, 0, 500, JSONIN_OPTIONAL),
      JSONIN_INT("coupon_batch_products", &coupon_batch, 0, 1500, JSONIN_OPTIONAL),
      JSONIN_INT("campaign_products", &campaign_products, 0, 100, JSONIN_OPTIONAL),
  };
  const struct jsonin_spec privileges_spec = JSONIN_SPEC(privileges);
  const struct jsonin_field task_key_field =
      JSONIN_TEXT(NULL, &task_key, 1, KEY_MAX, JSONIN_REQUIRED, .check = key_problem);
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("key", &key, 1, KEY_MAX, fl, .check = key_problem),
      JSONIN_TEXT("name", &name, 1, 30, fl, .check = jsonin_not_blank),
      JSONIN_TEXT("description", &description, 0, 500, JSONIN_OPTIONAL),
      JSONIN_ARRAY("task_keys", &task_key_field, 1, MEDAL_TASKS, fl),
      JSONIN_OBJECT("privileges", &privileges_spec, JSONIN_OPTIONAL),
      JSONIN_BOOL("active", &active, JSONIN_OPTIONAL),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return HTTP_STEP_FAILED;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  if (!create && json_object_size(rq->json) == 0)
    jsonin_error(&e, "body", "must change at least one field");
  return jsonin_finish(rq, &e);
}

/* A save's reply: the object, or the problem its code names. */
static enum MHD_Result saved(struct http_request *rq, enum db_status st, const char *code,
                             struct jsonout *out, unsigned status, const char *missing)
{
  if (st >= DB_NONE && strcmp(code, "invalid_field") == 0 && out->len > 0) {
    /* {"errors": [...]}: task keys that name no task. */
    size_t len;
    char *text = jsonout_take(out, &len);
    json_t *extra = text != NULL ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    if (extra == NULL)
      return MHD_NO;
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more task keys name no task", extra);
  }
  if (st >= DB_NONE && strcmp(code, "key_taken") == 0) {
    jsonout_free(out);
    return reply_problem(rq, PROBLEM_KEY_TAKEN, "another one has this key", NULL);
  }
  return campaign_reply_coded(rq, st, code, out, status, missing);
}

static char *body_text(struct http_request *rq)
{
  return json_dumps(rq->json, JSON_COMPACT);
}

typedef enum db_status save_fn(int64_t id, const char *body_json, int64_t staff_id, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], db_growth_json_fn *fn, void *arg);

static enum MHD_Result save(struct http_request *rq, save_fn *fn, int64_t id, unsigned status,
                            const char *missing)
{
  char *body = body_text(rq);
  if (body == NULL)
    return MHD_NO;
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      fn(id, body, rq->session.account.id, clock_now_us(), code, campaign_reply_write, &out);
  free(body);
  return saved(rq, st, code, &out, status, missing);
}

enum MHD_Result h_growth_tasks_create(struct http_request *rq)
{
  enum http_step step = read_task(rq, true);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return save(rq, db_growth_task_save, 0, MHD_HTTP_CREATED, NO_TASK);
}

enum MHD_Result h_growth_tasks_update(struct http_request *rq)
{
  enum http_step step = read_task(rq, false);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return save(rq, db_growth_task_save, rq->ids[0], MHD_HTTP_OK, NO_TASK);
}

enum MHD_Result h_growth_tasks_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_growth_task_get(rq->ids[0], campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_TASK);
}

enum MHD_Result h_growth_tasks_list(struct http_request *rq)
{
  int group = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  struct cursor after = {0, 0};
  const struct query_param params[] = {QUERY_ENUM("group", &group, groups), QUERY_LIMIT(&limit),
                                       QUERY_CURSOR(&cursor_text)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, TASKS_CURSOR, cursor_text, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_growth_tasks_page(group >= 0 ? groups[group] : NULL, after.id,
                                           (int)limit + 1, campaign_reply_row, &pg);
  return page_reply_read(rq, &pg, st, TASKS_CURSOR);
}

enum MHD_Result h_growth_medals_create(struct http_request *rq)
{
  enum http_step step = read_medal(rq, true);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return save(rq, db_growth_medal_save, 0, MHD_HTTP_CREATED, NO_MEDAL);
}

enum MHD_Result h_growth_medals_update(struct http_request *rq)
{
  enum http_step step = read_medal(rq, false);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return save(rq, db_growth_medal_save, rq->ids[0], MHD_HTTP_OK, NO_MEDAL);
}

enum MHD_Result h_growth_medals_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_growth_medal_get(rq->ids[0], campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_MEDAL);
}

enum MHD_Result h_growth_medals_list(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, MEDALS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_growth_medals_page(after.id, (int)limit + 1, campaign_reply_row, &pg);
  return page_reply_read(rq, &pg, st, MEDALS_CURSOR);
}

enum MHD_Result h_growth_shop(struct http_request *rq)
{
  int group = -1;
  const struct query_param params[] = {QUERY_ENUM("group", &group, groups)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_growth_shop(rq->session.account.id, rq->ids[0],
                                     group >= 0 ? groups[group] : NULL, campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_SHOP);
}

enum MHD_Result h_growth_shop_medals(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_growth_shop_medals(rq->session.account.id, rq->ids[0], campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_SHOP);
}
