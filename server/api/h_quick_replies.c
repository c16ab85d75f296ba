/* A shop's quick replies (saved answers sent with one tap):
 *   GET    /v1/shops/{id}/quick-replies       every live one, by group, position, id
 *   POST   /v1/shops/{id}/quick-replies       {"text", "group"?, "position"?}
 *   PATCH  /v1/shops/{id}/quick-replies/{id}  any of the three
 *   DELETE /v1/shops/{id}/quick-replies/{id}  marks it deleted
 * A shop has at most DB_QUICK_REPLIES_CEILING, so the list needs no paging.
 * Every query names the calling merchant next to the shop: another
 * merchant's shop or quick reply answers 404 in the same round trip. */
#include "chat_replies.h"
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "reply.h"
#include "view.h"

#include <string.h>

#define QUICK_REPLY_TEXT_MAX     500
#define QUICK_REPLY_GROUP_MAX    50
#define QUICK_REPLY_POSITION_MAX 10000

static json_t *view_quick_reply(const struct db_quick_reply *q)
{
  return json_pack("{s:I, s:s, s:s, s:I, s:o, s:o}", "id", (json_int_t)q->id, "text", q->text,
                   "group", q->group, "position", (json_int_t)q->position, "created_at",
                   view_time(q->created_at), "updated_at", view_time(q->updated_at));
}

/* What the callbacks write into. */
struct quick_reply_out {
  json_t *items; /* the list */
  json_t *one;   /* update: the changed quick reply */
  bool failed;   /* a JSON value could not be made */
};

static void add_quick_reply(const struct db_quick_reply *q, void *arg)
{
  struct quick_reply_out *out = arg;
  if (json_array_append_new(out->items, view_quick_reply(q)) != 0)
    out->failed = true;
}

static void set_quick_reply(const struct db_quick_reply *q, void *arg)
{
  struct quick_reply_out *out = arg;
  out->one = view_quick_reply(q);
  out->failed = out->one == NULL;
}

/* The reply for a query that found nothing, failed, or whose JSON could
 * not be made. */
static enum MHD_Result quick_reply_problem(struct http_request *rq, enum db_status st,
                                           const char *what)
{
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, what, NULL);
  return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
}

enum MHD_Result h_quick_replies_list(struct http_request *rq)
{
  struct quick_reply_out out = {.items = json_array()};
  if (out.items == NULL)
    return MHD_NO;
  enum db_status st =
      db_quick_replies_of_shop(rq->session.account.id, rq->ids[0], add_quick_reply, &out);
  if (st <= DB_NONE || out.failed) {
    json_decref(out.items);
    return quick_reply_problem(rq, st, "no such shop");
  }
  /* The list shape every list has; there is never a next page. */
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:o, s:n}", "items", out.items, "next_cursor"));
}

enum MHD_Result h_quick_replies_create(struct http_request *rq)
{
  const char *text = NULL, *group = "";
  int64_t position = 0;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("text", &text, 1, QUICK_REPLY_TEXT_MAX, JSONIN_REQUIRED,
                  .check = jsonin_not_blank),
      JSONIN_TEXT("group", &group, 0, QUICK_REPLY_GROUP_MAX, JSONIN_OPTIONAL),
      JSONIN_INT("position", &position, 0, QUICK_REPLY_POSITION_MAX, JSONIN_OPTIONAL),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  int64_t now = clock_now_us(), id = 0;
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st =
      db_quick_reply_add(rq->session.account.id, rq->ids[0], text, group, position, now, code, &id);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE || strcmp(code, "not_found") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code, "the shop has as many quick replies as it may keep");
  struct db_quick_reply q = {id, text, group, position, now, now};
  return reply_json_steal(rq, MHD_HTTP_CREATED, view_quick_reply(&q));
}

enum MHD_Result h_quick_replies_update(struct http_request *rq)
{
  const char *text = NULL, *group = NULL;
  int64_t position = -1;
  bool has[3];
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("text", &text, 1, QUICK_REPLY_TEXT_MAX, JSONIN_OPTIONAL, .present = &has[0],
                  .check = jsonin_not_blank),
      JSONIN_TEXT("group", &group, 0, QUICK_REPLY_GROUP_MAX, JSONIN_OPTIONAL, .present = &has[1]),
      JSONIN_INT("position", &position, 0, QUICK_REPLY_POSITION_MAX, JSONIN_OPTIONAL,
                 .present = &has[2]),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!has[0] && !has[1] && !has[2])
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "nothing to change",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "body", "message",
                                   "must have at least one of text, group, position"));
  struct quick_reply_out out = {0};
  enum db_status st = db_quick_reply_update(rq->session.account.id, rq->ids[0], rq->ids[1], text,
                                            group, position, clock_now_us(), set_quick_reply, &out);
  if (st <= DB_NONE || out.failed) {
    json_decref(out.one);
    return quick_reply_problem(rq, st, "no such quick reply in this shop");
  }
  return reply_json_steal(rq, MHD_HTTP_OK, out.one);
}

enum MHD_Result h_quick_replies_delete(struct http_request *rq)
{
  enum db_status st =
      db_quick_reply_delete(rq->session.account.id, rq->ids[0], rq->ids[1], clock_now_us());
  if (st <= DB_NONE)
    return quick_reply_problem(rq, st, "no such quick reply in this shop");
  return reply_empty(rq, MHD_HTTP_NO_CONTENT);
}
