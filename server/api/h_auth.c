/* POST /v1/auth/register, /v1/auth/login, /v1/auth/logout.
 *
 * Register and login are slow by design (argon2id) and end in a durable
 * write. Both run on the hash pool: the request is suspended, a worker
 * hashes and then writes (its own database connection waits for the
 * commit), and the handler is called again only to reply. HTTP threads
 * thus never wait for a hash or a commit of a login. */
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "credentials.h"
#include "handlers.h"
#include "hashpool.h"
#include "jsonin.h"
#include "reply.h"
#include "view.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SIZE (HTTP_ADDR_SIZE + 8)

/* What a suspended register or login keeps until it is resumed. */
struct auth_wait {
  struct hashpool_job job;
  struct http_request *rq;
  /* Runs on the hash worker once the hash is done; records the outcome. */
  void (*persist)(struct auth_wait *w);
  bool refused; /* the hash pool was full: answer 503 */

  char role[DB_ROLE_SIZE];
  char username[DB_USERNAME_SIZE];
  char display_name[DB_DISPLAY_NAME_SIZE];
  char device[DB_DEVICE_SIZE];
  char user_key[KEY_SIZE], ip_key[KEY_SIZE]; /* login throttling */
  bool known;                                /* login: the username exists */

  /* The outcome, written on the worker. */
  enum db_status st;
  struct db_account account;
  char token[AUTH_TOKEN_TEXT_SIZE];
  int64_t expires_at;
};

static void wait_free(void *p)
{
  struct auth_wait *w = p;
  sodium_memzero(w, sizeof *w);
  free(w);
}

static void on_hashed(struct hashpool_job *job, void *arg)
{
  struct auth_wait *w = arg;
  w->persist(w);
  http_resume(w->rq);
}

/* Suspends the request and hands its work to the hash pool. */
static enum MHD_Result hash_later(struct http_request *rq, struct auth_wait *w)
{
  w->rq = rq;
  w->job.done = on_hashed;
  w->job.arg = w;
  rq->async = w;
  rq->async_free = wait_free;
  if (!http_suspend(rq))
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  if (!hashpool_submit(&w->job)) {
    w->refused = true;
    http_resume(rq);
  }
  return MHD_YES;
}

static enum MHD_Result busy(struct http_request *rq)
{
  return reply_problem_retry(rq, PROBLEM_SERVER_BUSY,
                             "too many password checks in progress; try again shortly", 1);
}

static struct auth_wait *wait_new(enum hashpool_kind kind, const char *password,
                                  const char *username, void (*persist)(struct auth_wait *))
{
  struct auth_wait *w = calloc(1, sizeof *w);
  if (w == NULL)
    return NULL;
  w->job.kind = kind;
  w->job.password_len = strlen(password);
  memcpy(w->job.password, password, w->job.password_len);
  snprintf(w->username, sizeof w->username, "%s", username);
  w->persist = persist;
  return w;
}

static const char *role_problem(const char *role)
{
  if (strcmp(role, "merchant") == 0 || strcmp(role, "buyer") == 0)
    return NULL;
  if (strcmp(role, "staff") == 0 || strcmp(role, "reviewer") == 0)
    return "staff accounts are created by the platform, not registered";
  return "must be \"merchant\" or \"buyer\"";
}

static void register_persist(struct auth_wait *w)
{
  if (w->job.ok)
    w->st = db_account_create(w->role, w->username, w->display_name, 0, w->job.hash, clock_now_us(),
                              &w->account);
}

static enum MHD_Result register_finish(struct http_request *rq, struct auth_wait *w)
{
  if (w->refused)
    return busy(rq);
  if (!w->job.ok)
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  if (w->st < DB_NONE)
    return reply_db_error(rq, w->st);
  if (w->st == DB_NONE)
    return reply_problem(rq, PROBLEM_USERNAME_TAKEN, "this username is already taken", NULL);
  return reply_json_steal(rq, MHD_HTTP_CREATED, view_account(&w->account));
}

