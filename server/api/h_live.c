/* The live room (docs/live.md):
 *   GET  /v1/shops/{id}/live                        the merchant's live state
 *   GET  /v1/shops/{id}/live-room                   the same, for buyers (any shop)
 *   POST /v1/shops/{id}/live/start, /live/stop      the live session and its room
 *   POST /v1/live/{id}/join, /leave                 a buyer's presence (join is the heartbeat)
 *   POST /v1/shops/{id}/live/coupons/{id}/push      a live coupon to everyone in the room
 *   POST /v1/shops/{id}/live/red-packets            a red packet in the room
 *   GET  /v1/shops/{id}/live/red-packets/{id}
 *   POST /v1/red-packets/{id}/grab                  a viewer's grab: a shop voucher
 * Each is one SQL function (db/live.c) that answers a result code and the
 * reply's document; the merchant's queries name the merchant next to the
 * shop, so another merchant's shop or object is 404 in the same round
 * trip. */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "handlers.h"
#include "jsonin.h"
#include "live.h"
#include "reply.h"
#include "routes.h"

#include <stdlib.h>
#include <string.h>

static int presence_s(void)
{
  return (int)config.live_presence_seconds;
}

/* Replies with a document the database wrote (taking it), or the failure. */
static enum MHD_Result document_reply(struct http_request *rq, enum db_status st, unsigned status,
                                      char *json, const char *not_found)
{
  if (st < DB_NONE) {
    free(json);
    return reply_db_error(rq, st);
  }
  if (st == DB_NONE || json == NULL) {
    free(json);
    return reply_problem(rq, PROBLEM_NOT_FOUND, not_found, NULL);
  }
  struct jsonout out = JSONOUT_INIT;
  jsonout_raw(&out, json);
  free(json);
  return reply_jsonout(rq, status, &out);
}

/* As document_reply for an operation's (code, document): a code other
 * than ok is its problem. */
static enum MHD_Result coded_reply(struct http_request *rq, enum db_status st, unsigned status,
                                   const char *code, char *json, const char *not_found)
{
  if (st >= DB_NONE && strcmp(code, "ok") != 0) {
    free(json);
    if (strcmp(code, "not_found") == 0)
      return reply_problem(rq, PROBLEM_NOT_FOUND, not_found, NULL);
    return reply_problem_code(rq, code, NULL);
  }
  if (st >= DB_NONE && json == NULL) /* ok, but the copy failed */
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  return document_reply(rq, st, status, json, not_found);
}

static enum MHD_Result state_reply(struct http_request *rq, int64_t merchant_id)
{
  char *json;
  enum db_status st = db_live_state(merchant_id, rq->ids[0], clock_now_us(), presence_s(), &json);
  return document_reply(rq, st, MHD_HTTP_OK, json, "no such shop");
}

/* The merchant's view of their shop's live session. */
enum MHD_Result h_live_state(struct http_request *rq)
{
  return state_reply(rq, rq->session.account.id);
}

/* A buyer's: any shop's, to find its room. */
enum MHD_Result h_live_room(struct http_request *rq)
{
  return state_reply(rq, 0);
}

/* Starts (live) or stops the shop's live session; answers its state. */
static enum MHD_Result live_set(struct http_request *rq, bool live)
{
  char *json;
  enum db_status st =
      db_live_set(rq->session.account.id, rq->ids[0], live, clock_now_us(), presence_s(), &json);
  return document_reply(rq, st, MHD_HTTP_OK, json, "no such shop");
}

enum MHD_Result h_live_start(struct http_request *rq)
{
  return live_set(rq, true);
}

enum MHD_Result h_live_stop(struct http_request *rq)
{
  return live_set(rq, false);
}

static enum MHD_Result presence(struct http_request *rq, bool join)
{
  char code[DB_RESULT_CODE_SIZE], *json;
  enum db_status st = db_live_join(rq->session.account.id, rq->ids[0], join, clock_now_us(),
                                   presence_s(), code, &json);
  return coded_reply(rq, st, MHD_HTTP_OK, code, json, "no such live room");
}

