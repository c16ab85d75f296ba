#include "idempotency.h"

#include "clock.h"
#include "db.h"
#include "idempotency_keys.h"
#include "log.h"
#include "reply.h"
#include "router.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* A claim whose request has not finished after this long is abandoned. */
#define STALE_US (60 * CLOCK_US_PER_SEC)
#define KEY_MAX  255

static bool key_ok(const char *key)
{
  size_t n = strlen(key);
  if (n == 0 || n > KEY_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (key[i] < 0x21 || key[i] > 0x7e)
      return false;
  return true;
}

static enum MHD_Result hash_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
  crypto_hash_sha256_state *st = cls;
  /* Each argument as "key\0value\0" (a key without '=' as "key\0\1"), so
   * that no two query strings hash alike by moving a boundary. */
  crypto_hash_sha256_update(st, (const unsigned char *)key, strlen(key) + 1);
  if (value != NULL)
    crypto_hash_sha256_update(st, (const unsigned char *)value, strlen(value) + 1);
  else
    crypto_hash_sha256_update(st, (const unsigned char *)"\1", 1);
  return MHD_YES;
}

/* The request as the key binds it: method, path, query arguments (in their
 * order) and body. */
static void request_hash(struct http_request *rq, unsigned char out[DB_IDEM_HASH_SIZE])
{
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, (const unsigned char *)rq->method, strlen(rq->method) + 1);
  crypto_hash_sha256_update(&st, (const unsigned char *)rq->path, strlen(rq->path) + 1);
  unsigned args =
      (unsigned)MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, hash_argument, &st);
  /* The count ends the arguments, so that they cannot run into the body. */
  crypto_hash_sha256_update(&st, (const unsigned char *)&args, sizeof args);
  if (rq->body_len > 0)
    crypto_hash_sha256_update(&st, (const unsigned char *)rq->body, rq->body_len);
  crypto_hash_sha256_final(&st, out);
}

/* A claimed key, as the request holds it (before_reply_arg) while it runs. */
struct claim {
  char *key;
  bool settled;           /* its reply is stored, or the claim abandoned */
  bool ran;               /* the handler ran at least once */
  bool last;              /* the runner's last attempt is running */
  bool retry;             /* remember asked for the handler to run again */
  enum MHD_Result result; /* what the handler returned last */
};

static enum http_verdict remember(struct http_request *rq, unsigned status,
                                  const char *content_type, const char *body);

