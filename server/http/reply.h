/* The one module that builds and queues responses. Every reply carries
 * X-Request-Id; API replies carry Cache-Control: no-store, the web
 * console's (under /app) its security headers (reply_webapp). Each function
 * returns what MHD_queue_response returned. */
#ifndef MERCHANTD_REPLY_H
#define MERCHANTD_REPLY_H

#include "jsonout.h"
#include "problem.h"
#include "request.h"
#include "webapp.h"

#include <jansson.h>

/* Replies with a JSON document; takes the reference to body. */
enum MHD_Result reply_json_steal(struct http_request *rq, unsigned status, json_t *body);
/* Replies with the document written so far; takes its text (500 when the
 * writer ran out of memory). */
enum MHD_Result reply_jsonout(struct http_request *rq, unsigned status, struct jsonout *body);
enum MHD_Result reply_empty(struct http_request *rq, unsigned status);
/* Replies with text the response takes ownership of (free()d by MHD).
 * filename, when not NULL, makes it a download of that name (a plain
 * name: no quotes or path). */
enum MHD_Result reply_text_steal(struct http_request *rq, unsigned status, const char *content_type,
                                 const char *filename, char *text, size_t len);

/* An application/problem+json reply (RFC 9457) for a code of the problem
 * table. detail may be NULL (the title is used). extra, when not NULL, is
 * an object whose members are added to the problem (errors[], say); the
 * reference is taken. */
enum MHD_Result reply_problem(struct http_request *rq, enum problem p, const char *detail,
                              json_t *extra);
/* The same with a Retry-After header, in seconds. */
enum MHD_Result reply_problem_retry(struct http_request *rq, enum problem p, const char *detail,
                                    unsigned retry_after);
/* A stored reply to a repeated Idempotency-Key; takes body (malloc'd). */
enum MHD_Result reply_replay_steal(struct http_request *rq, unsigned status,
                                   const char *content_type, char *body);
/* A 200 whose body MHD pulls from reader (chunked, in blocks of up to
 * block bytes) as the client takes it: a streamed download of the given
 * name. free_cb(cls) runs when the response is done, and also here when
 * the response cannot be made. Only GET routes with no Idempotency-Key
 * stream: there is no whole body to show the before_reply hook. */
enum MHD_Result reply_stream(struct http_request *rq, const char *content_type,
                             const char *filename, size_t block, MHD_ContentReaderCallback reader,
                             void *cls, MHD_ContentReaderFreeCallback free_cb);
/* A stored file, served from its descriptor with sendfile(): 200, 206 for
 * one byte range, 416 for a range past its end, 304 when If-None-Match
 * names its ETag. Takes fd (closed with the response). Every reply of it
 * says nosniff and forbids running anything in it. */
struct reply_file_info {
  uint64_t size;
  const char *content_type;
  const char *etag;          /* quoted, strong */
  const char *cache_control; /* e.g. "public, max-age=31536000, immutable" */
};
enum MHD_Result reply_file(struct http_request *rq, int fd, const struct reply_file_info *f);

/* A file of the web console, from memory (webapp.h): 200 with its bytes,
 * the compressed copy (Content-Encoding: gzip) when it has one and the
 * request accepts gzip; 304 when If-None-Match names the ETag of the copy
 * that would be sent. Always Vary: Accept-Encoding. Every reply under /app
 * carries the console's Content-Security-Policy, X-Frame-Options: DENY,
 * Referrer-Policy: no-referrer and nosniff. Like reply_file, for public
 * GET routes, which have no before_reply hook. */
enum MHD_Result reply_webapp(struct http_request *rq, const struct webapp_file *f,
                             const char *cache_control);

/* A redirect (a 3xx status) to location with an empty body, stored by no
 * cache (Cache-Control: no-store) and leaving no Referer behind
 * (Referrer-Policy: no-referrer). set_cookie, when not NULL, is sent as a
 * Set-Cookie header. */
enum MHD_Result reply_redirect(struct http_request *rq, unsigned status, const char *location,
                               const char *set_cookie);

/* 405 with an Allow header. */
enum MHD_Result reply_method_not_allowed(struct http_request *rq, const char *allow);

/* The problem named by a result code of a SQL function (see the operations
 * in migrations/): 500 for a code the problem table does not have. */
enum MHD_Result reply_problem_code(struct http_request *rq, const char *code, const char *detail);

/* The reply for a failed database call: 503 database_unavailable while
 * PostgreSQL is out of reach, 500 otherwise. */
enum MHD_Result reply_db_error(struct http_request *rq, int db_status);

#endif
