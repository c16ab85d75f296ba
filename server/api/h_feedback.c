/* Feedback (意见反馈, docs/support.md):
 *   POST /v1/feedback                         merchant: {"category", "text", "shop_id"?,
 *                                             "image_ids"?, "app_version"?, "device"?}
 *   GET  /v1/feedback                         merchant: their own, newest first
 *   GET  /v1/feedback/{id}                    merchant: one of theirs with its replies
 *   GET  /v1/platform/feedback?status=&category=&shop_id=   staff (support): everyone's
 *   GET  /v1/platform/feedback/{id}           staff (support): one with its replies
 *   POST /v1/platform/feedback/{id}/replies   staff (support): {"text"}
 *   POST /v1/platform/feedback/{id}/close     staff (support)
 * Another merchant's feedback answers 404 like a missing one; the SQL
 * functions (db/sql/feedback_*.sql) keep status and reply_count exact
 * under concurrent replies and closes. */
#include "clock.h"
#include "feedback.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CURSOR_MY_FEEDBACK       'F'
#define CURSOR_PLATFORM_FEEDBACK 'G'

#define TEXT_MIN        5
#define TEXT_MAX        2000
#define REPLY_MAX       2000
#define APP_VERSION_MAX 32
#define DEVICE_MAX      128

/* The categories, fixed so that staff can route them; docs/openapi.yaml
 * and docs/support.md list them with their Chinese names. */
static const char *const categories[] = {"bug",     "suggestion", "orders", "funds",
                                         "account", "other",      NULL};
static const char *const statuses[] = {"open", "replied", "closed", NULL};

static const char *category_problem(const char *s)
{
  for (size_t i = 0; categories[i] != NULL; i++)
    if (strcmp(s, categories[i]) == 0)
      return NULL;
  return "must be one of bug, suggestion, orders, funds, account, other";
}

/* A reply being written, and for whom: staff see who replied and who
 * wrote the feedback. */
struct out {
  struct page page;
  bool staff;
  bool replies; /* the detail: "replies": [ is open after the feedback */
};

static void write_feedback(struct jsonout *j, const struct db_feedback *f, bool staff)
{
  jsonout_field_int(j, "id", f->id);
  if (staff) {
    jsonout_key(j, "merchant");
    jsonout_begin_object(j);
    jsonout_field_int(j, "id", f->merchant_id);
    jsonout_field_string(j, "name", f->merchant_name);
    jsonout_end_object(j);
  }
  jsonout_key(j, "shop");
  if (f->shop_id != 0) {
    jsonout_begin_object(j);
    jsonout_field_int(j, "id", f->shop_id);
    jsonout_field_string(j, "name", f->shop_name);
    jsonout_end_object(j);
  } else {
    jsonout_null(j);
  }
  jsonout_field_string(j, "category", f->category);
  jsonout_field_string(j, "text", f->text);
  jsonout_key(j, "images");
  jsonout_raw(j, f->images);
  jsonout_key(j, "app_version");
  if (f->app_version != NULL)
    jsonout_string(j, f->app_version);
  else
    jsonout_null(j);
  jsonout_key(j, "device");
  if (f->device != NULL)
    jsonout_string(j, f->device);
  else
    jsonout_null(j);
  jsonout_field_string(j, "status", f->status);
  jsonout_field_int(j, "reply_count", f->reply_count);
  jsonout_field_time(j, "created_at", f->created_at);
  jsonout_field_time(j, "updated_at", f->updated_at);
  jsonout_field_time_or_null(j, "closed_at", f->closed_at);
}

static void add_feedback(const struct db_feedback *f, void *arg)
{
  struct out *o = arg;
  if (!page_row_by_id(&o->page, f->id))
    return;
  jsonout_begin_object(&o->page.out);
  write_feedback(&o->page.out, f, o->staff);
  jsonout_end_object(&o->page.out);
}

/* The detail: the feedback, then its replies as they come. */
static void set_feedback(const struct db_feedback *f, void *arg)
{
  struct out *o = arg;
  jsonout_begin_object(&o->page.out);
  write_feedback(&o->page.out, f, o->staff);
  if (o->replies) {
    jsonout_key(&o->page.out, "replies");
    jsonout_begin_array(&o->page.out);
  }
}

static void add_reply(const struct db_feedback_reply *r, void *arg)
{
  struct out *o = arg;
  struct jsonout *j = &o->page.out;
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", r->id);
  if (o->staff)
    jsonout_field_int(j, "staff_id", r->staff_id);
  jsonout_field_string(j, "text", r->text);
  jsonout_field_time(j, "created_at", r->created_at);
  jsonout_end_object(j);
}

static enum MHD_Result no_feedback(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "no such feedback", NULL);
}

/* image_ids[i]: each image once, collected into ids. */
struct images_in {
  int64_t id;
  int64_t ids[DB_FEEDBACK_IMAGES_MAX];
  size_t count;
};

static void image_id_each(struct jsonin_at *at, void *arg)
{
  struct images_in *m = arg;
  if (!at->valid)
    return;
  for (size_t k = 0; k < m->count; k++)
    if (m->ids[k] == m->id) {
      jsonin_at_error(at, NULL, "must not repeat an image");
      return;
    }
  if (m->count < DB_FEEDBACK_IMAGES_MAX)
    m->ids[m->count++] = m->id;
}

