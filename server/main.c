/* merchantd: the command line. */
#include "clock.h"
#include "config.h"
#include "credentials.h"
#include "db.h"
#include "events.h"
#include "hashpool.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "router.h"

#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
/* How long in-flight requests may take to finish on SIGTERM. */
#define SHUTDOWN_GRACE_MS 10000

static const char usage[] =
    "usage: merchantd [COMMAND]\n"
    "\n"
    "commands:\n"
    "  serve                     serve the HTTP API (the default)\n"
    "  migrate                   apply pending database migrations\n"
    "  migrate status            list applied and pending migrations\n"
    "  create-reviewer USERNAME  create a platform reviewer; the password is read from stdin\n"
    "  routes                    print the route table, one JSON object per line\n"
    "  --help                    show this help\n"
    "  --version                 show the version\n"
    "\n"
    "configuration comes from the environment: DATABASE_URL, PORT, MERCHANTD_THREADS,\n"
    "MERCHANTD_LOG_LEVEL, MERCHANTD_BODY_LIMIT, MERCHANTD_CONNECTION_LIMIT and others;\n"
    "see docs/operations.md\n";

/* Refuses to serve a database whose schema is not the one this build has. */
static int check_schema(void)
{
  struct migrate_state st;
  if (migrate_state_check(config.database_url, &st) != 0)
    return 1;
  if (st.mismatch || st.unknown || st.functions_unknown) {
    fprintf(stderr, "merchantd: the database schema does not match this build\n");
    return EXIT_USAGE;
  }
  if (st.pending == 0 && st.functions_stale == 0)
    return 0;
  if (config.auto_migrate)
    return migrate_apply(config.database_url, stderr);
  fprintf(stderr,
          "merchantd: %d database migration%s and %d SQL function file%s pending; run "
          "\"merchantd migrate\" or set MERCHANTD_AUTO_MIGRATE=1\n",
          st.pending, st.pending == 1 ? "" : "s", st.functions_stale,
          st.functions_stale == 1 ? "" : "s");
  return EXIT_USAGE;
}

static int serve(void)
{
  int rc = check_schema();
  if (rc != 0)
    return rc;
  /* Signals are taken by sigwait below; every thread started after this
   * inherits the mask. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* One write per request log line, whatever stdout is. */
  setvbuf(stdout, NULL, _IOLBF, 0);

  db_init(config.database_url);
  if (!metrics_init() || !hashpool_start(config.hash_workers, config.hash_queue))
    return 1;
  if (!jobs_start() || !events_start() || !http_start()) {
    events_stop();
    jobs_stop();
    hashpool_stop();
    metrics_free();
    return 1;
  }
  log_info("merchantd %s listening on port %u with %u threads%s", MERCHANTD_VERSION, config.port,
           config.threads, config.test_mode ? " (test mode)" : "");
  int sig;
  sigwait(&stop_signals, &sig);
  log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  events_close_all(); /* ends event streams and long polls, which never finish alone */
  http_drain(SHUTDOWN_GRACE_MS);
  hashpool_stop(); /* finishes queued hashes, resuming their requests */
  http_stop();
  events_stop();
  jobs_stop();
  metrics_free();
  db_thread_done();
  log_info("stopped");
  return 0;
}

/* The route table as data, so tests can be generated from it and no route
 * escapes them. Test-only routes are listed too, marked. */
