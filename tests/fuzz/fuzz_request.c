/* libFuzzer harness: one HTTP request through the real request path.
 *
 * The input is a request in a small text form:
 *
 *   ROLE METHOD TARGET
 *   Header-Name: value
 *   ...
 *   <empty line>
 *   body bytes (anything, NUL included)
 *
 * ROLE is who the bearer token belongs to: merchant, buyer, reviewer (a
 * live session of that role; a reviewer is staff with the permissions
 * review, finance, campaigns and support), staff (staff with no permission), expired, replaced,
 * loggedout, unknown (no such session), dbdown (the lookup itself fails) or anon (no token unless
 * the input sends an Authorization header). Headers named X-Fuzz-* steer the harness and are not
 * sent: X-Fuzz-Idem (fresh, running, mismatch, replay, down: what the Idempotency-Key lookup
 * answers), X-Fuzz-Chunk (the body is uploaded in pieces of that many bytes), X-Fuzz-Hash (busy:
 * the password hash pool, or the image pool, is full).
 *
 * The server's core library runs as it is, from request_new to on_completed,
 * for every route of the route table. What needs a live connection is
 * replaced at link time (-Wl,--wrap): libmicrohttpd's connection calls read
 * the parsed input and record the reply; the session, Idempotency-Key and
 * hash pool steps answer as the input asks; everything else that touches the
 * database really runs against a closed loopback port and fails fast, so a
 * request that passes validation answers 503. After each request the harness
 * checks that the handler returned MHD_YES and queued exactly one reply (none
 * only when the client went away mid-upload), that its status is below 500
 * (503 only as database_unavailable, or server_busy with X-Fuzz-Hash: busy),
 * that it carries X-Request-Id (and no-store, WWW-Authenticate, Allow where
 * due), that JSON replies parse and problems are well formed, that no
 * handler runs for a caller without a live session of a role it takes and a
 * live session of another role gets 403, and that no json_pack call failed
 * (its NULL is appended nowhere: an error, unknown_field say, silently goes
 * missing, or a reply cannot be written). At exit it prints how many routes'
 * handlers ran; POST /v1/test/jobs/run is left out (see skipped_route).
 * FUZZ_VERBOSE=1 prints each request and its reply. */
#include "accounts.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "datakey.h"
#include "db.h"
#include "gate.h"
#include "hashpool.h"
#include "idempotency_keys.h"
#include "image.h"
#include "imagepool.h"
#include "metrics.h"
#include "payprovider.h"
#include "routes.h"
#include "sign.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_HEADERS 32
#define MAX_ARGS    64
#define BODY_LIMIT  "4096"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the request the input describes ---- */

/* REVIEWER: staff with the permissions review, finance, campaigns and support; STAFF: staff with
 * none (new roles go last, so the corpus keeps its meaning). */
enum role { ANON, MERCHANT, BUYER, REVIEWER, EXPIRED, REPLACED, LOGGEDOUT, UNKNOWN, DBDOWN, STAFF };
enum idem_mode { IDEM_FRESH, IDEM_RUNNING, IDEM_MISMATCH, IDEM_REPLAY, IDEM_DOWN };

struct kv {
  char *key;
  char *value; /* NULL for a query argument without '=' */
};

/* Stands in for struct MHD_Connection: the harness hands its address to the
 * server, which only ever passes it back to the wrapped calls below. */
struct fake_conn {
  enum role role;
  enum idem_mode idem;
  bool hash_busy;
  struct kv headers[MAX_HEADERS];
  size_t nheaders;
  struct kv args[MAX_ARGS];
  size_t nargs;

  bool suspended, resume_pending;
  int queued;
  unsigned status;
  char *reply;      /* a copy of the reply body (buffer responses) */
  size_t reply_len; /* of the copy */
  bool reply_known; /* the body came from MHD_create_response_from_buffer */
  char *content_type;
  bool has_request_id, has_no_store, has_www_authenticate, has_allow, closes;
  bool framing_ambiguous; /* Content-Length twice, or with Transfer-Encoding */

  long route_index; /* of the matched route, -1 for none */
  bool handler_called;
};

static struct fake_conn *current;
/* FUZZ_VERBOSE=1: each request and its reply on stderr, for looking at seeds. */
static bool verbose;

/* ---- what the real server registered with MHD_start_daemon ---- */

