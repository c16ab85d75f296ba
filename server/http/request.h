/* The per-request context every handler works on, and what a handler may
 * ask of its connection. */
#ifndef MERCHANTD_REQUEST_H
#define MERCHANTD_REQUEST_H

#include "accounts.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_REQUEST_ID_SIZE 65
#define HTTP_MAX_PATH_IDS    4
#define HTTP_ADDR_SIZE       64
#define HTTP_FILE_SIZE       101 /* a {file} path segment and its NUL */

struct route;

/* An upload route's file and form fields, pointing into the body. */
struct http_upload {
  const char *data;
  size_t len;
  const char *name;      /* the form's "name" field, NUL-ended (NULL: none) */
  const char *folder_id; /* the form's "folder_id" field, NUL-ended (NULL: none) */
  char filename[256];    /* the file part's filename ("": none) */
};

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

/* What a before_reply hook decides about the reply about to go out. */
enum http_verdict {
  HTTP_REPLY_SEND,   /* send it */
  HTTP_REPLY_REFUSE, /* do not: the client is told 503 instead */
  HTTP_REPLY_RETRY,  /* send nothing (the reply function returns MHD_YES): the
                      * layer above runs the handler again */
};

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
  char file[HTTP_FILE_SIZE];      /* the {file} segment of the path */

  char *body;
  size_t body_len, body_size; /* body_size: what is allocated */
  bool body_too_large;
  bool framing_ambiguous;    /* Content-Length twice, or with Transfer-Encoding */
  bool after_shutdown;       /* arrived once the server began to shut down */
  json_t *json;              /* the parsed body, for routes that take one */
  struct http_upload upload; /* the file, for upload routes (upload.h) */

  bool authenticated;
  struct db_session session;                    /* valid when authenticated */
  unsigned char token_hash[DB_TOKEN_HASH_SIZE]; /* of the bearer token, once read */

  unsigned status; /* what was answered, for the log and metrics */

  /* Set by a layer above that must see the reply before it goes out (an
   * Idempotency-Key stores it): called once by every reply_ function but
   * the replay with what is about to be sent, after clearing itself. */
  enum http_verdict (*before_reply)(struct http_request *rq, unsigned status,
                                    const char *content_type, const char *body);
  void *before_reply_arg;

  /* A handler that waits for other work suspends the connection and keeps
   * its state here; it is called again once resumed. */
  void *async;
  void (*async_free)(void *);
};

/* True once the server began to shut down (http_drain): every reply then
 * closes its connection, so the client's next request goes elsewhere. */
bool http_draining(void);
void http_set_draining(void);

/* Suspends the request until http_resume; the handler then returns MHD_YES.
 * False, and nothing is suspended, while the thread has a transaction open:
 * the thread would serve other connections inside it meanwhile. */
bool http_suspend(struct http_request *rq);
/* Safe from any thread. */
void http_resume(struct http_request *rq);

/* A request header, or NULL. */
const char *http_header(struct http_request *rq, const char *name);
/* A cookie of the request's Cookie header, or NULL. */
const char *http_cookie(struct http_request *rq, const char *name);

/* True when an Accept-Encoding value (RFC 9110 12.5.3; NULL: no header)
 * accepts gzip: "gzip" or "x-gzip", else "*", with a q-value above 0. A
 * coding whose q-value cannot be read is taken as refused. */
bool http_accepts_gzip(const char *accept_encoding);

#endif