static int print_routes(void)
{
  static const char *const bodies[] = {"none", "json", "optional_json"};
  size_t count;
  const struct route *routes = router_routes(&count);
  for (size_t i = 0; i < count; i++) {
    const struct route *r = &routes[i];
    json_t *roles = json_array();
    if (r->access & ROUTE_MERCHANT)
      json_array_append_new(roles, json_string("merchant"));
    if (r->access & ROUTE_BUYER)
      json_array_append_new(roles, json_string("buyer"));
    if (r->access & ROUTE_REVIEWER)
      json_array_append_new(roles, json_string("reviewer"));
    json_t *line = json_pack(
        "{s:s, s:s, s:o, s:b, s:b, s:b, s:s, s:b, s:b}", "method", r->method, "pattern", r->pattern,
        "roles", roles, "public", (r->access & ROUTE_ANY_ROLE) == 0, "optional_auth",
        (r->access & ROUTE_OPTIONAL_AUTH) != 0, "folded_auth", (r->access & ROUTE_FOLDED_AUTH) != 0,
        "body", bodies[r->body], "idempotent", r->idempotent, "test_only", r->test_only);
    char *text = line != NULL ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (text == NULL) {
      fprintf(stderr, "merchantd: out of memory\n");
      return 1;
    }
    puts(text);
    free(text);
  }
  return fflush(stdout) == 0 ? 0 : 1;
}

/* Reads one line (the password) from stdin into out, without its line
 * ending; false when it is longer than out can hold. */
static bool read_password(char *out, size_t size, size_t *len)
{
  char line[HASHPOOL_PASSWORD_MAX + 3]; /* the longest password, "\r\n" and NUL */
  if (fgets(line, sizeof line, stdin) == NULL)
    return false;
  size_t n = strcspn(line, "\r\n");
  if (n >= size || (line[n] == '\0' && !feof(stdin)))
    return false;
  memcpy(out, line, n);
  out[n] = '\0';
  sodium_memzero(line, sizeof line);
  *len = n;
  return true;
}

static int create_reviewer(const char *username)
{
  const char *why = credentials_username_problem(username);
  if (why != NULL) {
    fprintf(stderr, "merchantd: invalid username \"%s\": %s\n", username, why);
    return EXIT_USAGE;
  }
  struct hashpool_job job = {.kind = HASHPOOL_CREATE};
  if (!read_password(job.password, sizeof job.password, &job.password_len) ||
      job.password_len < CREDENTIALS_PASSWORD_MIN || job.password_len > CREDENTIALS_PASSWORD_MAX) {
    fprintf(stderr, "merchantd: the password on stdin must be %d to %d bytes\n",
            CREDENTIALS_PASSWORD_MIN, CREDENTIALS_PASSWORD_MAX);
    return EXIT_USAGE;
  }
  hashpool_run(&job);
  if (!job.ok)
    return 1;
  db_init(config.database_url);
  struct db_account account;
  enum db_status st =
      db_account_create("reviewer", username, username, job.hash, clock_now_us(), &account);
  db_thread_done();
  if (st == DB_NONE) {
    fprintf(stderr, "merchantd: username \"%s\" is already taken\n", username);
    return 1;
  }
  if (st < DB_NONE) {
    fprintf(stderr, "merchantd: could not create the reviewer account\n");
    return 1;
  }
  printf("created reviewer %s (id %lld)\n", account.username, (long long)account.id);
  return 0;
}

int main(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "serve";
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("merchantd %s\n", MERCHANTD_VERSION);
    return 0;
  }
  if (strcmp(cmd, "routes") == 0 && argc == 2)
    return print_routes();
  if (!config_load())
    return EXIT_USAGE;
  if (sodium_init() < 0) {
    fprintf(stderr, "merchantd: could not initialise libsodium\n");
    return 1;
  }
  if (strcmp(cmd, "serve") == 0 && argc <= 2)
    return serve();
  if (strcmp(cmd, "migrate") == 0 && argc == 2)
    return migrate_apply(config.database_url, stdout);
  if (strcmp(cmd, "migrate") == 0 && argc == 3 && strcmp(argv[2], "status") == 0)
    return migrate_status(config.database_url, stdout);
  if (strcmp(cmd, "create-reviewer") == 0 && argc == 3)
    return create_reviewer(argv[2]);
  fprintf(stderr, "merchantd: unknown command; see \"merchantd --help\"\n");
  return EXIT_USAGE;
}