static MHD_AccessHandlerCallback on_request;
static void *on_request_cls;
static MHD_RequestCompletedCallback on_completed;
static void *on_completed_cls;
static char fake_daemon;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("fuzz_request: invariant broken: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

/* Reads the options http.c passes, by their documented argument types, to
 * find the completion callback. */
struct MHD_Daemon *__wrap_MHD_start_daemon(unsigned int flags, uint16_t port,
                                           MHD_AcceptPolicyCallback apc, void *apc_cls,
                                           MHD_AccessHandlerCallback dh, void *dh_cls, ...);
struct MHD_Daemon *__wrap_MHD_start_daemon(unsigned int flags, uint16_t port,
                                           MHD_AcceptPolicyCallback apc, void *apc_cls,
                                           MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
  on_request = dh;
  on_request_cls = dh_cls;
  va_list ap;
  va_start(ap, dh_cls);
  for (;;) {
    enum MHD_OPTION opt = va_arg(ap, enum MHD_OPTION);
    switch (opt) {
    case MHD_OPTION_END:
      va_end(ap);
      return (struct MHD_Daemon *)&fake_daemon;
    case MHD_OPTION_CONNECTION_MEMORY_LIMIT:
    case MHD_OPTION_THREAD_STACK_SIZE:
    case MHD_OPTION_CONNECTION_MEMORY_INCREMENT:
      (void)va_arg(ap, size_t);
      break;
    case MHD_OPTION_CONNECTION_LIMIT:
    case MHD_OPTION_CONNECTION_TIMEOUT:
    case MHD_OPTION_PER_IP_CONNECTION_LIMIT:
    case MHD_OPTION_THREAD_POOL_SIZE:
    case MHD_OPTION_NONCE_NC_SIZE:
    case MHD_OPTION_TCP_FASTOPEN_QUEUE_SIZE:
    case MHD_OPTION_LISTENING_ADDRESS_REUSE:
    case MHD_OPTION_LISTEN_BACKLOG_SIZE:
    case MHD_OPTION_SERVER_INSANITY:
    case MHD_OPTION_HTTPS_CRED_TYPE:
      (void)va_arg(ap, unsigned int);
      break;
    case MHD_OPTION_LISTEN_SOCKET:
    case MHD_OPTION_STRICT_FOR_CLIENT:
    case MHD_OPTION_SIGPIPE_HANDLED_BY_APP:
    case MHD_OPTION_TLS_NO_ALPN:
      (void)va_arg(ap, int);
      break;
    case MHD_OPTION_NOTIFY_COMPLETED:
      on_completed = va_arg(ap, MHD_RequestCompletedCallback);
      on_completed_cls = va_arg(ap, void *);
      break;
    case MHD_OPTION_URI_LOG_CALLBACK:
    case MHD_OPTION_EXTERNAL_LOGGER:
    case MHD_OPTION_UNESCAPE_CALLBACK:
    case MHD_OPTION_NOTIFY_CONNECTION:
    case MHD_OPTION_GNUTLS_PSK_CRED_HANDLER:
      (void)va_arg(ap, void *);
      (void)va_arg(ap, void *);
      break;
    case MHD_OPTION_DIGEST_AUTH_RANDOM:
      (void)va_arg(ap, size_t);
      (void)va_arg(ap, void *);
      break;
    case MHD_OPTION_SOCK_ADDR:
    case MHD_OPTION_HTTPS_MEM_KEY:
    case MHD_OPTION_HTTPS_MEM_CERT:
    case MHD_OPTION_HTTPS_PRIORITIES:
    case MHD_OPTION_HTTPS_MEM_TRUST:
    case MHD_OPTION_HTTPS_CERT_CALLBACK:
    case MHD_OPTION_HTTPS_MEM_DHPARAMS:
    case MHD_OPTION_HTTPS_KEY_PASSWORD:
    case MHD_OPTION_HTTPS_CERT_CALLBACK2:
      (void)va_arg(ap, void *);
      break;
    default:
      fprintf(stderr, "fuzz_request: MHD option %d is unknown to the harness\n", (int)opt);
      abort();
    }
  }
}

/* ---- libmicrohttpd's connection calls, served from the input ---- */

static struct fake_conn *conn_of(struct MHD_Connection *c)
{
  if ((struct fake_conn *)c != current)
    fail("a connection call names another connection");
  return current;
}

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                               const char *key);
const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                               const char *key)
{
  struct fake_conn *fc = conn_of(c);
  /* libmicrohttpd compares names without regard to case, for every kind. */
  if (kind == MHD_HEADER_KIND) {
    for (size_t i = 0; i < fc->nheaders; i++)
      if (strcasecmp(fc->headers[i].key, key) == 0)
        return fc->headers[i].value;
  } else if (kind == MHD_GET_ARGUMENT_KIND) {
    for (size_t i = 0; i < fc->nargs; i++)
      if (strcasecmp(fc->args[i].key, key) == 0)
        return fc->args[i].value;
  }
  return NULL;
}

int __wrap_MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                     MHD_KeyValueIterator it, void *cls);
int __wrap_MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                     MHD_KeyValueIterator it, void *cls)
{
  struct fake_conn *fc = conn_of(c);
  const struct kv *list = kind == MHD_HEADER_KIND ? fc->headers : fc->args;
  size_t n = kind == MHD_HEADER_KIND ? fc->nheaders : kind == MHD_GET_ARGUMENT_KIND ? fc->nargs : 0;
  int done = 0;
  for (size_t i = 0; i < n; i++) {
    done++;
    if (it != NULL && it(cls, kind, list[i].key, list[i].value) != MHD_YES)
      break;
  }
  return done;
}

const union MHD_ConnectionInfo *
__wrap_MHD_get_connection_info(struct MHD_Connection *c, enum MHD_ConnectionInfoType type, ...);
const union MHD_ConnectionInfo *
__wrap_MHD_get_connection_info(struct MHD_Connection *c, enum MHD_ConnectionInfoType type, ...)
{
  static struct sockaddr_in addr;
  static union MHD_ConnectionInfo info;
  conn_of(c);
  if (type != MHD_CONNECTION_INFO_CLIENT_ADDRESS)
    return NULL;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  info.client_addr = (struct sockaddr *)&addr;
  return &info;
}

