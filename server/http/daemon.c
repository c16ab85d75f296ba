#include "daemon.h"

#include "clock.h"
#include "config.h"
#include "db.h"
#include "jsonin.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "router.h"
#include "upload.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct MHD_Daemon *daemon_handle;
static const struct http_hooks *hooks;
static _Atomic int requests_in_flight;
/* Request ids are a random prefix per process and a counter: unique across
 * instances without a system call per request. */
static uint64_t request_id_prefix;
static _Atomic uint64_t request_id_counter;

/* Echo the client's X-Request-Id when it is short and plain, else make one. */
static void set_request_id(struct http_request *rq)
{
  const char *given = http_header(rq, "X-Request-Id");
  if (given != NULL) {
    size_t n = strlen(given);
    if (n > 0 && n < HTTP_REQUEST_ID_SIZE &&
        strspn(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n) {
      memcpy(rq->request_id, given, n + 1);
      return;
    }
  }
  snprintf(rq->request_id, sizeof rq->request_id, "%016" PRIx64 "%016" PRIx64, request_id_prefix,
           atomic_fetch_add_explicit(&request_id_counter, 1, memory_order_relaxed));
}

/* The X-Forwarded-For headers of a request, in the order they came. */
#define XFF_HEADERS_MAX 16
struct xff_values {
  const char *v[XFF_HEADERS_MAX];
  size_t n;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
  (void)kind;
  struct xff_values *x = cls;
  if (strcasecmp(key, "X-Forwarded-For") != 0 || value == NULL)
    return MHD_YES;
  /* Past the cap the leftmost headers go: the walk starts from the right. */
  if (x->n == XFF_HEADERS_MAX) {
    memmove(x->v, x->v + 1, (XFF_HEADERS_MAX - 1) * sizeof x->v[0]);
    x->n--;
  }
  x->v[x->n++] = value;
  return MHD_YES;
}

/* The client is the TCP peer, or, when the peer is a trusted proxy
 * (MERCHANTD_TRUSTED_PROXIES), the address its X-Forwarded-For names
 * (netaddr_client). Login throttling and the request log key on it: behind
 * nginx every peer is nginx. (The per-address connection limit counts TCP
 * peers: libmicrohttpd applies it before any header is read.) */
static void set_client_addr(struct http_request *rq)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char peer[HTTP_ADDR_SIZE] = "unknown";
  if (ci != NULL && ci->client_addr != NULL) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer, sizeof peer);
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, peer, sizeof peer);
  }
  struct xff_values xff = {.n = 0};
  if (config.trusted_proxies.n > 0)
    MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, collect_xff, &xff);
  _Static_assert(HTTP_ADDR_SIZE >= NETADDR_TEXT_SIZE, "a client address fits");
  netaddr_client(&config.trusted_proxies, peer, xff.v, xff.n, rq->client_addr);
}

/* The cap on this request's body: an upload route's, or the JSON one. */
static size_t body_limit(const struct http_request *rq)
{
  if (rq->route != NULL && rq->route->body == ROUTE_UPLOAD_BODY)
    return HTTP_UPLOAD_LIMIT;
  return config.body_limit;
}

/* Sets body_too_large when Content-Length alone exceeds the cap; a body
 * within it gets its whole buffer at once (an upload would otherwise be
 * copied again at every growth). */
static void check_declared_length(struct http_request *rq)
{
  const char *cl = http_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl == NULL)
    return;
  char *end;
  unsigned long long n = strtoull(cl, &end, 10);
  if (end == cl)
    return;
  if (n > body_limit(rq)) {
    rq->body_too_large = true;
  } else if (n > 0 && rq->route != NULL && rq->route->body != ROUTE_NO_BODY) {
    rq->body = malloc((size_t)n + 1);
    rq->body_size = rq->body != NULL ? (size_t)n + 1 : 0;
    if (rq->body != NULL)
      rq->body[0] = '\0';
  }
}