enum http_step idempotency_begin(struct http_request *rq)
{
  const char *key = http_header(rq, IDEMPOTENCY_KEY_HEADER);
  if (key == NULL)
    return HTTP_STEP_OK;
  if (!key_ok(key))
    return HTTP_STEP_OF(reply_problem(
        rq, PROBLEM_INVALID_FIELD, "Idempotency-Key must be 1 to 255 visible ASCII characters",
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", "Idempotency-Key", "message",
                  "must be 1 to 255 visible ASCII characters")));
  unsigned char hash[DB_IDEM_HASH_SIZE];
  request_hash(rq, hash);
  int64_t now = clock_now_us();
  struct db_idem idem;
  enum db_status st = db_idem_begin(rq->session.account.id, key, hash, now, now - STALE_US, &idem);
  if (st < DB_NONE)
    return HTTP_STEP_OF(reply_db_error(rq, st));
  switch (idem.state) {
  case DB_IDEM_FRESH: {
    /* The claim is committed on its own; the handler runs in
     * idempotency_run. */
    struct claim *c = calloc(1, sizeof *c);
    if (c == NULL || (c->key = strdup(key)) == NULL) {
      free(c);
      db_idem_abandon(rq->session.account.id, key);
      return HTTP_STEP_FAILED;
    }
    rq->before_reply_arg = c;
    return HTTP_STEP_OK;
  }
  case DB_IDEM_RUNNING:
    return HTTP_STEP_OF(reply_problem(rq, PROBLEM_IDEMPOTENCY_IN_PROGRESS, NULL, NULL));
  case DB_IDEM_MISMATCH:
    return HTTP_STEP_OF(reply_problem(
        rq, PROBLEM_IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was used for a different request; use a new key", NULL));
  case DB_IDEM_REPLAY:
    break;
  }
  enum MHD_Result r = reply_replay_steal(rq, idem.status, idem.content_type, idem.body);
  free(idem.content_type);
  return HTTP_STEP_OF(r);
}

/* Forgets the claim, so that a retry of the request runs again. */
static void abandon(struct http_request *rq, struct claim *c)
{
  db_idem_abandon(rq->session.account.id, c->key);
  c->settled = true;
}

/* The request's before_reply hook while it holds a claimed key: stores the
 * reply in the request's transaction and commits the two together, before
 * the reply goes out, so that a crash between them cannot leave a write
 * done whose retry runs it again. A serialization failure or deadlock, in
 * the handler's statements or at the commit, rolls back and has the
 * handler run again (HTTP_REPLY_RETRY), but on the runner's last attempt.
 * A server error rolls back and forgets the claim, so that a retry runs
 * again. HTTP_REPLY_REFUSE when the commit failed otherwise: nothing of
 * the request stays, and the client is told 503 instead. */
static enum http_verdict remember(struct http_request *rq, unsigned status,
                                  const char *content_type, const char *body)
{
  struct claim *c = rq->before_reply_arg;
  int64_t account = rq->session.account.id;
  if (db_txn_conflicted() && !c->last) {
    db_rollback();
    c->retry = true;
    return HTTP_REPLY_RETRY;
  }
  if (status >= 500) {
    db_rollback();
    abandon(rq, c);
    return HTTP_REPLY_SEND;
  }
  content_type = content_type != NULL ? content_type : "";
  body = body != NULL ? body : "";
  if (db_txn_failed()) {
    /* A statement of the request failed, so nothing it wrote stays: a
     * refusal can still be kept for the retry, a success cannot be true. */
    db_rollback();
    if (status >= 300) {
      db_idem_finish(account, c->key, status, content_type, body);
      c->settled = true;
      return HTTP_REPLY_SEND;
    }
  } else {
    enum db_status st = db_idem_finish(account, c->key, status, content_type, body);
    if (st >= DB_NONE)
      st = db_commit();
    if (st == DB_NONE) {
      c->settled = true;
      return HTTP_REPLY_SEND;
    }
    if (st == DB_SOFT_ERROR && !c->last) {
      db_rollback();
      c->retry = true;
      return HTTP_REPLY_RETRY;
    }
  }
  db_rollback();
  abandon(rq, c);
  return HTTP_REPLY_REFUSE;
}

/* One run of the handler in the runner's transaction. */
static enum db_status attempt(void *arg, bool last)
{
  struct http_request *rq = arg;
  struct claim *c = rq->before_reply_arg;
  c->ran = true;
  c->last = last;
  c->retry = false;
  rq->before_reply = remember;
  c->result = rq->route->handler(rq);
  if (c->retry)
    return DB_SOFT_ERROR;
  if (!db_txn_open())
    return DB_NONE; /* remember ended it */
  /* The handler returned, and its reply did not pass through the reply
   * module: it failed (MHD_NO), or it replied some other way (a stream) or
   * suspended. What it wrote must not commit without its reply stored,
   * nor stay open while the thread serves others: the runner rolls back. */
  rq->before_reply = NULL;
  if (c->result == MHD_YES)
    log_error("%s %s returned with its transaction open; rolled back", rq->method,
              rq->route->pattern);
  return DB_HARD_ERROR;
}

enum MHD_Result idempotency_run(struct http_request *rq)
{
  struct claim *c = rq->before_reply_arg;
  if (c == NULL || c->settled)
    return rq->route->handler(rq);
  enum db_status st = db_txn_run(attempt, rq);
  rq->before_reply = NULL;
  if (c->settled)
    return c->result; /* the reply went out through remember */
  abandon(rq, c);
  if (!c->ran || c->retry)
    return reply_db_error(rq, st); /* no transaction could begin */
  /* The handler replied without the reply module, or not at all: then
   * the connection closes (called again, the request would run again). */
  return rq->status != 0 ? c->result : MHD_NO;
}

void idempotency_end(struct http_request *rq)
{
  struct claim *c = rq->before_reply_arg;
  if (c == NULL)
    return;
  rq->before_reply = NULL;
  rq->before_reply_arg = NULL;
  if (!c->settled)
    abandon(rq, c);
  free(c->key);
  free(c);
}