void __wrap_MHD_suspend_connection(struct MHD_Connection *c);
void __wrap_MHD_suspend_connection(struct MHD_Connection *c)
{
  struct fake_conn *fc = conn_of(c);
  if (fc->suspended)
    fail("a suspended connection was suspended again");
  fc->suspended = true;
}

void __wrap_MHD_resume_connection(struct MHD_Connection *c);
void __wrap_MHD_resume_connection(struct MHD_Connection *c)
{
  struct fake_conn *fc = conn_of(c);
  if (!fc->suspended || fc->resume_pending)
    fail("a connection was resumed without being suspended");
  fc->resume_pending = true;
}

/* The body of the latest buffer response, to read back what was queued. */
static struct MHD_Response *last_response;
static const void *last_buffer;
static size_t last_size;

struct MHD_Response *__real_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode);
struct MHD_Response *__wrap_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode);
struct MHD_Response *__wrap_MHD_create_response_from_buffer(size_t size, void *buffer,
                                                            enum MHD_ResponseMemoryMode mode)
{
  struct MHD_Response *r = __real_MHD_create_response_from_buffer(size, buffer, mode);
  last_response = r;
  last_buffer = buffer;
  last_size = size;
  return r;
}

enum MHD_Result __wrap_MHD_queue_response(struct MHD_Connection *c, unsigned int status,
                                          struct MHD_Response *resp);
enum MHD_Result __wrap_MHD_queue_response(struct MHD_Connection *c, unsigned int status,
                                          struct MHD_Response *resp)
{
  struct fake_conn *fc = conn_of(c);
  if (resp == NULL)
    fail("a NULL response was queued");
  if (fc->queued++ > 0)
    fail("a second response was queued (status %u after %u)", status, fc->status);
  if (fc->suspended && !fc->resume_pending)
    fail("a response was queued on a suspended connection");
  fc->status = status;
  const char *ct = MHD_get_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE);
  fc->content_type = ct != NULL ? strdup(ct) : NULL;
  fc->has_request_id = MHD_get_response_header(resp, "X-Request-Id") != NULL;
  const char *cc = MHD_get_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL);
  fc->has_no_store = cc != NULL && strcmp(cc, "no-store") == 0;
  fc->has_www_authenticate =
      MHD_get_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE) != NULL;
  fc->has_allow = MHD_get_response_header(resp, MHD_HTTP_HEADER_ALLOW) != NULL;
  const char *connection = MHD_get_response_header(resp, MHD_HTTP_HEADER_CONNECTION);
  fc->closes = connection != NULL && strcmp(connection, "close") == 0;
  if (resp == last_response) {
    fc->reply_known = true;
    fc->reply = malloc(last_size + 1);
    if (fc->reply == NULL)
      abort();
    if (last_size > 0)
      memcpy(fc->reply, last_buffer, last_size);
    fc->reply[last_size] = '\0';
    fc->reply_len = last_size;
  }
  return MHD_YES;
}

/* ---- the steps that answer as the input asks ---- */

enum db_status __real_db_session_lookup(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                        struct db_session *out);
enum db_status __wrap_db_session_lookup(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                        struct db_session *out);
enum db_status __wrap_db_session_lookup(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                        struct db_session *out)
{
  enum role role = current->role;
  if (role == DBDOWN)
    return __real_db_session_lookup(token_hash, out);
  if (role == ANON || role == UNKNOWN)
    return DB_NONE;
  static const struct {
    const char *role;
    int64_t id;
  } accounts[] = {{"merchant", 101}, {"buyer", 202}, {"staff", 303}};
  size_t a = role == BUYER ? 1 : role == REVIEWER || role == STAFF ? 2 : 0;
  int64_t now = clock_now_us();
  memset(out, 0, sizeof *out);
  out->id = 9;
  out->account.id = accounts[a].id;
  snprintf(out->account.role, sizeof out->account.role, "%s", accounts[a].role);
  snprintf(out->account.username, sizeof out->account.username, "fuzz_%s", accounts[a].role);
  snprintf(out->account.display_name, sizeof out->account.display_name, "Fuzz %s",
           accounts[a].role);
  out->account.created_at = now - 86400 * CLOCK_US_PER_SEC;
  out->account.permissions =
      role == REVIEWER ? DB_PERMISSION_REVIEW | DB_PERMISSION_FINANCE | DB_PERMISSION_CAMPAIGNS |
                             DB_PERMISSION_SUPPORT | DB_PERMISSION_COMMUNITY | DB_PERMISSION_GROWTH
                       : 0;
  out->expires_at = role == EXPIRED ? now - 1 : now + 86400 * CLOCK_US_PER_SEC;
  out->end = role == REPLACED    ? DB_SESSION_REPLACED
             : role == LOGGEDOUT ? DB_SESSION_LOGGED_OUT
                                 : DB_SESSION_LIVE;
  if (out->end != DB_SESSION_LIVE)
    out->ended_at = now - CLOCK_US_PER_SEC;
  if (out->end == DB_SESSION_REPLACED)
    snprintf(out->replaced_by_device, sizeof out->replaced_by_device, "phone");
  return DB_ONE;
}

