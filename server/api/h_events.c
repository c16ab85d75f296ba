/* GET /v1/events       the caller's chat events as Server-Sent Events
 * GET /v1/events/poll  the same events by long poll
 *
 * A merchant receives the events of all their shops (events.merchant_id),
 * platform staff those addressed to them (events.staff_id: their claimed
 * support conversations, the support queue's changes), anyone else those
 * addressed to them as buyer (events.buyer_id). Events
 * are always read from the database after a position (an event id), never
 * kept in memory: a reconnect with Last-Event-ID, or a poll with ?after=,
 * replays exactly what was missed. Between reads the connection is
 * suspended in the events registry (events.h), which resumes it when a
 * notification names the caller's account, when a heartbeat is due, or
 * when a long poll times out; no thread waits for a client. */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "event_log.h"
#include "events.h"
#include "handlers.h"
#include "jsonout.h"
#include "log.h"
#include "query.h"
#include "reply.h"
#include "routes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Events per read; a full batch is followed by another read at once. */
#define EVENTS_BATCH 100
/* Held-back events (see db_events_after) are read again after this delay,
 * doubled while they stay held back, up to the maximum. */
#define RETRY_MIN_US         (10 * 1000)
#define RETRY_MAX_US         (1000 * 1000)
#define POLL_TIMEOUT_DEFAULT 25
#define POLL_TIMEOUT_MAX     30
#define SSE_BLOCK            (16 * 1024)

static enum db_event_audience audience_of(const struct http_request *rq)
{
  const char *role = rq->session.account.role;
  if (strcmp(role, "merchant") == 0)
    return DB_EVENTS_MERCHANT;
  return strcmp(role, "staff") == 0 ? DB_EVENTS_STAFF : DB_EVENTS_BUYER;
}

/* One event as the JSON both routes send. */
static void event_json(struct jsonout *j, const struct db_event *e)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", e->id);
  jsonout_field_string(j, "kind", e->kind);
  jsonout_field_int_or_null(j, "shop_id", e->shop_id);
  jsonout_key(j, "data");
  jsonout_raw(j, e->data);
  jsonout_field_time(j, "created_at", e->created_at);
  jsonout_end_object(j);
}

/* What a reader of either route keeps between reads. */
struct reader {
  struct events_waiter w;
  int64_t session_id, account_id;
  enum db_event_audience audience;
  int64_t after;    /* the last position handed out */
  int64_t retry_at; /* clock_mono_us: read again (held-back events); 0: none */
  int64_t retry_us;
};

/* After a read: when to look again for held-back events. */
static void reader_note(struct reader *r, const struct db_events_read *got)
{
  if (!got->held_back) {
    r->retry_at = 0;
    r->retry_us = RETRY_MIN_US;
    return;
  }
  r->retry_at = clock_mono_us() + r->retry_us;
  r->retry_us = r->retry_us * 2 > RETRY_MAX_US ? RETRY_MAX_US : r->retry_us * 2;
}

static int64_t earliest(int64_t a, int64_t b)
{
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  return a < b ? a : b;
}

static void reader_init(struct reader *r, struct http_request *rq, int64_t after, bool stream)
{
  r->session_id = rq->session.id;
  r->account_id = rq->session.account.id;
  r->audience = audience_of(rq);
  r->after = after;
  r->retry_us = RETRY_MIN_US;
  events_waiter_add(&r->w, rq->conn, r->account_id, stream);
}

/* ---- GET /v1/events ---- */

/* A stream in progress; lives as long as the MHD response. */
struct sse {
  struct reader r;
  char *text; /* not yet handed to MHD: text[sent..len) */
  size_t len, sent, cap;
  bool failed;       /* out of memory */
  bool ended;        /* the last message is in text: end after it */
  bool must_read;    /* read before sleeping (start, a full batch) */
  int64_t heartbeat; /* clock_mono_us of the next heartbeat */
  int64_t heartbeat_us;
};

static void sse_append(struct sse *s, const char *data, size_t n)
{
  if (s->failed)
    return;
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < s->len + n + 1)
      cap *= 2;
    char *grown = realloc(s->text, cap);
    if (grown == NULL) {
      s->failed = true;
      return;
    }
    s->text = grown;
    s->cap = cap;
  }
  memcpy(s->text + s->len, data, n);
  s->len += n;
  s->text[s->len] = '\0';
}

static void sse_puts(struct sse *s, const char *text)
{
  sse_append(s, text, strlen(text));
}