static enum MHD_Result count_length_headers(void *cls, enum MHD_ValueKind kind, const char *key,
                                            const char *value)
{
  unsigned *n = cls;
  if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
    (*n)++;
  return MHD_YES;
}

/* A body's length must be told one way only. libmicrohttpd reads the first
 * Content-Length, or chunked encoding over it; a proxy in front may read
 * another, and the two would then disagree on where the next request
 * starts (request smuggling). Such a request is refused, and its body is
 * never read, which closes the connection. */
static void check_framing(struct http_request *rq)
{
  unsigned lengths = 0;
  MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, count_length_headers, &lengths);
  rq->framing_ambiguous =
      lengths > 1 || (lengths == 1 && http_header(rq, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL);
}

static struct http_request *request_new(struct MHD_Connection *conn, const char *url,
                                        const char *method)
{
  struct http_request *rq = calloc(1, sizeof *rq);
  if (rq == NULL)
    return NULL;
  rq->conn = conn;
  rq->method = method;
  rq->path = url;
  rq->start_us = clock_mono_us();
  set_request_id(rq);
  set_client_addr(rq);
  router_match(method, url, &rq->route, rq->ids, rq->file, rq->allow, sizeof rq->allow);
  check_declared_length(rq);
  check_framing(rq);
  return rq;
}

static bool append_body(struct http_request *rq, const char *data, size_t size)
{
  size_t limit = body_limit(rq);
  if (rq->body_too_large || size > limit - rq->body_len) {
    rq->body_too_large = true;
    free(rq->body);
    rq->body = NULL;
    rq->body_len = rq->body_size = 0;
    return true;
  }
  if (rq->body_len + size + 1 > rq->body_size) {
    /* Doubling: a chunked body is copied a bounded number of times. */
    size_t want =
        rq->body_size * 2 > rq->body_len + size + 1 ? rq->body_size * 2 : rq->body_len + size + 1;
    if (want > limit + 1)
      want = limit + 1;
    char *grown = realloc(rq->body, want);
    if (grown == NULL)
      return false;
    rq->body = grown;
    rq->body_size = want;
  }
  memcpy(rq->body + rq->body_len, data, size);
  rq->body_len += size;
  rq->body[rq->body_len] = '\0';
  return true;
}

static bool is_json_content_type(const char *ct)
{
  static const char json[] = "application/json";
  if (ct == NULL || strncasecmp(ct, json, sizeof json - 1) != 0)
    return false;
  char next = ct[sizeof json - 1];
  return next == '\0' || next == ';' || next == ' ';
}

/* Everything between a complete request and its handler: routing errors,
 * body checks, and the hooks of the layer above (authentication, the
 * Idempotency-Key). */
static enum MHD_Result dispatch(struct http_request *rq)
{
  if (rq->after_shutdown)
    return reply_problem_retry(rq, PROBLEM_SHUTTING_DOWN,
                               "this instance is shutting down; send the request again", 1);
  if (rq->framing_ambiguous)
    return reply_problem(rq, PROBLEM_INVALID_FIELD,
                         "give the body's length once: one Content-Length, or chunked encoding",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "Content-Length",
                                   "message",
                                   "must be given once, and not with Transfer-Encoding"));
  if (rq->route == NULL) {
    if (rq->allow[0] != '\0')
      return reply_method_not_allowed(rq, rq->allow);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such endpoint", NULL);
  }
  if (rq->body_too_large) {
    char detail[96];
    snprintf(detail, sizeof detail, "request body exceeds %zu bytes", body_limit(rq));
    return reply_problem(rq, PROBLEM_PAYLOAD_TOO_LARGE, detail, NULL);
  }
  enum http_step st = hooks->authenticate(rq);
  if (st != HTTP_STEP_OK)
    return http_step_result(st);
  if (rq->route->body == ROUTE_NO_BODY) {
    if (rq->body_len > 0)
      return reply_problem(rq, PROBLEM_UNEXPECTED_BODY, NULL, NULL);
  } else if (rq->route->body == ROUTE_UPLOAD_BODY) {
    st = upload_read(rq);
    if (st != HTTP_STEP_OK)
      return http_step_result(st);
  } else if (rq->route->body == ROUTE_OPTIONAL_JSON_BODY && rq->body_len == 0 &&
             http_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE) == NULL) {
    rq->json = json_object();
    if (rq->json == NULL)
      return MHD_NO;
  } else {
    if (!is_json_content_type(http_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE)))
      return reply_problem(rq, PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL, NULL);
    st = jsonin_parse_body(rq);
    if (st != HTTP_STEP_OK)
      return http_step_result(st);
  }
  st = hooks->admit(rq);
  if (st != HTTP_STEP_OK)
    return http_step_result(st);
  return hooks->run(rq);
}

