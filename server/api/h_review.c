/* The platform's order review, for reviewers only:
 *   POST /v1/review/orders/{id}/hold     {"reason", "note"?}
 *   POST /v1/review/orders/{id}/release  {"note"?}
 *   POST /v1/review/orders/{id}/close    {"reason"}   closes and refunds in full
 *   POST /v1/review/orders/{id}/extend   {"hours", "note"}
 *   GET  /v1/review/orders               the queue, earliest deadline first
 *   GET  /v1/review/orders/{id}/history  every review action, oldest first
 * Reviewers act on any shop's orders, so there is no tenancy check: an
 * order that does not exist is 404. The rules (what can be held, one
 * refund under concurrent closes, shipping refused while held) live in the
 * SQL functions these call. */
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "review.h"
#include "view.h"

#include <string.h>

/* The cursor kind of the queue: (review_deadline, id) ascending. */
#define REVIEW_CURSOR 'r'

/* The members an action's reply and a queue item share. */
static void write_review_order(struct jsonout *j, const struct db_review_order *o)
{
  jsonout_field_int(j, "order_id", o->id);
  jsonout_field_string(j, "order_sn", o->order_sn);
  jsonout_field_string(j, "status", o->status);
  jsonout_key(j, "review");
  view_review(j, o->review_status, o->review_reason, o->review_deadline);
}

/* db_review_order_fn: writes the reply to an action. */
static void write_outcome(const struct db_review_order *o, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  write_review_order(j, o);
  if (o->refund_cents >= 0) {
    jsonout_key(j, "refund");
    jsonout_begin_object(j);
    jsonout_field_int(j, "amount_cents", o->refund_cents);
    jsonout_end_object(j);
  }
  jsonout_end_object(j);
}

static const char *refusal_detail(enum db_review_action action, const char *code)
{
  if (strcmp(code, "not_found") == 0)
    return "no such order";
  if (strcmp(code, "already_under_review") == 0)
    return "the order is already under review";
  if (strcmp(code, "invalid_state") == 0)
    return action == DB_REVIEW_HOLD ? "only a paid order that is not shipped can be held"
                                    : "the order is not under review";
  return NULL;
}

/* Runs the action on the path's order and answers with the order's review
 * as the action left it, or with the refusal. */
static enum MHD_Result act(struct http_request *rq, struct db_review_request *r)
{
  r->reviewer_id = rq->session.account.id;
  r->order_id = rq->ids[0];
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout outcome = JSONOUT_INIT;
  enum db_status st = db_review_act(r, clock_now_us(), code, write_outcome, &outcome);
  if (st >= DB_NONE && strcmp(code, "ok") == 0)
    return reply_jsonout(rq, MHD_HTTP_OK, &outcome);
  jsonout_free(&outcome);
  return st < DB_NONE ? reply_db_error(rq, st)
                      : reply_problem_code(rq, code, refusal_detail(r->action, code));
}

#define FIELD_REASON(out)                                                                          \
  JSONIN_TEXT("reason", out, 1, 500, JSONIN_REQUIRED, .check = jsonin_not_blank)
#define FIELD_NOTE(required, out)                                                                  \
  JSONIN_TEXT("note", out, 1, 1000, (required) ? JSONIN_REQUIRED : JSONIN_NULLABLE,                \
              .check = jsonin_not_blank)

static enum MHD_Result read_and_act(struct http_request *rq, const struct jsonin_field *fields,
                                    size_t count, struct db_review_request *r)
{
  enum http_step step = jsonin_read(rq, fields, count);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return act(rq, r);
}

enum MHD_Result h_review_hold(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_HOLD};
  const struct jsonin_field fields[] = {FIELD_REASON(&r.reason), FIELD_NOTE(false, &r.note)};
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

enum MHD_Result h_review_release(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_RELEASE};
  const struct jsonin_field fields[] = {FIELD_NOTE(false, &r.note)};
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

enum MHD_Result h_review_close(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_CLOSE};
  const struct jsonin_field fields[] = {FIELD_REASON(&r.reason)};
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

enum MHD_Result h_review_extend(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_EXTEND};
  const struct jsonin_field fields[] = {
      JSONIN_INT("hours", &r.hours, 1, 168, JSONIN_REQUIRED),
      FIELD_NOTE(true, &r.note),
  };
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

static void add_order(const struct db_review_order *o, void *arg)
{
  struct page *pg = arg;
  if (!page_row(pg))
    return;
  struct jsonout *j = &pg->out;
  jsonout_begin_object(j);
  write_review_order(j, o);
  jsonout_field_int(j, "shop_id", o->shop_id);
  jsonout_field_int(j, "total_cents", o->total_cents);
  jsonout_field_time_or_null(j, "paid_at", o->paid_at);
  jsonout_field_time_or_null(j, "grouped_at", o->grouped_at);
  jsonout_field_time_or_null(j, "held_at", o->held_at);
  /* What the reviewer judges a suspicious order by: where it goes, in
   * full (the merchant sees it masked while the order is held), and the
   * buyer's note. */
  view_address(j, o->addr_name, o->addr_phone, o->addr_province, o->addr_city, o->addr_district,
               o->addr_detail);
  jsonout_field_string(j, "note", o->note);
  jsonout_end_object(j);
  pg->last = (struct cursor){o->review_deadline, o->id};
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

enum MHD_Result h_review_queue(struct http_request *rq)
{
  static const char *const statuses[] = {"under_review", "released", "closed", NULL};
  int status = 0;
  bool overdue = false;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      QUERY_ENUM("status", &status, statuses),
      QUERY_BOOL("overdue", &overdue),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  struct cursor after = {CLOCK_TIME_MIN, 0}; /* no cursor: from the earliest deadline */
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, REVIEW_CURSOR, cursor_text, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_review_queue(statuses[status], overdue ? clock_now_us() : CLOCK_TIME_MAX,
                                      clamp(after.key, CLOCK_TIME_MIN, CLOCK_TIME_MAX), after.id,
                                      limit + 1, add_order, &pg);
  return page_reply_read(rq, &pg, st, REVIEW_CURSOR);
}

/* db_review_entry_fn: one item of the history; a NULL actor is the system. */
static void add_action(const struct db_review_entry *a, void *arg)
{
  json_t *actor = a->actor_id != 0 ? json_pack("{s:I, s:s?}", "id", (json_int_t)a->actor_id,
                                               "username", a->actor_username)
                                   : json_null();
  json_array_append_new(
      arg, json_pack("{s:I, s:s, s:o, s:s?, s:s?, s:o, s:o}", "id", (json_int_t)a->id, "action",
                     a->action, "actor", actor, "reason", a->reason, "note", a->note, "deadline",
                     view_time_or_null(a->deadline), "created_at", view_time(a->created_at)));
}

enum MHD_Result h_review_history(struct http_request *rq)
{
  json_t *items = json_array();
  if (items == NULL)
    return MHD_NO;
  enum db_status st = db_review_history(rq->ids[0], add_action, items);
  if (st <= DB_NONE) {
    json_decref(items);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such order", NULL);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:o}", "items", items));
}