/* db_event_fn: one event as one SSE message. */
static void sse_event(const struct db_event *e, void *arg)
{
  struct sse *s = arg;
  char head[160];
  int n = snprintf(head, sizeof head, "id: %" PRId64 "\nevent: %s\ndata: ", e->id, e->kind);
  sse_append(s, head, n > 0 && (size_t)n < sizeof head ? (size_t)n : 0);
  struct jsonout j = JSONOUT_INIT;
  event_json(&j, e);
  size_t len;
  char *json = jsonout_take(&j, &len);
  if (json == NULL)
    s->failed = true;
  else
    sse_append(s, json, len);
  free(json);
  sse_puts(s, "\n\n");
  s->r.after = e->id;
}

/* Reads what is new into the text. False when the stream must end with an
 * error. */
static bool sse_read_events(struct sse *s)
{
  struct db_events_read got;
  enum db_status st = db_events_after(s->r.session_id, s->r.audience, s->r.account_id, s->r.after,
                                      EVENTS_BATCH, clock_now_us(), sse_event, s, &got);
  if (st == DB_HARD_ERROR)
    return false;
  if (st < DB_NONE) { /* PostgreSQL out of reach: keep the stream, look again */
    s->r.retry_at = clock_mono_us() + RETRY_MAX_US;
    return true;
  }
  if (got.end != NULL) {
    /* The client learns why, and does not reconnect with this token. */
    char msg[96];
    snprintf(msg, sizeof msg, "event: session_replaced\ndata: {\"reason\":\"%s\"}\n\n", got.end);
    sse_puts(s, msg);
    s->ended = true;
    return true;
  }
  s->must_read = got.n == EVENTS_BATCH;
  reader_note(&s->r, &got);
  return true;
}

/* MHD's content reader. Hands out pending text; with none, reads when
 * woken (or at a heartbeat, which also checks the session, or to retry
 * held-back events) and otherwise suspends the connection and returns 0:
 * MHD calls again once the registry resumes it. */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct sse *s = cls;
  for (;;) {
    if (s->failed)
      return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->sent < s->len) {
      size_t n = s->len - s->sent < max ? s->len - s->sent : max;
      memcpy(buf, s->text + s->sent, n);
      s->sent += n;
      return (ssize_t)n;
    }
    s->len = s->sent = 0;
    if (s->ended || events_closing())
      return MHD_CONTENT_READER_END_OF_STREAM;
    bool read = events_waiter_take_wake(&s->r.w) || s->must_read;
    int64_t now = clock_mono_us();
    if (now >= s->heartbeat) {
      sse_puts(s, ": heartbeat\n\n");
      s->heartbeat = now + s->heartbeat_us;
      read = true;
    }
    if (s->r.retry_at != 0 && now >= s->r.retry_at)
      read = true;
    if (read) {
      s->must_read = false;
      if (!sse_read_events(s)) {
        log_error("could not read events for account %" PRId64, s->r.account_id);
        return MHD_CONTENT_READER_END_WITH_ERROR;
      }
      continue;
    }
    if (events_waiter_sleep(&s->r.w, earliest(s->heartbeat, s->r.retry_at)))
      return 0;
  }
}

static void sse_free(void *cls)
{
  struct sse *s = cls;
  events_waiter_remove(&s->r.w);
  free(s->text);
  free(s);
}

/* The position a stream starts after: Last-Event-ID when reconnecting (or
 * ?after=, for clients that cannot set headers), else "now". */
static enum http_step sse_start(struct http_request *rq, int64_t *after)
{
  bool has_after = false;
  const struct query_param params[] = {
      QUERY_INT("after", after, 0, INT64_MAX, .present = &has_after),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return step;
  const char *last = http_header(rq, "Last-Event-ID");
  if (last != NULL) {
    char *end;
    long long v = strtoll(last, &end, 10);
    if (end == last || *end != '\0' || v < 0 || last[0] == '-' || last[0] == '+')
      return HTTP_STEP_OF(
          reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                        json_pack("{s:[{s:s, s:s}]}", "errors", "field", "Last-Event-ID", "message",
                                  "must be an event id")));
    *after = v;
    return HTTP_STEP_OK;
  }
  if (has_after)
    return HTTP_STEP_OK;
  enum db_status st = db_events_now(after);
  return st < DB_NONE ? HTTP_STEP_OF(reply_db_error(rq, st)) : HTTP_STEP_OK;
}