enum db_status __real_db_idem_begin(int64_t account_id, const char *key,
                                    const unsigned char hash[DB_IDEM_HASH_SIZE], int64_t now,
                                    int64_t stale_before, struct db_idem *out);
enum db_status __wrap_db_idem_begin(int64_t account_id, const char *key,
                                    const unsigned char hash[DB_IDEM_HASH_SIZE], int64_t now,
                                    int64_t stale_before, struct db_idem *out);
enum db_status __wrap_db_idem_begin(int64_t account_id, const char *key,
                                    const unsigned char hash[DB_IDEM_HASH_SIZE], int64_t now,
                                    int64_t stale_before, struct db_idem *out)
{
  memset(out, 0, sizeof *out);
  switch (current->idem) {
  case IDEM_DOWN:
    return __real_db_idem_begin(account_id, key, hash, now, stale_before, out);
  case IDEM_FRESH:
    out->state = DB_IDEM_FRESH;
    return DB_ONE;
  case IDEM_RUNNING:
    out->state = DB_IDEM_RUNNING;
    return DB_ONE;
  case IDEM_MISMATCH:
    out->state = DB_IDEM_MISMATCH;
    return DB_ONE;
  case IDEM_REPLAY:
    out->state = DB_IDEM_REPLAY;
    out->status = 201;
    out->content_type = strdup("application/json");
    out->body = strdup("{\"id\":1}");
    if (out->content_type == NULL || out->body == NULL)
      abort();
    return DB_ONE;
  }
  return DB_HARD_ERROR;
}

/* The hash pool's worker, run at once on this thread and without the
 * argon2id cost: the job's outcome write then fails like every database
 * call, and the request is resumed as a worker would resume it. */
bool __wrap_hashpool_submit(struct hashpool_job *job);
bool __wrap_hashpool_submit(struct hashpool_job *job)
{
  if (current->hash_busy)
    return false;
  if (job->kind == HASHPOOL_CREATE) {
    snprintf(job->hash, sizeof job->hash, "$argon2id$v=19$m=65536,t=2,p=1$fuzz$fuzz");
    job->ok = true;
  } else {
    job->rehash[0] = '\0';
    job->ok = false;
  }
  memset(job->password, 0, sizeof job->password);
  job->done(job, job->arg);
  return true;
}

/* The image pool, run at once on this thread: the header of the upload is
 * read with the real limits (image_check), and a file that passes counts as
 * stored without writing anything, so the handler goes on to its database
 * write, which fails like every other. X-Fuzz-Hash: busy also stands for a
 * full image queue. */
bool __wrap_imagepool_submit(struct imagepool_job *job);
bool __wrap_imagepool_submit(struct imagepool_job *job)
{
  if (current->hash_busy)
    return false;
  job->result = image_check(job->data, job->len, &job->header, job->reason);
  if (job->result == IMAGE_OK) {
    memset(job->sha256, 'a', 64);
    job->sha256[64] = '\0';
    job->bytes = job->len;
  }
  job->done(job, job->arg);
  return true;
}

/* A json_pack that fails has been handed a bad string (not UTF-8, say) and
 * returns NULL, which the callers append nowhere: an error or a field of a
 * reply would silently go missing. Allocation failures do not happen here. */
json_t *__wrap_json_pack(const char *fmt, ...);
json_t *__wrap_json_pack(const char *fmt, ...)
{
  json_error_t err;
  va_list ap;
  va_start(ap, fmt);
  json_t *v = json_vpack_ex(&err, 0, fmt, ap);
  va_end(ap);
  if (v == NULL)
    fail("json_pack(\"%s\") failed: %s", fmt, err.text);
  return v;
}

/* ---- which handlers ran: the route table seen through a shadow copy ---- */

static const struct route *routes;
static size_t route_count;
static struct route *shadow;
static unsigned long *reached;

static enum MHD_Result trampoline(struct http_request *rq)
{
  size_t i = (size_t)(rq->route - shadow);
  reached[i]++;
  current->handler_called = true;
  return routes[i].handler(rq);
}

void __real_router_match(const char *method, const char *path, const struct route **route,
                         int64_t ids[HTTP_MAX_PATH_IDS], char file[HTTP_FILE_SIZE], char *allow,
                         size_t allow_size);
void __wrap_router_match(const char *method, const char *path, const struct route **route,
                         int64_t ids[HTTP_MAX_PATH_IDS], char file[HTTP_FILE_SIZE], char *allow,
                         size_t allow_size);
void __wrap_router_match(const char *method, const char *path, const struct route **route,
                         int64_t ids[HTTP_MAX_PATH_IDS], char file[HTTP_FILE_SIZE], char *allow,
                         size_t allow_size)
{
  __real_router_match(method, path, route, ids, file, allow, allow_size);
  if (*route == NULL)
    return;
  size_t i = router_index(*route);
  shadow[i] = **route;
  shadow[i].handler = trampoline;
  *route = &shadow[i];
  current->route_index = (long)i;
}