enum MHD_Result h_auth_register(struct http_request *rq)
{
  if (rq->async != NULL)
    return register_finish(rq, rq->async);
  const char *role = NULL, *username = NULL, *password = NULL, *display_name = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("role", &role, 1, 16, JSONIN_REQUIRED, .check = role_problem),
      JSONIN_BYTES("username", &username, 1, 64, JSONIN_REQUIRED,
                   .check = credentials_username_problem),
      JSONIN_BYTES("password", &password, CREDENTIALS_PASSWORD_MIN, CREDENTIALS_PASSWORD_MAX,
                   JSONIN_REQUIRED),
      JSONIN_TEXT("display_name", &display_name, 1, 64, JSONIN_REQUIRED),
  };
  enum http_step step = jsonin_read(rq, fields, sizeof fields / sizeof fields[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct auth_wait *w = wait_new(HASHPOOL_CREATE, password, username, register_persist);
  if (w == NULL)
    return MHD_NO;
  snprintf(w->role, sizeof w->role, "%s", role);
  snprintf(w->display_name, sizeof w->display_name, "%s", display_name);
  return hash_later(rq, w);
}

static int64_t login_window_us(void)
{
  return (int64_t)config.login_window_seconds * CLOCK_US_PER_SEC;
}

/* 429 while the username or the client address has too many failures in
 * the current window; HTTP_STEP_OK otherwise. */
static enum http_step throttled(struct http_request *rq, const struct auth_wait *w)
{
  int64_t now = clock_now_us(), window = login_window_us();
  struct db_throttle user, ip;
  enum db_status st = db_throttle_read(w->user_key, w->ip_key, now, window, &user, &ip);
  if (st < DB_NONE)
    return HTTP_STEP_OF(reply_db_error(rq, st));
  int64_t until = 0;
  if (user.failures >= (int)config.login_user_failures)
    until = user.window_start + window;
  if (ip.failures >= (int)config.login_ip_failures && ip.window_start + window > until)
    until = ip.window_start + window;
  if (until == 0)
    return HTTP_STEP_OK;
  unsigned retry = (unsigned)((until - now + CLOCK_US_PER_SEC - 1) / CLOCK_US_PER_SEC);
  return HTTP_STEP_OF(reply_problem_retry(
      rq, PROBLEM_TOO_MANY_ATTEMPTS, "too many failed logins; wait before trying again", retry));
}

static void login_persist(struct auth_wait *w)
{
  int64_t now = clock_now_us();
  if (!w->job.ok || !w->known) {
    w->st = db_throttle_fail(w->user_key, w->ip_key, now, login_window_us());
    return;
  }
  if (w->job.rehash[0] != '\0')
    db_account_set_password_hash(w->account.id, w->job.rehash); /* best effort */
  db_throttle_clear(w->user_key);
  if (w->account.disabled) {
    w->st = DB_NONE; /* auth_login would start no session either */
    return;
  }
  unsigned char hash[DB_TOKEN_HASH_SIZE];
  auth_token_new(w->token, hash);
  w->expires_at = now + (int64_t)config.session_days * 86400 * CLOCK_US_PER_SEC;
  int64_t session_id;
  w->st = db_session_start(w->account.id, hash, w->device, now, w->expires_at, &session_id);
}

static enum MHD_Result login_finish(struct http_request *rq, struct auth_wait *w)
{
  if (w->refused)
    return busy(rq);
  if (w->st < DB_NONE)
    return reply_db_error(rq, w->st);
  if (!w->job.ok || !w->known)
    return reply_problem(rq, PROBLEM_INVALID_CREDENTIALS, "the username or password is wrong",
                         NULL);
  /* Only the right password learns that the account is disabled. */
  if (w->st == DB_NONE)
    return reply_problem(rq, PROBLEM_ACCOUNT_DISABLED,
                         "this account has been disabled; ask the platform to enable it", NULL);
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:s, s:o, s:o}", "token", w->token, "expires_at",
                                    view_time(w->expires_at), "account",
                                    view_account(&w->account)));
}

enum MHD_Result h_auth_login(struct http_request *rq)
{
  if (rq->async != NULL)
    return login_finish(rq, rq->async);
  const char *username = NULL, *password = NULL, *device = "";
  const struct jsonin_field fields[] = {
      JSONIN_BYTES("username", &username, 1, 64, JSONIN_REQUIRED,
                   .check = credentials_username_problem),
      JSONIN_BYTES("password", &password, 1, CREDENTIALS_PASSWORD_MAX, JSONIN_REQUIRED),
      JSONIN_TEXT("device", &device, 0, 128, JSONIN_NULLABLE),
  };
  enum http_step step = jsonin_read(rq, fields, sizeof fields / sizeof fields[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  struct auth_wait *w = wait_new(HASHPOOL_VERIFY, password, username, login_persist);
  if (w == NULL)
    return MHD_NO;
  snprintf(w->device, sizeof w->device, "%s", device);
  snprintf(w->user_key, sizeof w->user_key, "u:%s", username);
  snprintf(w->ip_key, sizeof w->ip_key, "ip:%s", rq->client_addr);
  step = throttled(rq, w);
  enum db_status st = DB_NONE;
  if (step == HTTP_STEP_OK)
    st = db_account_by_username(username, &w->account, w->job.hash);
  if (step != HTTP_STEP_OK || st < DB_NONE) {
    wait_free(w);
    if (step != HTTP_STEP_OK)
      return http_step_result(step);
    return reply_db_error(rq, st);
  }
  w->known = st == DB_ONE;
  /* An unknown user costs one verification too, against a dummy hash. */
  if (!w->known)
    snprintf(w->job.hash, sizeof w->job.hash, "%s", hashpool_dummy_hash());
  return hash_later(rq, w);
}

enum MHD_Result h_auth_logout(struct http_request *rq)
{
  enum db_status st = db_session_logout(rq->session.id, clock_now_us());
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  return reply_empty(rq, MHD_HTTP_NO_CONTENT);
}
