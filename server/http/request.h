/* The HTTP daemon and the per-request context every handler works on. */
#ifndef MERCHANTD_HTTP_H
#define MERCHANTD_HTTP_H

#include "accounts.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_REQUEST_ID_SIZE 65
#define HTTP_MAX_PATH_IDS    4
#define HTTP_ADDR_SIZE       64

struct route;

/* Validation and authorisation steps answer in three ways. */
enum http_step {
  HTTP_STEP_OK,      /* go on; nothing was queued */
  HTTP_STEP_REPLIED, /* a reply (400, 401 and the like) is already queued */
  HTTP_STEP_FAILED,  /* internal failure: the caller returns MHD_NO */
};

/* What a handler returns after a step that did not go on. */
static inline enum MHD_Result http_step_result(enum http_step step)
{
  return step == HTTP_STEP_REPLIED ? MHD_YES : MHD_NO;
}

/* The step a reply_ function's result amounts to. */
#define HTTP_STEP_OF(mhd_result) ((mhd_result) == MHD_YES ? HTTP_STEP_REPLIED : HTTP_STEP_FAILED)

struct http_request {
  struct MHD_Connection *conn;
  const char *method;
  const char *path;
  char request_id[HTTP_REQUEST_ID_SIZE];
  char client_addr[HTTP_ADDR_SIZE];
  int64_t start_us;

  const struct route *route;      /* NULL when no route has this path */
  char allow[64];                 /* when route is NULL: the methods the path has */
  int64_t ids[HTTP_MAX_PATH_IDS]; /* the {id} segments of the path, in order */

  char *body;
  size_t body_len;
  bool body_too_large;
  bool framing_ambiguous; /* Content-Length twice, or with Transfer-Encoding */
  bool after_shutdown;    /* arrived once the server began to shut down */
  json_t *json;           /* the parsed body, for routes that take one */

  bool authenticated;
  struct db_session session;                    /* valid when authenticated */
  unsigned char token_hash[DB_TOKEN_HASH_SIZE]; /* of the bearer token, once read */

  unsigned status; /* what was answered, for the log and metrics */

  char *idempotency_key; /* a claimed Idempotency-Key, until its reply is stored */
  bool idempotency_done;

  /* A handler that waits for other work suspends the connection and keeps
   * its state here; it is called again once resumed. */
  void *async;
  void (*async_free)(void *);
};

/* Starts the daemon on config.port. False (logged) on failure. */
bool http_start(void);
/* Begins the shutdown: requests that arrive from now on are answered 503
 * shutting_down, and every reply closes its connection. Waits up to
 * grace_ms for the requests already in flight. */
void http_drain(unsigned grace_ms);
/* True once http_drain has begun. */
bool http_draining(void);
/* Closes every connection and stops the threads. */
void http_stop(void);

/* Suspends the request until http_resume; the handler then returns MHD_YES. */
void http_suspend(struct http_request *rq);
/* Safe from any thread. */
void http_resume(struct http_request *rq);

/* A request header, or NULL. */
const char *http_header(struct http_request *rq, const char *name);

#endif