/* A thread serves many connections, one call at a time: a transaction left
 * open by one call would take in whatever the next does, for any client.
 * None is ever open between calls (hooks->run ends its own); should one
 * be, it is rolled back here, before it takes in anything more. */
static void end_stray_transaction(const char *where)
{
  if (!db_txn_open())
    return;
  log_error("a transaction was left open on this thread; rolled back %s", where);
  db_rollback();
}

/* libmicrohttpd's epoll loop is edge-triggered and takes a short read to
 * mean the socket is drained. A client's FIN that arrived with the end of
 * what it sent (a health checker that shuts down its sending side after
 * the request, a body cut short) is then never read: no new edge comes,
 * and the connection waits in CLOSE-WAIT until the idle timeout, counted
 * against its address's limit. So when a request is complete, and while a
 * body may still come, look: when a peek reads end of file, the client will
 * send nothing more, and shutdown(SHUT_RD), which changes nothing on the
 * wire once the FIN is in, wakes the socket's waiters. The loop then finds
 * the socket readable and reads the end of file itself when it next reads:
 * after the reply, and after requests pipelined before the FIN; a body cut
 * short closes at once. (A FIN inside the headers is not seen here; such a
 * connection closes at the idle timeout, like any stalled one.) */
static void notice_client_eof(struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  char byte;
  if (ci != NULL && recv(ci->connect_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
    shutdown(ci->connect_fd, SHUT_RD);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
  end_stray_transaction("before a request");
  struct http_request *rq = *con_cls;
  if (rq == NULL) {
    rq = request_new(conn, url, method);
    if (rq == NULL)
      return MHD_NO;
    *con_cls = rq;
    /* What is turned away during the shutdown is not waited for. */
    rq->after_shutdown = http_draining();
    if (!rq->after_shutdown)
      atomic_fetch_add(&requests_in_flight, 1);
    metrics_in_flight(1);
    /* A body declared too large, or with an ambiguous length, is refused
     * before it is read; MHD then closes the connection instead of reading
     * the body. */
    if (rq->body_too_large || rq->framing_ambiguous)
      return dispatch(rq);
    /* The client may have stopped before the body it announced. */
    if (http_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH) != NULL ||
        http_header(rq, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
      notice_client_eof(conn);
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    size_t size = *upload_data_size;
    *upload_data_size = 0;
    if (rq->status != 0)
      return MHD_YES; /* already answered; the rest of the body is dropped */
    notice_client_eof(conn);
    return append_body(rq, upload_data, size) ? MHD_YES : MHD_NO;
  }
  if (rq->status != 0)
    return MHD_YES;
  if (rq->async != NULL)
    return hooks->run(rq); /* resumed after a suspension */
  notice_client_eof(conn);
  return dispatch(rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
  end_stray_transaction("before a request's completion");
  struct http_request *rq = *con_cls;
  if (rq == NULL)
    return;
  *con_cls = NULL;
  bool counted = !rq->after_shutdown;
  int64_t duration = clock_mono_us() - rq->start_us;
  struct log_request line = {rq->request_id, rq->method,
                             rq->path,       rq->status,
                             duration,       rq->authenticated ? rq->session.account.id : 0,
                             rq->client_addr};
  log_request(&line);
  metrics_observe(rq->route, rq->status, duration);
  hooks->finish(rq);
  if (rq->async_free != NULL)
    rq->async_free(rq->async);
  json_decref(rq->json);
  free(rq->body);
  free(rq);
  metrics_in_flight(-1);
  if (counted)
    atomic_fetch_sub(&requests_in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  msg[strcspn(msg, "\n")] = '\0';
  log_debug("libmicrohttpd: %s", msg);
}

/* Decodes %HH escapes in the path and query as libmicrohttpd does, except
 * that a decoded NUL becomes DEL (0x7f). The path and the query values
 * reach us as C strings: a NUL would cut "/v1/shops/1%00/orders" down to
 * "/v1/shops/1", which then answered as that other route, and "limit=1%00x"
 * down to "limit=1". DEL matches no route and no number, time or enum. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
  (void)cls;
  (void)conn;
  size_t len = MHD_http_unescape(s);
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\0')
      s[i] = '\x7f';
  return len;
}

static struct MHD_Daemon *start(unsigned flags)
{
  return MHD_start_daemon(
      flags, (uint16_t)config.port, NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE,
      config.threads, MHD_OPTION_CONNECTION_LIMIT, config.connection_limit,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, config.per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT,
      config.connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, config.connection_memory,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
      MHD_OPTION_END);
}

/* Every connection takes a descriptor, beside the database connections and
 * each thread's epoll and wake-up descriptors. Where the soft limit on open
 * files is below that (systemd's default is 1024), connections past it
 * would wait unanswered in the listen queue and reconnecting to PostgreSQL
 * would fail: raise it as far as the hard limit allows, and say so when
 * that is not enough. */
static void raise_file_limit(void)
{
  rlim_t want = (rlim_t)config.connection_limit + 3 * (rlim_t)config.threads +
                (rlim_t)config.hash_workers + 32;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
    return;
  rlim_t was = rl.rlim_cur;
  rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
  if (rl.rlim_cur > was && setrlimit(RLIMIT_NOFILE, &rl) != 0)
    rl.rlim_cur = was;
  if (rl.rlim_cur < want)
    log_warn("open file limit %llu is below the %llu that MERCHANTD_CONNECTION_LIMIT %u needs; "
             "connections past it wait unanswered",
             (unsigned long long)rl.rlim_cur, (unsigned long long)want, config.connection_limit);
}

bool http_start(const struct http_hooks *h)
{
  hooks = h;
  randombytes_buf(&request_id_prefix, sizeof request_id_prefix);
  raise_file_limit();
  unsigned flags =
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  /* Both IPv6 and IPv4 where the machine has IPv6, IPv4 alone otherwise. */
  daemon_handle = start(flags | MHD_USE_DUAL_STACK);
  if (daemon_handle == NULL)
    daemon_handle = start(flags);
  if (daemon_handle == NULL) {
    log_error("could not listen on port %u", config.port);
    return false;
  }
  return true;
}

/* libmicrohttpd's own way to stop accepting, MHD_quiesce_daemon, races its
 * epoll worker threads for the listening socket, and the loser aborts the
 * process. The listening socket therefore stays open until http_stop, and
 * what arrives meanwhile is turned away with a reply a client or balancer
 * can act on: 503 with Retry-After, over a connection that then closes. */
void http_drain(unsigned grace_ms)
{
  http_set_draining();
  for (unsigned waited = 0; waited < grace_ms && atomic_load(&requests_in_flight) > 0; waited += 10)
    clock_sleep_ms(10);
}

void http_stop(void)
{
  MHD_stop_daemon(daemon_handle);
  daemon_handle = NULL;
}