enum MHD_Result h_feedback_create(struct http_request *rq)
{
  const char *category = NULL, *text = NULL, *app_version = NULL, *device = NULL;
  int64_t shop_id = 0;
  struct images_in images = {0};
  const struct jsonin_field image_id = JSONIN_INT(NULL, &images.id, 1, INT64_MAX, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("category", &category, 1, 20, JSONIN_REQUIRED, .check = category_problem),
      JSONIN_TEXT("text", &text, TEXT_MIN, TEXT_MAX, JSONIN_REQUIRED, .check = jsonin_not_blank),
      JSONIN_INT("shop_id", &shop_id, 1, INT64_MAX, JSONIN_OPTIONAL),
      JSONIN_ARRAY("image_ids", &image_id, 0, DB_FEEDBACK_IMAGES_MAX,
                   JSONIN_OPTIONAL | JSONIN_WHOLE, .each = image_id_each, .arg = &images),
      JSONIN_TEXT("app_version", &app_version, 1, APP_VERSION_MAX, JSONIN_OPTIONAL,
                  .check = jsonin_not_blank),
      JSONIN_TEXT("device", &device, 1, DEVICE_MAX, JSONIN_OPTIONAL, .check = jsonin_not_blank),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  /* The images as a SQL array text, "{1,2}". */
  char list[DB_FEEDBACK_IMAGES_MAX * 21 + 3] = "{";
  size_t used = 1;
  for (size_t i = 0; i < images.count; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%" PRId64, i ? "," : "",
                             images.ids[i]);
  snprintf(list + used, sizeof list - used, "}");

  struct db_feedback_draft d = {category, text, list, app_version, device, shop_id};
  char code[DB_RESULT_CODE_SIZE], field[DB_RESULT_CODE_SIZE];
  struct out o = {.page.out = JSONOUT_INIT};
  enum db_status st =
      db_feedback_create(rq->session.account.id, &d, clock_now_us(), code, field, set_feedback, &o);
  if (st >= DB_NONE && strcmp(code, "invalid_field") == 0) {
    jsonout_free(&o.page.out);
    bool shop = strcmp(field, "shop_id") == 0;
    return reply_problem(
        rq, PROBLEM_INVALID_FIELD,
        shop ? "the shop is not one of yours" : "an image is not one of yours",
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message",
                  shop ? "is not one of your shops" : "is not an image of one of your shops"));
  }
  if (st < DB_NONE || o.page.out.len == 0) {
    jsonout_free(&o.page.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  jsonout_end_object(&o.page.out);
  return reply_jsonout(rq, MHD_HTTP_CREATED, &o.page.out);
}

/* A list: the merchant's own (merchant_id), or everyone's with filters. */
static enum MHD_Result list(struct http_request *rq, bool staff)
{
  int status = -1, category = -1;
  const char *cursor = NULL;
  int64_t limit = QUERY_LIMIT_DEFAULT, shop_id = 0;
  struct cursor after = {0, INT64_MAX};
  const struct query_param params[] = {
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
      QUERY_ENUM("status", &status, statuses),
      QUERY_ENUM("category", &category, categories),
      QUERY_INT("shop_id", &shop_id, 1, INT64_MAX),
  };
  char kind = staff ? CURSOR_PLATFORM_FEEDBACK : CURSOR_MY_FEEDBACK;
  enum http_step step = query_read(rq, params, staff ? QUERY_COUNT(params) : 2);
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, kind, cursor, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_feedback_page p = {
      .merchant_id = staff ? 0 : rq->session.account.id,
      .shop_id = shop_id,
      .status = status >= 0 ? statuses[status] : NULL,
      .category = category >= 0 ? categories[category] : NULL,
      .before_id = after.id,
      .limit = (int)limit + 1,
  };
  struct out o = {.staff = staff};
  page_begin(&o.page, limit);
  enum db_status st = db_feedback_page(&p, add_feedback, &o);
  return page_reply_read(rq, &o.page, st, kind);
}

enum MHD_Result h_feedback_list(struct http_request *rq)
{
  return list(rq, false);
}

enum MHD_Result h_feedback_platform_list(struct http_request *rq)
{
  return list(rq, true);
}

static enum MHD_Result detail(struct http_request *rq, bool staff, unsigned status)
{
  struct out o = {.page.out = JSONOUT_INIT, .staff = staff, .replies = true};
  enum db_status st =
      db_feedback_get(staff ? 0 : rq->session.account.id, rq->ids[0], set_feedback, add_reply, &o);
  if (st <= DB_NONE || o.page.out.len == 0) {
    jsonout_free(&o.page.out);
    return st < DB_NONE ? reply_db_error(rq, st) : no_feedback(rq);
  }
  jsonout_end_array(&o.page.out);
  jsonout_end_object(&o.page.out);
  return reply_jsonout(rq, status, &o.page.out);
}

enum MHD_Result h_feedback_get(struct http_request *rq)
{
  return detail(rq, false, MHD_HTTP_OK);
}

enum MHD_Result h_feedback_platform_get(struct http_request *rq)
{
  return detail(rq, true, MHD_HTTP_OK);
}

enum MHD_Result h_feedback_reply(struct http_request *rq)
{
  const char *text = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("text", &text, 1, REPLY_MAX, JSONIN_REQUIRED, .check = jsonin_not_blank),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  int64_t reply_id;
  enum db_status st =
      db_feedback_reply(rq->session.account.id, rq->ids[0], text, clock_now_us(), code, &reply_id);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0)
    return no_feedback(rq);
  if (strcmp(code, "invalid_state") == 0)
    return reply_problem(rq, PROBLEM_INVALID_STATE, "the feedback is closed", NULL);
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code, NULL);
  /* The feedback as it is now, the new reply last. */
  return detail(rq, true, MHD_HTTP_CREATED);
}

enum MHD_Result h_feedback_close(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st = db_feedback_close(rq->session.account.id, rq->ids[0], clock_now_us(), code);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0)
    return no_feedback(rq);
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code, NULL);
  return detail(rq, true, MHD_HTTP_OK);
}
