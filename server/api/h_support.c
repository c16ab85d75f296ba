/* Official support chat (官方服务, docs/support.md): a merchant talks to
 * the platform's staff about one of their shops in a conversation of kind
 * support, with chat's own messages, read markers and events.
 *   POST /v1/shops/{id}/support/conversations          merchant: the shop's open one
 *                                                      (made when there is none)
 *   GET  /v1/shops/{id}/support/conversations          merchant: the shop's, newest first
 *   GET  /v1/platform/support/queue                    staff: waiting longest first
 *   GET  /v1/platform/support/conversations            staff: those they claimed
 *   POST /v1/platform/support/conversations/{id}/claim staff: one of two at once wins
 *   POST /v1/platform/support/conversations/{id}/release staff: the claimer, back to
 *                                                      the queue where it waited
 *   POST /v1/platform/support/conversations/{id}/close staff: the claimer
 * The merchant reads and writes messages with the chat routes
 * (/v1/conversations/{id}/messages, /read); the claimer with the same
 * handlers under /v1/platform/support/conversations/{id}/ (routes.c), and
 * any staff member with support reads an unclaimed one's messages there
 * before claiming it (h_chat_messages_list). */
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "support.h"

#include <stdio.h>
#include <string.h>

/* Cursor letters (see cursor.h): the queue by (waiting_since, id), a staff
 * member's and a shop's by (-last_activity_at, -id). */
#define CURSOR_SUPPORT_QUEUE 'Q'
#define CURSOR_SUPPORT_MINE  'M'
#define CURSOR_SUPPORT_SHOP  'S'

/* The first page's keyset bound by time: later than any activity. */
#define KEY_MAX INT64_C(253402300799000000)

struct out {
  struct page page;
  int64_t caller;
  bool queue; /* the list's cursor is by waiting_since */
};

static void write_support(struct jsonout *j, const struct db_support *s, int64_t caller)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", s->id);
  jsonout_field_string(j, "kind", "support");
  jsonout_key(j, "shop");
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", s->shop_id);
  jsonout_field_string(j, "name", s->shop_name);
  jsonout_end_object(j);
  jsonout_key(j, "merchant");
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", s->merchant_id);
  jsonout_field_string(j, "name", s->merchant_name);
  jsonout_end_object(j);
  jsonout_field_string(j, "status", s->status);
  jsonout_key(j, "staff");
  if (s->staff_id != 0) {
    jsonout_begin_object(j);
    jsonout_field_int(j, "id", s->staff_id);
    jsonout_field_string(j, "name", s->staff_name);
    jsonout_end_object(j);
  } else {
    jsonout_null(j);
  }
  jsonout_key(j, "last_message");
  if (s->last_message_id != 0) {
    jsonout_begin_object(j);
    jsonout_field_int(j, "id", s->last_message_id);
    jsonout_field_string(j, "type", s->last_type);
    jsonout_field_string(j, "sender", s->last_sender);
    jsonout_field_string(j, "preview", s->last_preview);
    jsonout_field_time(j, "created_at", s->last_created_at);
    jsonout_end_object(j);
  } else {
    jsonout_null(j);
  }
  jsonout_field_time(j, "last_activity_at", s->last_activity_at);
  /* The caller's side: the merchant's, or the staff's (the claimer, or
   * staff looking at the queue). */
  jsonout_field_int(j, "unread_count",
                    caller == s->merchant_id ? s->merchant_unread : s->staff_unread);
  /* How far the other side has read: the platform's (the staff's marker)
   * for the merchant, the merchant's for staff. */
  jsonout_field_int(j, "peer_read_up_to",
                    caller == s->merchant_id ? s->staff_read_up_to : s->merchant_read_up_to);
  jsonout_field_bool(j, "awaiting_reply", s->awaiting_reply);
  jsonout_field_time_or_null(j, "waiting_since", s->waiting_since);
  jsonout_field_time_or_null(j, "claimed_at", s->claimed_at);
  jsonout_field_time_or_null(j, "closed_at", s->closed_at);
  jsonout_field_time(j, "created_at", s->created_at);
  jsonout_end_object(j);
}

