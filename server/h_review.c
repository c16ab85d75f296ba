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
#include "query.h"
#include "reply.h"
#include "review.h"
#include "view.h"

#include <string.h>

/* The cursor kind of the queue: (review_deadline, id) ascending. */
#define REVIEW_CURSOR 'r'

/* Times no order reaches: 0001-01-01 and 10000-01-01, UTC. A cursor's key
 * is clamped to them, so a forged one cannot overflow the SQL conversion. */
#define TIME_MIN INT64_C(-62135596800000000)
#define TIME_MAX INT64_C(253402300800000000)

/* The review object: the message is shown only while the order is held. */
static json_t *review_json(const struct db_review_order *o)
{
  bool held = o->review_status != NULL && strcmp(o->review_status, "under_review") == 0;
  return json_pack("{s:s?, s:s?, s:o, s:s?}", "status", o->review_status, "reason",
                   o->review_reason, "deadline", view_time_or_null(o->review_deadline), "message",
                   held ? REVIEW_HOLD_MESSAGE : NULL);
}

/* db_review_order_fn: keeps the reply to an action. */
static void keep_outcome(const struct db_review_order *o, void *arg)
{
  json_t *j = json_pack("{s:I, s:s, s:s, s:o}", "order_id", (json_int_t)o->id, "order_sn",
                        o->order_sn, "status", o->status, "review", review_json(o));
  if (j != NULL && o->refund_cents >= 0)
    json_object_set_new(j, "refund",
                        json_pack("{s:I}", "amount_cents", (json_int_t)o->refund_cents));
  *(json_t **)arg = j;
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
  json_t *outcome = NULL;
  enum db_status st = db_review_act(r, clock_now_us(), code, keep_outcome, &outcome);
  if (st < DB_NONE || strcmp(code, "ok") != 0) {
    json_decref(outcome);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem_code(rq, code, refusal_detail(r->action, code));
  }
  return reply_json_steal(rq, MHD_HTTP_OK, outcome);
}

static const char *not_blank(const char *s)
{
  return s[strspn(s, " \t\r\n")] == '\0' ? "must not be blank" : NULL;
}

#define FIELD_REASON(out)                                                                          \
  {                                                                                                \
    "reason", JSONIN_TEXT, true, false, 1, 500, (out), NULL, not_blank                             \
  }
#define FIELD_NOTE(required, out)                                                                  \
  {                                                                                                \
    "note", JSONIN_TEXT, (required), !(required), 1, 1000, (out), NULL, not_blank                  \
  }

static enum MHD_Result read_and_act(struct http_request *rq, const struct jsonin_field *fields,
                                    size_t count, struct db_review_request *r)
{
  enum http_step step = jsonin_read(rq, fields, count);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return act(rq, r);
}

enum MHD_Result review_order_hold(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_HOLD};
  const struct jsonin_field fields[] = {FIELD_REASON(&r.reason), FIELD_NOTE(false, &r.note)};
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

enum MHD_Result review_order_release(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_RELEASE};
  const struct jsonin_field fields[] = {FIELD_NOTE(false, &r.note)};
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

enum MHD_Result review_order_close(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_CLOSE};
  const struct jsonin_field fields[] = {FIELD_REASON(&r.reason)};
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

enum MHD_Result review_order_extend(struct http_request *rq)
{
  struct db_review_request r = {.action = DB_REVIEW_EXTEND};
  const struct jsonin_field fields[] = {
      {"hours", JSONIN_INT, true, false, 1, 168, &r.hours, NULL, NULL},
      FIELD_NOTE(true, &r.note),
  };
  return read_and_act(rq, fields, sizeof fields / sizeof fields[0], &r);
}

struct page {
  json_t *items;
  int64_t limit;
  struct cursor last; /* of the last item shown */
  bool more;          /* a row past the limit came back */
  bool failed;        /* an item could not be built */
};

static void add_order(const struct db_review_order *o, void *arg)
{
  struct page *pg = arg;
  if ((int64_t)json_array_size(pg->items) == pg->limit) {
    pg->more = true;
    return;
  }
  json_t *j = json_pack(
      "{s:I, s:s, s:I, s:s, s:o, s:I, s:o, s:o, s:o}", "order_id", (json_int_t)o->id, "order_sn",
      o->order_sn, "shop_id", (json_int_t)o->shop_id, "status", o->status, "review", review_json(o),
      "total_cents", (json_int_t)o->total_cents, "paid_at", view_time_or_null(o->paid_at),
      "grouped_at", view_time_or_null(o->grouped_at), "held_at", view_time_or_null(o->held_at));
  if (json_array_append_new(pg->items, j) != 0)
    pg->failed = true;
  pg->last = (struct cursor){o->review_deadline, o->id};
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

enum MHD_Result review_orders_list(struct http_request *rq)
{
  static const char *const statuses[] = {"under_review", "released", "closed", NULL};
  int status = 0;
  bool overdue = false;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      {"status", QUERY_ENUM, 0, 0, &status, statuses, NULL},
      {"overdue", QUERY_BOOL, 0, 0, &overdue, NULL, NULL},
      QUERY_PARAM_LIMIT(&limit),
      QUERY_PARAM_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  struct cursor after = {TIME_MIN, 0}; /* no cursor: from the earliest deadline */
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, REVIEW_CURSOR, cursor_text, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  /* One row past the page tells whether there is a next one. */
  struct page pg = {json_array(), limit, {0, 0}, false, false};
  if (pg.items == NULL)
    return MHD_NO;
  enum db_status st =
      db_review_queue(statuses[status], overdue ? clock_now_us() : TIME_MAX,
                      clamp(after.key, TIME_MIN, TIME_MAX), after.id, limit + 1, add_order, &pg);
  if (st < DB_NONE || pg.failed) {
    json_decref(pg.items);
    return pg.failed ? reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL)
                     : reply_db_error(rq, st);
  }
  json_t *next = json_null();
  if (pg.more) {
    char text[CURSOR_TEXT_SIZE];
    cursor_encode(REVIEW_CURSOR, &pg.last, text);
    next = json_string(text);
  }
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:o, s:o}", "items", pg.items, "next_cursor", next));
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

enum MHD_Result review_order_history(struct http_request *rq)
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