void __real_metrics_observe(const struct route *route, unsigned status, int64_t duration_us);
void __wrap_metrics_observe(const struct route *route, unsigned status, int64_t duration_us);
void __wrap_metrics_observe(const struct route *route, unsigned status, int64_t duration_us)
{
  if (route != NULL)
    route = &routes[route - shadow];
  __real_metrics_observe(route, status, duration_us);
}

/* Routes left out, with why. */
static bool skipped_route(const struct route *r)
{
  /* Test mode only; runs every background job against the database and
   * reports a failed job as 500 by design. */
  return strcmp(r->pattern, "/v1/test/jobs/run") == 0;
}

static void report_routes(void)
{
  size_t hit = 0, total = 0;
  for (size_t i = 0; i < route_count; i++) {
    if (skipped_route(&routes[i]))
      continue;
    total++;
    hit += reached[i] > 0;
  }
  fprintf(stderr, "fuzz_request: handlers reached for %zu of %zu routes\n", hit, total);
  for (size_t i = 0; i < route_count; i++)
    if (!skipped_route(&routes[i]) && reached[i] == 0)
      fprintf(stderr, "fuzz_request: handler not reached: %s %s\n", routes[i].method,
              routes[i].pattern);
}

/* ---- parsing the input ---- */

static int hexval(char c)
{
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* %XX decoding as libmicrohttpd's default unescaper does it (a bad escape
 * stays as it is); plus, for query arguments, '+' as a space. */
static char *unescape(const char *s, size_t n, bool plus)
{
  char *out = malloc(n + 1);
  if (out == NULL)
    abort();
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out[o++] = plus && s[i] == '+' ? ' ' : s[i];
    }
  }
  out[o] = '\0';
  return out;
}

static char *dup_n(const char *s, size_t n)
{
  char *out = malloc(n + 1);
  if (out == NULL)
    abort();
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

static void parse_query(struct fake_conn *fc, const char *q, size_t n)
{
  size_t start = 0;
  while (start <= n && fc->nargs < MAX_ARGS) {
    size_t end = start;
    while (end < n && q[end] != '&')
      end++;
    if (end > start) {
      const char *piece = q + start;
      size_t len = end - start;
      const char *eq = memchr(piece, '=', len);
      struct kv *a = &fc->args[fc->nargs++];
      if (eq == NULL) {
        a->key = unescape(piece, len, true);
        a->value = NULL;
      } else {
        a->key = unescape(piece, (size_t)(eq - piece), true);
        a->value = unescape(eq + 1, len - (size_t)(eq - piece) - 1, true);
      }
    }
    start = end + 1;
  }
}

static enum role role_named(const char *s, size_t n)
{
  static const char *const names[] = {"anon",     "merchant",  "buyer",   "reviewer", "expired",
                                      "replaced", "loggedout", "unknown", "dbdown",   "staff"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
      return (enum role)i;
  return ANON;
}

static enum idem_mode idem_named(const char *s)
{
  static const char *const names[] = {"fresh", "running", "mismatch", "replay", "down"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i], s) == 0)
      return (enum idem_mode)i;
  return IDEM_FRESH;
}

static void add_header(struct fake_conn *fc, const char *name, size_t nlen, const char *value,
                       size_t vlen)
{
  if (fc->nheaders == MAX_HEADERS)
    return;
  struct kv *h = &fc->headers[fc->nheaders++];
  h->key = dup_n(name, nlen);
  h->value = dup_n(value, vlen);
}

struct parsed {
  char *method;
  char *path;
  const char *body;
  size_t body_len;
  size_t chunk;
  bool has_content_length, chunked;
  const char *content_length;
};

/* The body's length told twice: the server refuses such a request first. */
static bool framing_ambiguous(const struct fake_conn *fc)
{
  unsigned lengths = 0;
  bool chunked = false;
  for (size_t i = 0; i < fc->nheaders; i++) {
    lengths += strcasecmp(fc->headers[i].key, "Content-Length") == 0;
    chunked |= strcasecmp(fc->headers[i].key, "Transfer-Encoding") == 0;
  }
  return lengths > 1 || (lengths == 1 && chunked);
}

