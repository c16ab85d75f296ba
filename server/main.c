/* merchantd: the command line. */
#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "datakey.h"
#include "db.h"
#include "events.h"
#include "funds_cli.h"
#include "gate.h"
#include "hashpool.h"
#include "image.h"
#include "imagepool.h"
#include "jobs.h"
#include "log.h"
#include "mediastore.h"
#include "metrics.h"
#include "migrate.h"
#include "payprovider.h"
#include "replica.h"
#include "routes.h"
#include "sign.h"
#include "staff_cli.h"
#include "stats_cli.h"
#include "webapp.h"

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
    "  create-staff USERNAME [--permissions P[,P...]]\n"
    "                            create a platform staff account; the password is read\n"
    "                            from stdin; permissions: review, finance, campaigns,\n"
    "                            community, support, growth\n"
    "  create-reviewer USERNAME  create-staff with the permission review\n"
    "  staff grant|revoke USERNAME P[,P...]\n"
    "                            change a staff account's permissions\n"
    "  staff disable USERNAME    disable a staff account and end its sessions at once\n"
    "  funds check               reconcile the funds ledger; prints each difference and\n"
    "                            exits 1 when there is any\n"
    "  verify-statement FILE [--key PUBLIC_KEY]\n"
    "                            check a statement's signature (the key: base64, as\n"
    "                            GET /v1/platform/statement-key publishes it; default:\n"
    "                            MERCHANTD_STATEMENT_KEY_FILE's)\n"
    "  stats rebuild [--shop ID] [--from YYYY-MM-DD]\n"
    "                            recompute the data pages' rollups from the raw rows\n"
    "  stats check               compare the rollups with a rebuild; prints each\n"
    "                            difference and exits 1 when there is any\n"
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

  /* Statements are signed with this key; without one the statement
   * routes answer 503, but a key that is set and unusable stops the start
   * (an operator meant to sign). */
  if (config.statement_key_file != NULL) {
    char err[256];
    if (!sign_platform_load(config.statement_key_file, err, sizeof err)) {
      fprintf(stderr, "merchantd: %s\n", err);
      return EXIT_USAGE;
    }
  }
  /* The web console is read whole now and served from memory; a directory
   * that is set and unusable stops the start (an operator meant to serve
   * it). */
  if (config.web_dir != NULL && !webapp_load(config.web_dir))
    return EXIT_USAGE;
  db_init(config.database_url);
  /* An instance whose media directory cannot be written still serves
   * everything else (a deployment that takes no uploads needs none); the
   * warning says why uploads fail. */
  if (!mediastore_init(config.media_dir))
    log_warn("image uploads will fail until MERCHANTD_MEDIA_DIR \"%s\" is writable",
             config.media_dir);
  if (!image_init())
    return 1;
  /* Secrets are read before anything serves: a key file that is set and
   * unreadable stops the start instead of failing each request later. */
  if (!datakey_load(config.data_key_file, config.data_old_key_files) ||
      !payprovider_init(config.webhook_secret_file))
    return 1;
  /* Not a fault: an instance may serve without bank accounts. */
  if (!datakey_ready())
    log_info("bank accounts cannot be saved or paid out to until MERCHANTD_DATA_KEY_FILE is set");
  if (!metrics_init() || !hashpool_start(config.hash_workers, config.hash_queue) ||
      !imagepool_start(config.image_workers, config.image_queue))
    return 1;
  /* A fresh database takes views at once: their partitions exist before
   * the first request (the job keeps them ahead afterwards). */
  if (!jobs_prepare())
    log_warn("could not create the partitions of page_views; views will create them");
  if (!db_replica_start(config.replica_url, config.replica_max_lag_ms) || !jobs_start() ||
      !events_start() || !http_start(&gate_hooks)) {
    events_stop();
    jobs_stop();
    db_replica_stop();
    imagepool_stop();
    hashpool_stop();
    metrics_free();
    webapp_free();
    return 1;
  }
  log_info("merchantd %s listening on port %u with %u threads%s", MERCHANTD_VERSION, config.port,
           config.threads, config.test_mode ? " (test mode)" : "");
  int sig;
  sigwait(&stop_signals, &sig);
  log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  events_close_all(); /* ends event streams and long polls, which never finish alone */
  http_drain(SHUTDOWN_GRACE_MS);
  hashpool_stop();  /* finishes queued hashes, resuming their requests */
  imagepool_stop(); /* the same for image decodes */
  http_stop();
  events_stop();
  jobs_stop();
  db_replica_stop();
  metrics_free();
  webapp_free();
  db_thread_done();
  image_shutdown();
  log_info("stopped");
  return 0;
}

/* The route table as data, so tests can be generated from it and no route
 * escapes them. Test-only routes are listed too, marked. */
static int print_routes(void)
{
  static const char *const bodies[] = {"none", "json", "optional_json", "upload"};
  size_t count;
  const struct route *routes = routes_table(&count);
  for (size_t i = 0; i < count; i++) {
    const struct route *r = &routes[i];
    json_t *roles = json_array();
    if (r->access & ROUTE_MERCHANT)
      json_array_append_new(roles, json_string("merchant"));
    if (r->access & ROUTE_BUYER)
      json_array_append_new(roles, json_string("buyer"));
    if (r->access & ROUTE_STAFF)
      json_array_append_new(roles, json_string("staff"));
    json_t *permission = json_null();
    for (unsigned b = 0; b < DB_PERMISSION_COUNT; b++)
      if (r->permission == 1u << b)
        permission = json_string(db_permission_name(b));
    json_t *line = json_pack("{s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:s, s:b, s:b}", "method",
                             r->method, "pattern", r->pattern, "roles", roles, "permission",
                             permission, "public", (r->access & ROUTE_ANY_ROLE) == 0,
                             "optional_auth", (r->access & ROUTE_OPTIONAL_AUTH) != 0, "folded_auth",
                             (r->access & ROUTE_FOLDED_AUTH) != 0, "body", bodies[r->body],
                             "idempotent", r->idempotent, "test_only", r->test_only);
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
  size_t nroutes;
  const struct route *table = routes_table(&nroutes);
  router_init(table, nroutes);
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
  if (strcmp(cmd, "create-staff") == 0)
    return staff_cli_create(argc, argv);
  if (strcmp(cmd, "create-reviewer") == 0 && argc == 3)
    return staff_cli_create_reviewer(argv[2]);
  if (strcmp(cmd, "staff") == 0)
    return staff_cli(argc, argv);
  if (strcmp(cmd, "funds") == 0)
    return funds_cli(argc, argv);
  if (strcmp(cmd, "verify-statement") == 0)
    return funds_cli_verify(argc, argv);
  if (strcmp(cmd, "stats") == 0)
    return stats_cli(argc, argv);
  fprintf(stderr, "merchantd: unknown command; see \"merchantd --help\"\n");
  return EXIT_USAGE;
}
