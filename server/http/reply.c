#include "reply.h"

#include "db.h"
#include "log.h"
#include "webapp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every reply under /app, the web console's errors included: its pages
 * load nothing from elsewhere and run no inline script, and are never
 * framed. */
static bool console_path(const char *path)
{
  return strncmp(path, "/app", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

static void console_headers(struct MHD_Response *resp)
{
  MHD_add_response_header(resp, "Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; "
                          "media-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
                          "frame-ancestors 'none'; form-action 'self'");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result queue(struct http_request *rq, unsigned status, struct MHD_Response *resp,
                             const char *content_type)
{
  if (resp == NULL) {
    log_error("could not create response");
    return MHD_NO;
  }
  MHD_add_response_header(resp, "X-Request-Id", rq->request_id);
  if (content_type != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (strncmp(rq->path, "/v1/", 4) == 0)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (console_path(rq->path))
    console_headers(resp);
  if (status == MHD_HTTP_UNAUTHORIZED)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"merchantd\"");
  /* Draining: the client's next request goes to another instance. Ambiguous
   * framing: where this request's body ends, and so where the next request
   * begins, is a guess a proxy in front may have made differently. */
  if (http_draining() || rq->framing_ambiguous)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  rq->status = status;
  enum MHD_Result ret = MHD_queue_response(rq->conn, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* Runs the request's before_reply hook once; it is cleared first, so a
 * reply the hook makes fail (503) does not come back to it. */
static enum http_verdict before_reply(struct http_request *rq, unsigned status,
                                      const char *content_type, const char *body)
{
  enum http_verdict (*hook)(struct http_request *, unsigned, const char *, const char *) =
      rq->before_reply;
  if (hook == NULL)
    return HTTP_REPLY_SEND;
  rq->before_reply = NULL;
  return hook(rq, status, content_type, body);
}

/* What a reply function returns when the hook did not let its reply go:
 * nothing for a retry, 503 for a refusal. */
static enum MHD_Result withheld(struct http_request *rq, enum http_verdict v)
{
  return v == HTTP_REPLY_RETRY ? MHD_YES : reply_db_error(rq, DB_UNAVAILABLE);
}

/* A text (malloc'd; taken) as the reply, shown first to the request's
 * before_reply hook. header/value: one extra response header, or NULL. */
static enum MHD_Result text_reply(struct http_request *rq, unsigned status, char *text, size_t len,
                                  const char *content_type, const char *header, const char *value)
{
  if (text == NULL) {
    log_error("could not serialise a reply");
    return MHD_NO;
  }
  if (rq->before_reply != NULL) {
    /* The hook takes a string; the text need not end in a NUL (a CSV). */
    char *copy = strndup(text, len);
    enum http_verdict v =
        copy != NULL ? before_reply(rq, status, content_type, copy) : HTTP_REPLY_REFUSE;
    free(copy);
    if (v != HTTP_REPLY_SEND) {
      free(text);
      return withheld(rq, v);
    }
  }
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(text);
  } else if (header != NULL) {
    MHD_add_response_header(resp, header, value);
  }
  return queue(rq, status, resp, content_type);
}

enum MHD_Result reply_text_steal(struct http_request *rq, unsigned status, const char *content_type,
                                 const char *filename, char *text, size_t len)
{
  char disposition[128] = "";
  if (filename != NULL)
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
  return text_reply(rq, status, text, len, content_type,
                    filename != NULL ? MHD_HTTP_HEADER_CONTENT_DISPOSITION : NULL, disposition);
}

enum MHD_Result reply_stream(struct http_request *rq, const char *content_type,
                             const char *filename, size_t block, MHD_ContentReaderCallback reader,
                             void *cls, MHD_ContentReaderFreeCallback free_cb)
{
  struct MHD_Response *resp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, block, reader, cls, free_cb);
  if (resp == NULL) {
    free_cb(cls);
  } else {
    char disposition[128];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
  }
  return queue(rq, MHD_HTTP_OK, resp, content_type);
}

static enum MHD_Result json_reply(struct http_request *rq, unsigned status, json_t *body,
                                  const char *content_type, const char *header, const char *value)
{
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  return text_reply(rq, status, text, text != NULL ? strlen(text) : 0, content_type, header, value);
}

enum MHD_Result reply_json_steal(struct http_request *rq, unsigned status, json_t *body)
{
  if (body == NULL)
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  return json_reply(rq, status, body, "application/json", NULL, NULL);
}

enum MHD_Result reply_jsonout(struct http_request *rq, unsigned status, struct jsonout *body)
{
  size_t len;
  char *text = jsonout_take(body, &len);
  if (text == NULL)
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  return text_reply(rq, status, text, len, "application/json", NULL, NULL);
}

enum MHD_Result reply_empty(struct http_request *rq, unsigned status)
{
  enum http_verdict v = before_reply(rq, status, NULL, NULL);
  if (v != HTTP_REPLY_SEND)
    return withheld(rq, v);
  return queue(rq, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT), NULL);
}

enum MHD_Result reply_redirect(struct http_request *rq, unsigned status, const char *location,
                               const char *set_cookie)
{
  enum http_verdict v = before_reply(rq, status, NULL, NULL);
  if (v != HTTP_REPLY_SEND)
    return withheld(rq, v);
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  if (resp != NULL) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    if (strncmp(rq->path, "/v1/", 4) != 0)
      MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (set_cookie != NULL)
      MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, set_cookie);
  }
  return queue(rq, status, resp, NULL);
}