/* False when libmicrohttpd would not hand such a request to the server. */
static bool parse_input(struct fake_conn *fc, const char *in, size_t size, struct parsed *p)
{
  const char *end = in + size;
  const char *eol = memchr(in, '\n', size);
  const char *line_end = eol != NULL ? eol : end;
  size_t line_len = (size_t)(line_end - in);
  if (line_len > 0 && in[line_len - 1] == '\r')
    line_len--;
  const char *sp1 = memchr(in, ' ', line_len);
  if (sp1 == NULL)
    return false;
  fc->role = role_named(in, (size_t)(sp1 - in));
  const char *m = sp1 + 1;
  const char *sp2 = memchr(m, ' ', (size_t)(in + line_len - m));
  if (sp2 == NULL || sp2 == m)
    return false;
  p->method = dup_n(m, (size_t)(sp2 - m));
  const char *target = sp2 + 1;
  size_t tlen = (size_t)(in + line_len - target);
  if (memchr(p->method, '\0', (size_t)(sp2 - m)) != NULL || memchr(target, '\0', tlen) != NULL)
    return false;
  const char *qm = memchr(target, '?', tlen);
  size_t plen = qm != NULL ? (size_t)(qm - target) : tlen;
  p->path = unescape(target, plen, false);
  if (qm != NULL)
    parse_query(fc, qm + 1, tlen - plen - 1);

  const char *cur = eol != NULL ? eol + 1 : end;
  bool has_auth = false;
  while (cur < end) {
    const char *nl = memchr(cur, '\n', (size_t)(end - cur));
    const char *le = nl != NULL ? nl : end;
    size_t len = (size_t)(le - cur);
    if (len > 0 && cur[len - 1] == '\r')
      len--;
    const char *next = nl != NULL ? nl + 1 : end;
    if (len == 0) {
      cur = next;
      p->body = cur;
      p->body_len = (size_t)(end - cur);
      break;
    }
    const char *colon = memchr(cur, ':', len);
    if (colon != NULL && colon != cur && memchr(cur, '\0', len) == NULL) {
      size_t nlen = (size_t)(colon - cur);
      const char *v = colon + 1, *ve = cur + len;
      while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
      size_t vlen = (size_t)(ve - v);
      char value[64];
      snprintf(value, sizeof value, "%.*s", (int)(vlen < 63 ? vlen : 63), v);
      if (nlen == 11 && strncasecmp(cur, "X-Fuzz-Idem", nlen) == 0) {
        fc->idem = idem_named(value);
      } else if (nlen == 12 && strncasecmp(cur, "X-Fuzz-Chunk", nlen) == 0) {
        p->chunk = strtoul(value, NULL, 10);
      } else if (nlen == 11 && strncasecmp(cur, "X-Fuzz-Hash", nlen) == 0) {
        fc->hash_busy = strcmp(value, "busy") == 0;
      } else {
        if (nlen == 13 && strncasecmp(cur, "Authorization", nlen) == 0)
          has_auth = true;
        if (nlen == 14 && strncasecmp(cur, "Content-Length", nlen) == 0)
          p->has_content_length = true;
        if (nlen == 17 && strncasecmp(cur, "Transfer-Encoding", nlen) == 0)
          p->chunked = true;
        add_header(fc, cur, nlen, v, vlen);
      }
    }
    cur = next;
  }
  /* A caller with a session sends a well-formed token unless the input
   * brings its own Authorization header. */
  if (!has_auth && fc->role != ANON) {
    static const char auth[] = "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    add_header(fc, "Authorization", 13, auth, sizeof auth - 1);
  }
  fc->framing_ambiguous = framing_ambiguous(fc);
  if (p->has_content_length) {
    p->content_length = __wrap_MHD_lookup_connection_value((struct MHD_Connection *)fc,
                                                           MHD_HEADER_KIND, "Content-Length");
    if (p->content_length == NULL)
      return false; /* beyond MAX_HEADERS */
    /* libmicrohttpd answers 400 itself to a Content-Length that is not a
     * plain number. */
    if (p->content_length[0] == '\0' ||
        strspn(p->content_length, "0123456789") != strlen(p->content_length) ||
        strlen(p->content_length) > 18)
      return false;
  } else if (p->body_len > 0 && !p->chunked) {
    char n[24];
    int len = snprintf(n, sizeof n, "%zu", p->body_len);
    add_header(fc, "Content-Length", 14, n, (size_t)len);
  }
  return true;
}

/* ---- one request ---- */

static void call(struct fake_conn *fc, void **con_cls, const char *method, const char *path,
                 const char *upload, size_t *upload_size)
{
  enum MHD_Result r = on_request(on_request_cls, (struct MHD_Connection *)fc, path, method,
                                 "HTTP/1.1", upload, upload_size, con_cls);
  if (r != MHD_YES)
    fail("the access handler answered MHD_NO for %s %s (status %u queued %d)", method, path,
         fc->status, fc->queued);
}

static void check_problem(struct fake_conn *fc, json_t *doc)
{
  json_t *status = json_object_get(doc, "status");
  const char *code = json_string_value(json_object_get(doc, "code"));
  const char *type = json_string_value(json_object_get(doc, "type"));
  if (!json_is_integer(status) || json_integer_value(status) != (json_int_t)fc->status)
    fail("problem status does not match the HTTP status %u: %s", fc->status, fc->reply);
  if (code == NULL || type == NULL || strncmp(type, "urn:merchantd:problem:", 22) != 0 ||
      strcmp(type + 22, code) != 0)
    fail("problem without a matching type and code: %s", fc->reply);
  if (!json_is_string(json_object_get(doc, "request_id")) ||
      !json_is_string(json_object_get(doc, "title")) ||
      !json_is_string(json_object_get(doc, "detail")))
    fail("problem without request_id, title or detail: %s", fc->reply);
  if (fc->status == 503 && strcmp(code, "database_unavailable") != 0 &&
      !(fc->hash_busy && strcmp(code, "server_busy") == 0))
    fail("503 with code %s", code);
}