enum MHD_Result h_events_stream(struct http_request *rq)
{
  int64_t after = 0;
  enum http_step step = sse_start(rq, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct sse *s = calloc(1, sizeof *s);
  if (s == NULL)
    return MHD_NO;
  /* Heartbeats keep the connection inside its idle timeout (a suspended
   * connection does not time out, a resumed one does) and proxies open. */
  unsigned hb = config.events_heartbeat_seconds;
  if (hb > config.connection_timeout / 2)
    hb = config.connection_timeout / 2 > 0 ? config.connection_timeout / 2 : 1;
  s->heartbeat_us = (int64_t)hb * CLOCK_US_PER_SEC;
  s->heartbeat = clock_mono_us() + s->heartbeat_us;
  s->must_read = true; /* the replay, or what came since "now" */
  sse_puts(s, "retry: 2000\n\n");
  reader_init(&s->r, rq, after, true);
  struct MHD_Response *resp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, sse_read, s, sse_free);
  if (resp == NULL) {
    sse_free(s);
    log_error("could not create response");
    return MHD_NO;
  }
  MHD_add_response_header(resp, "X-Request-Id", rq->request_id);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(resp, "X-Accel-Buffering", "no");
  rq->status = MHD_HTTP_OK;
  enum MHD_Result ret = MHD_queue_response(rq->conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* ---- GET /v1/events/poll ---- */

struct poll_wait {
  struct reader r;
  int64_t deadline; /* clock_mono_us */
  struct jsonout items;
  int n;
};

static void poll_free(void *p)
{
  struct poll_wait *pw = p;
  events_waiter_remove(&pw->r.w);
  jsonout_free(&pw->items);
  free(pw);
}

static void poll_event(const struct db_event *e, void *arg)
{
  struct poll_wait *pw = arg;
  event_json(&pw->items, e);
  pw->r.after = e->id;
  pw->n++;
}

static enum MHD_Result poll_reply(struct http_request *rq, struct poll_wait *pw)
{
  struct jsonout out = JSONOUT_INIT;
  jsonout_begin_object(&out);
  jsonout_key(&out, "items");
  jsonout_begin_array(&out);
  size_t len = 0;
  char *items = jsonout_take(&pw->items, &len);
  if (items != NULL && len > 0)
    jsonout_raw(&out, items);
  free(items);
  jsonout_end_array(&out);
  jsonout_field_int(&out, "next_after", pw->r.after);
  jsonout_end_object(&out);
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

/* The first call reads the arguments and registers the waiter; every call
 * (the first, and each after the connection was resumed) reads, then
 * answers or suspends again. */
static enum http_step poll_begin(struct http_request *rq)
{
  int64_t after = 0, timeout = POLL_TIMEOUT_DEFAULT;
  bool has_after = false;
  const struct query_param params[] = {
      QUERY_INT("after", &after, 0, INT64_MAX, .present = &has_after),
      QUERY_INT("timeout", &timeout, 0, POLL_TIMEOUT_MAX),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return step;
  if (!has_after) {
    enum db_status st = db_events_now(&after);
    if (st < DB_NONE)
      return HTTP_STEP_OF(reply_db_error(rq, st));
  }
  struct poll_wait *pw = calloc(1, sizeof *pw);
  if (pw == NULL)
    return HTTP_STEP_FAILED;
  pw->items = (struct jsonout)JSONOUT_INIT;
  pw->deadline = clock_mono_us() + timeout * CLOCK_US_PER_SEC;
  reader_init(&pw->r, rq, after, false);
  rq->async = pw;
  rq->async_free = poll_free;
  return HTTP_STEP_OK;
}

enum MHD_Result h_events_poll(struct http_request *rq)
{
  if (rq->async == NULL) {
    enum http_step step = poll_begin(rq);
    if (step != HTTP_STEP_OK)
      return http_step_result(step);
  }
  struct poll_wait *pw = rq->async;
  for (;;) {
    events_waiter_take_wake(&pw->r.w);
    struct db_events_read got;
    enum db_status st =
        db_events_after(pw->r.session_id, pw->r.audience, pw->r.account_id, pw->r.after,
                        EVENTS_BATCH, clock_now_us(), poll_event, pw, &got);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    if (got.end != NULL) {
      /* The session ended while waiting: the ordinary lookup answers the
       * 401 that says how. */
      enum http_step step = auth_require(rq, ROUTE_ANY_ROLE);
      if (step != HTTP_STEP_OK)
        return http_step_result(step);
    }
    if (pw->n > 0 || got.end != NULL || clock_mono_us() >= pw->deadline || events_closing())
      return poll_reply(rq, pw);
    reader_note(&pw->r, &got);
    if (events_waiter_sleep(&pw->r.w, earliest(pw->deadline, pw->r.retry_at)))
      return MHD_YES;
  }
}