enum MHD_Result reply_replay_steal(struct http_request *rq, unsigned status,
                                   const char *content_type, char *body)
{
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL)
    free(body);
  else
    MHD_add_response_header(resp, "Idempotent-Replayed", "true");
  return queue(rq, status, resp, content_type[0] != '\0' ? content_type : NULL);
}

static enum MHD_Result problem(struct http_request *rq, enum problem p, const char *detail,
                               json_t *extra, const char *header, const char *value)
{
  const struct problem_info *info = problem_info(p);
  char type[96];
  snprintf(type, sizeof type, "urn:merchantd:problem:%s", info->code);
  json_t *body =
      json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "type", type, "title", info->title, "status",
                (json_int_t)info->status, "detail", detail != NULL ? detail : info->title, "code",
                info->code, "request_id", rq->request_id);
  if (body == NULL) {
    json_decref(extra);
    return MHD_NO;
  }
  if (extra != NULL)
    json_object_update_missing(body, extra);
  json_decref(extra);
  return json_reply(rq, info->status, body, "application/problem+json", header, value);
}

enum MHD_Result reply_problem(struct http_request *rq, enum problem p, const char *detail,
                              json_t *extra)
{
  return problem(rq, p, detail, extra, NULL, NULL);
}

enum MHD_Result reply_problem_retry(struct http_request *rq, enum problem p, const char *detail,
                                    unsigned retry_after)
{
  char secs[16];
  snprintf(secs, sizeof secs, "%u", retry_after > 0 ? retry_after : 1);
  return problem(rq, p, detail, NULL, MHD_HTTP_HEADER_RETRY_AFTER, secs);
}

enum MHD_Result reply_method_not_allowed(struct http_request *rq, const char *allow)
{
  char detail[160];
  snprintf(detail, sizeof detail, "this path allows %s", allow);
  return problem(rq, PROBLEM_METHOD_NOT_ALLOWED, detail, NULL, MHD_HTTP_HEADER_ALLOW, allow);
}

enum MHD_Result reply_db_error(struct http_request *rq, int db_status)
{
  if (db_status == DB_UNAVAILABLE)
    return reply_problem_retry(rq, PROBLEM_DATABASE_UNAVAILABLE,
                               "the database cannot be reached; try again shortly", 1);
  return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
}

enum MHD_Result reply_problem_code(struct http_request *rq, const char *code, const char *detail)
{
  enum problem p;
  if (!problem_by_code(code, &p)) {
    log_error("unknown result code \"%s\"", code);
    p = PROBLEM_INTERNAL_ERROR;
    detail = NULL;
  }
  return reply_problem(rq, p, detail, NULL);
}