/* Authentication and role, for the routes dispatch checks them on (folded
 * ones check in their handler's query, which fails here). */
static void check_access(struct fake_conn *fc)
{
  const struct route *r = &routes[fc->route_index];
  const char *authz = __wrap_MHD_lookup_connection_value((struct MHD_Connection *)fc,
                                                         MHD_HEADER_KIND, "Authorization");
  unsigned access = r->access;
  if (access & ROUTE_OPTIONAL_AUTH) {
    /* Anonymous callers are taken; a token must be of a role the route
     * names (any role when it names none). */
    if (authz == NULL)
      return;
    access &= ROUTE_ANY_ROLE;
    if (access == 0)
      access = ROUTE_ANY_ROLE;
  }
  if ((access & ROUTE_ANY_ROLE) == 0 || (access & ROUTE_FOLDED_AUTH) != 0)
    return;
  unsigned char hash[DB_TOKEN_HASH_SIZE];
  unsigned bit = !auth_bearer_hash(authz, hash) ? 0
                 : fc->role == MERCHANT         ? ROUTE_MERCHANT
                 : fc->role == BUYER            ? ROUTE_BUYER
                 : fc->role == REVIEWER         ? ROUTE_STAFF
                 : fc->role == STAFF            ? ROUTE_STAFF
                                                : 0;
  /* No live session of a role the route takes: its handler never runs. */
  if ((bit & access) == 0 && fc->handler_called)
    fail("the handler of %s %s ran for a caller it does not take", r->method, r->pattern);
  /* A live session of another role is 403, whatever else the request
   * carries (only 404, 405 and 413 are decided before). */
  if (bit != 0 && (bit & access) == 0 && fc->status != 403 && fc->status != 413)
    fail("role outside %s %s answered %u, not 403", r->method, r->pattern, fc->status);
  /* Staff without the route's permission: 403 too, and no handler. */
  if (fc->role == STAFF && r->permission != 0 && (bit & access) != 0 &&
      (fc->handler_called || (fc->status != 403 && fc->status != 413)))
    fail("staff without the permission of %s %s answered %u", r->method, r->pattern, fc->status);
}

static void check_reply(struct fake_conn *fc, const struct parsed *p)
{
  if (fc->status < 100 || fc->status > 599)
    fail("status %u", fc->status);
  if (fc->status >= 500 && fc->status != 503)
    fail("status %u for %s %s: %s", fc->status, p->method, p->path,
         fc->reply != NULL ? fc->reply : "(stream)");
  if (!fc->has_request_id)
    fail("reply without X-Request-Id");
  if (strncmp(p->path, "/v1/", 4) == 0 && !fc->has_no_store)
    fail("reply under /v1/ without Cache-Control: no-store");
  if (fc->status == 401 && !fc->has_www_authenticate)
    fail("401 without WWW-Authenticate");
  if (fc->status == 405 && !fc->has_allow)
    fail("405 without Allow");
  bool problem =
      fc->content_type != NULL && strncmp(fc->content_type, "application/problem+json", 24) == 0;
  bool json = fc->content_type != NULL && strncmp(fc->content_type, "application/json", 16) == 0;
  if (fc->status == 503 && !problem)
    fail("503 that is not a problem");
  if (fc->reply_known && (problem || json)) {
    json_error_t err;
    json_t *doc = json_loadb(fc->reply, fc->reply_len, JSON_REJECT_DUPLICATES, &err);
    if (doc == NULL)
      fail("reply is not JSON (%s): %.200s", err.text, fc->reply);
    if (problem)
      check_problem(fc, doc);
    json_decref(doc);
  }
  if (fc->framing_ambiguous) {
    if (fc->status != 400 || !fc->closes)
      fail("ambiguous framing answered %u%s, not 400 and a closed connection", fc->status,
           fc->closes ? "" : " without Connection: close");
    return;
  }
  if (fc->route_index >= 0)
    check_access(fc);
}

static void conn_free(struct fake_conn *fc)
{
  for (size_t i = 0; i < fc->nheaders; i++) {
    free(fc->headers[i].key);
    free(fc->headers[i].value);
  }
  for (size_t i = 0; i < fc->nargs; i++) {
    free(fc->args[i].key);
    free(fc->args[i].value);
  }
  free(fc->reply);
  free(fc->content_type);
}