enum MHD_Result h_live_join(struct http_request *rq)
{
  return presence(rq, true);
}

enum MHD_Result h_live_leave(struct http_request *rq)
{
  return presence(rq, false);
}

enum MHD_Result h_live_coupon_push(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE], *json;
  enum db_status st = db_live_coupon_push(rq->session.account.id, rq->ids[0], rq->ids[1],
                                          clock_now_us(), presence_s(), code, &json);
  if (st >= DB_NONE && strcmp(code, "not_claimable") == 0) {
    free(json);
    return reply_problem_code(rq, code, "only a live coupon that can be claimed now can be pushed");
  }
  return coded_reply(rq, st, MHD_HTTP_OK, code, json, "no such shop or coupon");
}

static const char *kind_problem(const char *s)
{
  return strcmp(s, "lucky") == 0 || strcmp(s, "equal") == 0 ? NULL
                                                            : "must be \"lucky\" or \"equal\"";
}

enum MHD_Result h_live_red_packet_create(struct http_request *rq)
{
  struct db_red_packet_new n = {.kind = NULL, .total_cents = 0, .count = 0, .valid_days = 7};
  const struct jsonin_field fields[] = {
      JSONIN_INT("total_cents", &n.total_cents, 1, DB_RED_PACKET_TOTAL_MAX, JSONIN_REQUIRED),
      JSONIN_INT("count", &n.count, 1, DB_RED_PACKET_COUNT_MAX, JSONIN_REQUIRED),
      JSONIN_TEXT("kind", &n.kind, 1, 10, JSONIN_REQUIRED, .check = kind_problem),
      JSONIN_INT("valid_days", &n.valid_days, 1, DB_RED_PACKET_VALID_DAYS_MAX, JSONIN_OPTIONAL),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  if (n.total_cents > 0 && n.count > 0 && n.total_cents < n.count)
    jsonin_error(&e, "total_cents", "must be at least count: every grab gets 1 fen or more");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE], *json;
  enum db_status st = db_red_packet_create(rq->session.account.id, rq->ids[0], &n, clock_now_us(),
                                           presence_s(), code, &json);
  return coded_reply(rq, st, MHD_HTTP_CREATED, code, json, "no such shop");
}

enum MHD_Result h_live_red_packet_get(struct http_request *rq)
{
  char *json;
  enum db_status st =
      db_red_packet_get(rq->session.account.id, rq->ids[0], rq->ids[1], clock_now_us(), &json);
  return document_reply(rq, st, MHD_HTTP_OK, json, "no such red packet in this shop");
}

/* The rush of a live room: like a coupon claim, the route folds
 * authentication into the grab's statement (ROUTE_FOLDED_AUTH). A request
 * the statement did not grab for (no live buyer session there) or that
 * came authenticated (with an Idempotency-Key) takes the ordinary way. */
enum MHD_Result h_live_red_packet_grab(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE], *json;
  int64_t now = clock_now_us();
  if (!rq->authenticated) {
    enum db_status st = db_red_packet_grab_by_token(rq->token_hash, rq->ids[0], now, presence_s(),
                                                    &rq->session, code, &json);
    if (st < DB_NONE || code[0] != '\0') {
      if (code[0] != '\0')
        auth_accept_judged(rq);
      return coded_reply(rq, st, MHD_HTTP_CREATED, code, json, "no such red packet");
    }
    free(json);
    enum http_step step = auth_accept_live(rq, st == DB_ONE, ROUTE_BUYER);
    if (step != HTTP_STEP_OK)
      return http_step_result(step);
  }
  enum db_status st =
      db_red_packet_grab(rq->session.account.id, rq->ids[0], now, presence_s(), code, &json);
  return coded_reply(rq, st, MHD_HTTP_CREATED, code, json, "no such red packet");
}