static void set_support(const struct db_support *s, void *arg)
{
  struct out *o = arg;
  write_support(&o->page.out, s, o->caller);
}

static void add_support(const struct db_support *s, void *arg)
{
  struct out *o = arg;
  if (!page_row(&o->page))
    return;
  write_support(&o->page.out, s, o->caller);
  o->page.last = (struct cursor){o->queue ? s->waiting_since : s->last_activity_at, s->id};
}

static enum MHD_Result no_conversation(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "no such support conversation", NULL);
}

/* The reply of open, claim and close: the conversation, or the problem
 * its code names. */
static enum MHD_Result result_reply(struct http_request *rq, enum db_status st, const char *code,
                                    unsigned status, struct out *o)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0 && o->page.out.len > 0)
    return reply_jsonout(rq, status, &o->page.out);
  jsonout_free(&o->page.out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0)
    return no_conversation(rq);
  if (strcmp(code, "already_claimed") == 0)
    return reply_problem(rq, PROBLEM_ALREADY_CLAIMED,
                         "another staff member has claimed this conversation", NULL);
  if (strcmp(code, "invalid_state") == 0)
    return reply_problem(rq, PROBLEM_INVALID_STATE, "the conversation is closed", NULL);
  return code[0] != '\0' ? reply_problem_code(rq, code, NULL)
                         : reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
}

enum MHD_Result h_support_open(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  bool created;
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  enum db_status st =
      db_support_open(o.caller, rq->ids[0], clock_now_us(), code, &created, set_support, &o);
  if (st >= DB_NONE && strcmp(code, "not_found") == 0) {
    jsonout_free(&o.page.out);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return result_reply(rq, st, code, created ? MHD_HTTP_CREATED : MHD_HTTP_OK, &o);
}

static enum MHD_Result list(struct http_request *rq, enum db_support_list which, char kind)
{
  struct out o = {.caller = rq->session.account.id, .queue = which == DB_SUPPORT_QUEUE};
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = o.queue ? (struct cursor){0, 0} : (struct cursor){KEY_MAX, INT64_MAX};
  enum http_step step = query_page(rq, kind, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (after.key < 0 || after.key > KEY_MAX)
    after.key = after.key < 0 ? 0 : KEY_MAX;
  struct db_support_page p = {which,     o.caller, which == DB_SUPPORT_SHOP ? rq->ids[0] : 0,
                              after.key, after.id, (int)limit + 1};
  page_begin(&o.page, limit);
  enum db_status st = db_support_page(&p, add_support, &o);
  if (st == DB_NONE) {
    jsonout_free(&o.page.out);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply_read(rq, &o.page, st, kind);
}

enum MHD_Result h_support_shop_list(struct http_request *rq)
{
  return list(rq, DB_SUPPORT_SHOP, CURSOR_SUPPORT_SHOP);
}

enum MHD_Result h_support_queue(struct http_request *rq)
{
  return list(rq, DB_SUPPORT_QUEUE, CURSOR_SUPPORT_QUEUE);
}

enum MHD_Result h_support_mine(struct http_request *rq)
{
  return list(rq, DB_SUPPORT_MINE, CURSOR_SUPPORT_MINE);
}

enum MHD_Result h_support_claim(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  enum db_status st = db_support_claim(o.caller, rq->ids[0], clock_now_us(), code, set_support, &o);
  return result_reply(rq, st, code, MHD_HTTP_OK, &o);
}

enum MHD_Result h_support_close(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  enum db_status st = db_support_close(o.caller, rq->ids[0], clock_now_us(), code, set_support, &o);
  return result_reply(rq, st, code, MHD_HTTP_OK, &o);
}

enum MHD_Result h_support_release(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  enum db_status st =
      db_support_release(o.caller, rq->ids[0], clock_now_us(), code, set_support, &o);
  return result_reply(rq, st, code, MHD_HTTP_OK, &o);
}