static void run(struct fake_conn *fc, struct parsed *p)
{
  size_t declared = p->body_len;
  if (p->has_content_length)
    declared = (size_t)strtoull(p->content_length, NULL, 10);
  /* libmicrohttpd reads the declared length: what follows belongs to the
   * next request, and a shorter body means the client went away. */
  size_t upload = p->chunked ? p->body_len : declared < p->body_len ? declared : p->body_len;
  bool aborted = !p->chunked && declared > p->body_len;

  void *con_cls = NULL;
  size_t zero = 0;
  call(fc, &con_cls, p->method, p->path, NULL, &zero);
  if (con_cls == NULL)
    fail("the first call kept no request context");
  if (fc->queued == 0) {
    size_t chunk = p->chunk > 0 ? p->chunk : upload;
    for (size_t off = 0; off < upload;) {
      size_t n = upload - off < chunk ? upload - off : chunk;
      size_t left = n;
      call(fc, &con_cls, p->method, p->path, p->body + off, &left);
      if (left == n)
        fail("upload data was not consumed");
      off += n - left;
    }
    if (!aborted) {
      zero = 0;
      call(fc, &con_cls, p->method, p->path, NULL, &zero);
      /* Resumed connections are called again, as libmicrohttpd does. */
      for (int rounds = 0; fc->queued == 0 && fc->suspended && fc->resume_pending; rounds++) {
        if (rounds == 8)
          fail("a request kept suspending itself");
        fc->suspended = false;
        fc->resume_pending = false;
        zero = 0;
        call(fc, &con_cls, p->method, p->path, NULL, &zero);
      }
      if (fc->queued == 0)
        fail("%s %s returned without a reply%s", p->method, p->path,
             fc->suspended ? " and stayed suspended" : " and without suspending");
    }
  }
  on_completed(on_completed_cls, (struct MHD_Connection *)fc, &con_cls,
               fc->queued > 0 ? MHD_REQUEST_TERMINATED_COMPLETED_OK
                              : MHD_REQUEST_TERMINATED_CLIENT_ABORT);
  if (con_cls != NULL)
    fail("the completion callback left the request context");
  if (verbose)
    fprintf(stderr, "fuzz_request: %s %s -> %u %.300s\n", p->method, p->path, fc->status,
            fc->reply != NULL ? fc->reply : "");
  if (fc->queued > 0)
    check_reply(fc, p);
}

/* A data key and a webhook secret, as a deployment has them: the routes
 * that need one then go on to the database like any other. */
static bool load_secrets(void)
{
  char key_path[] = "/tmp/fuzz-data-key-XXXXXX", secret_path[] = "/tmp/fuzz-webhook-XXXXXX";
  /* The secret as operators make it, 64 hex digits: raw random bytes
   * would sometimes end in a byte the loader trims as white space. */
  unsigned char key[32], raw[32];
  char secret[2 * sizeof raw + 1];
  randombytes_buf(key, sizeof key);
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
  int kfd = mkstemp(key_path), sfd = mkstemp(secret_path);
  bool ok = kfd >= 0 && sfd >= 0 && write(kfd, key, sizeof key) == (ssize_t)sizeof key &&
            write(sfd, secret, sizeof secret - 1) == (ssize_t)(sizeof secret - 1);
  if (kfd >= 0)
    close(kfd);
  if (sfd >= 0)
    close(sfd);
  ok = ok && datakey_load(key_path, NULL) && payprovider_init(secret_path);
  unlink(key_path);
  unlink(secret_path);
  return ok;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  /* Port 1 of the loopback address refuses at once: every database call
   * fails fast, as while PostgreSQL is down. */
  setenv("DATABASE_URL", "postgresql://fuzz@127.0.0.1:1/fuzz", 1);
  setenv("MERCHANTD_LOG_LEVEL", "error", 1);
  setenv("MERCHANTD_TEST_MODE", "1", 1);
  setenv("MERCHANTD_BODY_LIMIT", BODY_LIMIT, 1);
  setenv("MERCHANTD_THREADS", "1", 1);
  if (!config_load() || sodium_init() < 0 || !image_init() || !load_secrets())
    abort();
  db_init(config.database_url);
  /* The thread's connection slot is allocated once, here, so that later
   * inputs allocate and free alike (libFuzzer reruns an input that does not,
   * to look for leaks). */
  if (db_ping())
    abort();
  /* A statement key, so that the statement routes go on to the database
   * as they do in production (without one they answer 503 at once). */
  char key_path[] = "/tmp/merchantd-fuzz-statement.XXXXXX";
  unsigned char seed[crypto_sign_SEEDBYTES];
  char err[256];
  int fd = mkstemp(key_path);
  randombytes_buf(seed, sizeof seed);
  if (fd < 0 || write(fd, seed, sizeof seed) != (ssize_t)sizeof seed || close(fd) != 0 ||
      !sign_platform_load(key_path, err, sizeof err))
    abort();
  unlink(key_path);
  routes = routes_table(&route_count);
  router_init(routes, route_count);
  if (!metrics_init() || !http_start(&gate_hooks) || on_request == NULL || on_completed == NULL)
    abort();
  shadow = calloc(route_count, sizeof *shadow);
  reached = calloc(route_count, sizeof *reached);
  if (shadow == NULL || reached == NULL)
    abort();
  atexit(report_routes);
  verbose = getenv("FUZZ_VERBOSE") != NULL;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fake_conn fc = {.route_index = -1};
  struct parsed p = {0};
  current = &fc;
  if (parse_input(&fc, (const char *)data, size, &p)) {
    bool skip = false;
    for (size_t i = 0; i < route_count; i++)
      if (skipped_route(&routes[i]) && strcmp(p.path, routes[i].pattern) == 0)
        skip = true;
    if (!skip)
      run(&fc, &p);
  }
  conn_free(&fc);
  free(p.method);
  free(p.path);
  last_response = NULL;
  current = NULL;
  clock_unfreeze();
  return 0;
}
