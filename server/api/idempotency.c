#include "idempotency.h"

#include "clock.h"
#include "db.h"
#include "idempotency_keys.h"
#include "reply.h"

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

static bool remember(struct http_request *rq, unsigned status, const char *content_type,
                     const char *body);

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
  case DB_IDEM_FRESH:
    rq->before_reply_arg = strdup(key);
    if (rq->before_reply_arg == NULL)
      return HTTP_STEP_FAILED;
    rq->before_reply = remember;
    /* The write and its stored reply commit together (idempotency_remember):
     * a crash between them cannot leave a write done whose retry runs it
     * again. */
    st = db_begin();
    return st == DB_NONE ? HTTP_STEP_OK : HTTP_STEP_OF(reply_db_error(rq, st));
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

/* The request's before_reply hook while it holds a claimed key: stores the
 * reply in the request's transaction and commits the two together (a
 * server error instead rolls back and forgets the claim, so that a retry
 * runs again). False when that commit failed: nothing of the request
 * stays, and the client is told 503 instead. */
static bool remember(struct http_request *rq, unsigned status, const char *content_type,
                     const char *body)
{
  const char *key = rq->before_reply_arg;
  int64_t account = rq->session.account.id;
  if (status >= 500) {
    db_rollback();
    db_idem_abandon(account, key);
    return true;
  }
  content_type = content_type != NULL ? content_type : "";
  body = body != NULL ? body : "";
  if (db_txn_failed()) {
    /* A statement of the request failed, so nothing it wrote stays: a
     * refusal can still be kept for the retry, a success cannot be true. */
    db_rollback();
    if (status >= 300) {
      db_idem_finish(account, key, status, content_type, body);
      return true;
    }
  } else if (db_idem_finish(account, key, status, content_type, body) >= DB_NONE &&
             db_commit() == DB_NONE) {
    return true;
  }
  db_rollback();
  db_idem_abandon(account, key);
  return false;
}

void idempotency_end(struct http_request *rq)
{
  if (rq->before_reply == remember) {
    /* No reply was stored: the request ended without one. */
    rq->before_reply = NULL;
    db_rollback();
    db_idem_abandon(rq->session.account.id, rq->before_reply_arg);
  }
  free(rq->before_reply_arg);
  rq->before_reply_arg = NULL;
}