/* The one byte range a Range header asks for (RFC 9110 14.2), within size:
 * 1 when there is one, 0 when the header is absent or not one plain range
 * (the whole file is sent), -1 when it cannot be satisfied. */
static int byte_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
  if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
    return 0;
  const char *p = h + 6;
  char *end;
  if (*p == '-') {
    if (p[1] < '0' || p[1] > '9')
      return 0;
    unsigned long long n = strtoull(p + 1, &end, 10);
    if (*end != '\0')
      return 0;
    if (n == 0 || size == 0)
      return -1;
    *from = n >= size ? 0 : size - n;
    *to = size - 1;
    return 1;
  }
  if (*p < '0' || *p > '9')
    return 0;
  unsigned long long a = strtoull(p, &end, 10), b = size > 0 ? size - 1 : 0;
  if (*end != '-')
    return 0;
  if (end[1] != '\0') {
    if (end[1] < '0' || end[1] > '9')
      return 0;
    char *end2;
    b = strtoull(end + 1, &end2, 10);
    if (*end2 != '\0' || b < a)
      return 0;
  }
  if (a >= size)
    return -1;
  *from = a;
  *to = b >= size ? size - 1 : b;
  return 1;
}

/* True when If-None-Match names etag (or is "*"): a list of entity tags,
 * compared weakly as RFC 9110 13.1.2 wants. */
static bool etag_matches(const char *inm, const char *etag)
{
  if (inm == NULL)
    return false;
  if (strcmp(inm, "*") == 0)
    return true;
  size_t n = strlen(etag);
  for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += n) {
    char after = p[n];
    if (after == '\0' || after == ',' || after == ' ')
      return true;
  }
  return false;
}

static void file_headers(struct MHD_Response *resp, const struct reply_file_info *f)
{
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, f->cache_control);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; sandbox");
}

enum MHD_Result reply_file(struct http_request *rq, int fd, const struct reply_file_info *f)
{
  struct MHD_Response *resp;
  unsigned status = MHD_HTTP_OK;
  if (etag_matches(http_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH), f->etag)) {
    close(fd);
    resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (resp != NULL)
      file_headers(resp, f);
    return queue(rq, MHD_HTTP_NOT_MODIFIED, resp, NULL);
  }
  uint64_t from = 0, to = f->size > 0 ? f->size - 1 : 0;
  int range = byte_range(http_header(rq, MHD_HTTP_HEADER_RANGE), f->size, &from, &to);
  char content_range[80];
  if (range < 0) {
    close(fd);
    snprintf(content_range, sizeof content_range, "bytes */%llu", (unsigned long long)f->size);
    resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (resp != NULL) {
      file_headers(resp, f);
      MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
    }
    return queue(rq, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp, NULL);
  }
  uint64_t len = f->size == 0 ? 0 : to - from + 1;
  /* libmicrohttpd sends the file with sendfile() and closes it with the
   * response. */
  resp = MHD_create_response_from_fd_at_offset64(len, fd, from);
  if (resp == NULL) {
    close(fd);
    return queue(rq, status, resp, NULL);
  }
  file_headers(resp, f);
  if (range > 0) {
    status = MHD_HTTP_PARTIAL_CONTENT;
    snprintf(content_range, sizeof content_range, "bytes %llu-%llu/%llu", (unsigned long long)from,
             (unsigned long long)to, (unsigned long long)f->size);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
  }
  return queue(rq, status, resp, f->content_type);
}

enum MHD_Result reply_webapp(struct http_request *rq, const struct webapp_file *f,
                             const char *cache_control)
{
  const struct webapp_body *b = &f->plain;
  if (f->gzip.data != NULL && http_accepts_gzip(http_header(rq, MHD_HTTP_HEADER_ACCEPT_ENCODING)))
    b = &f->gzip;
  bool fresh = etag_matches(http_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH), b->etag);
  /* The bytes stay in memory until after the daemon has stopped. */
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      fresh ? 0 : b->len, fresh ? NULL : b->data, MHD_RESPMEM_PERSISTENT);
  if (resp != NULL) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, b->etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (!fresh && b == &f->gzip)
      MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  }
  return queue(rq, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, resp,
               fresh ? NULL : f->content_type);
}
