#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct config config;

static bool env_uint(const char *name, unsigned long long def, unsigned long long min,
                     unsigned long long max, unsigned long long *out)
{
  const char *v = getenv(name);
  if (v == NULL || *v == '\0') {
    *out = def;
    return true;
  }
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno != 0 || *end != '\0' || v[0] == '-' || n < min || n > max) {
    fprintf(stderr, "merchantd: invalid %s \"%s\": expected an integer from %llu to %llu\n", name,
            v, min, max);
    return false;
  }
  *out = n;
  return true;
}

static bool env_bool(const char *name, bool *out)
{
  const char *v = getenv(name);
  if (v == NULL || *v == '\0' || strcmp(v, "0") == 0) {
    *out = false;
    return true;
  }
  if (strcmp(v, "1") == 0) {
    *out = true;
    return true;
  }
  fprintf(stderr, "merchantd: invalid %s \"%s\": expected 0 or 1\n", name, v);
  return false;
}

static bool env_log_level(enum log_level *out)
{
  static const char *const names[] = {"error", "warn", "info", "debug"};
  const char *v = getenv("MERCHANTD_LOG_LEVEL");
  if (v == NULL || *v == '\0') {
    *out = LOG_LEVEL_INFO;
    return true;
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(v, names[i]) == 0) {
      *out = (enum log_level)i;
      return true;
    }
  fprintf(stderr,
          "merchantd: invalid MERCHANTD_LOG_LEVEL \"%s\": expected error, warn, info or debug\n",
          v);
  return false;
}

/* MERCHANTD_TZ: an IANA time zone name. Where this machine has the zone
 * files (TZDIR, else /usr/share/zoneinfo) the zone must be one of them; on
 * a machine without them (a slim container) only its form is checked here,
 * and PostgreSQL refuses an unknown zone when the letters job first uses
 * it. */
static bool env_time_zone(const char **out)
{
  const char *v = getenv("MERCHANTD_TZ");
  if (v == NULL || *v == '\0') {
    *out = "Asia/Shanghai";
    return true;
  }
  size_t n = strlen(v);
  bool ok = n <= 64 &&
            strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") == n &&
            v[0] != '/' && v[n - 1] != '/' && strstr(v, "//") == NULL;
  const char *dir = getenv("TZDIR");
  if (dir == NULL || *dir == '\0')
    dir = "/usr/share/zoneinfo";
  struct stat st;
  if (ok && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, v);
    ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
  }
  if (!ok) {
    fprintf(stderr,
            "merchantd: invalid MERCHANTD_TZ \"%s\": expected a time zone name such as "
            "Asia/Shanghai\n",
            v);
    return false;
  }
  *out = v;
  return true;
}

/* MERCHANTD_PUBLIC_URL: where buyers reach merchantd and the buyer pages
 * (share links, docs/operations.md): http:// or https://, a host, an
 * optional port and path prefix, nothing a redirect or a cookie could be
 * split with (no spaces, quotes, controls, query or fragment). One final
 * slash is dropped so that paths can be appended. */
static bool env_public_url(const char **out)
{
  static char url[256];
  const char *v = getenv("MERCHANTD_PUBLIC_URL");
  if (v == NULL || *v == '\0')
    v = "http://localhost:8080";
  size_t n = strlen(v);
  size_t scheme = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;
  bool ok = scheme > 0 && n < sizeof url && n > scheme && v[scheme] != '/' &&
            strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                      "-._~:/[]@!$&()*+,;=%") == n &&
            strstr(v + scheme, "//") == NULL;
  if (!ok) {
    fprintf(stderr,
            "merchantd: invalid MERCHANTD_PUBLIC_URL \"%s\": expected an http:// or https:// URL "
            "such as https://shop.example.com\n",
            v);
    return false;
  }
  memcpy(url, v, n + 1);
  if (n > scheme + 1 && url[n - 1] == '/')
    url[n - 1] = '\0';
  *out = url;
  return true;
}

bool config_load(void)
{
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores < 1)
    cores = 1;
  unsigned long long port, threads, body, conns, per_ip, timeout, mem, hashw, hashq, days, uf, ipf,
      window, jobs, fold, heartbeat, imgw, imgq, wmin, wday, wapprove, aapprove, views_days,
      promo_clicks, presence;
  const char *url = getenv("DATABASE_URL");
  config.database_url = (url != NULL && *url != '\0') ? url : "dbname=merchantd";
  /* The read replica (docs/operations.md "Read replica"): a hot standby of
   * DATABASE_URL's cluster; without one every read uses the primary. */
  const char *replica = getenv("MERCHANTD_REPLICA_URL");
  config.replica_url = (replica != NULL && *replica != '\0') ? replica : NULL;
  unsigned long long replica_lag;
  if (!env_uint("MERCHANTD_REPLICA_MAX_LAG_MS", 2000, 100, 60000, &replica_lag))
    return false;
  config.replica_max_lag_ms = (unsigned)replica_lag;
  if (!env_uint("PORT", 8080, 1, 65535, &port) ||
      !env_uint("MERCHANTD_THREADS", (unsigned long long)cores, 1, 256, &threads) ||
      !env_log_level(&config.log_level) ||
      !env_uint("MERCHANTD_BODY_LIMIT", 1024 * 1024, 1024, 64 * 1024 * 1024, &body) ||
      !env_uint("MERCHANTD_CONNECTION_LIMIT", 4096, 16, 1000000, &conns) ||
      !env_uint("MERCHANTD_PER_IP_CONNECTION_LIMIT", 256, 0, 1000000, &per_ip) ||
      !env_uint("MERCHANTD_CONNECTION_TIMEOUT", 60, 1, 86400, &timeout) ||
      !env_uint("MERCHANTD_CONNECTION_MEMORY", 64 * 1024, 8 * 1024, 16 * 1024 * 1024, &mem) ||
      !env_uint("MERCHANTD_HASH_WORKERS", (unsigned long long)cores, 1, 64, &hashw) ||
      !env_uint("MERCHANTD_HASH_QUEUE", 64, 0, 100000, &hashq) ||
      !env_uint("MERCHANTD_SESSION_DAYS", 30, 1, 3650, &days) ||
      !env_uint("MERCHANTD_LOGIN_USER_FAILURES", 5, 1, 1000000, &uf) ||
      !env_uint("MERCHANTD_LOGIN_IP_FAILURES", 100, 1, 1000000, &ipf) ||
      !env_uint("MERCHANTD_LOGIN_WINDOW_SECONDS", 900, 1, 86400, &window) ||
      !env_uint("MERCHANTD_JOB_INTERVAL_SECONDS", 30, 1, 86400, &jobs) ||
      !env_uint("MERCHANTD_STATS_FOLD_SECONDS", 2, 0, 3600, &fold) ||
      !env_uint("MERCHANTD_EVENTS_HEARTBEAT_SECONDS", 15, 1, 3600, &heartbeat) ||
      !env_uint("MERCHANTD_IMAGE_WORKERS", (unsigned long long)cores, 1, 64, &imgw) ||
      !env_uint("MERCHANTD_IMAGE_QUEUE", 16, 0, 10000, &imgq) ||
      !env_uint("MERCHANTD_WITHDRAWAL_MIN_CENTS", 100, 1, 100000000000, &wmin) ||
      !env_uint("MERCHANTD_WITHDRAWAL_DAILY_LIMIT", 3, 1, 1000, &wday) ||
      !env_uint("MERCHANTD_WITHDRAWAL_APPROVAL_CENTS", 5000000, 0, 100000000000, &wapprove) ||
      !env_uint("MERCHANTD_ADJUSTMENT_APPROVAL_CENTS", 100000, 0, 100000000000, &aapprove) ||
      !env_uint("MERCHANTD_VIEWS_RETENTION_DAYS", 90, 2, 3650, &views_days) ||
      !env_uint("MERCHANTD_PROMOTION_CLICKS_PER_DAY", 3, 1, 1000, &promo_clicks) ||
      !env_uint("MERCHANTD_LIVE_PRESENCE_SECONDS", 300, 30, 3600, &presence) ||
      !env_bool("MERCHANTD_TEST_MODE", &config.test_mode) ||
      !env_bool("MERCHANTD_AUTO_MIGRATE", &config.auto_migrate) ||
      !env_time_zone(&config.time_zone) || !env_public_url(&config.public_url))
    return false;
  config.port = (unsigned)port;
  config.threads = (unsigned)threads;
  config.body_limit = (size_t)body;
  config.connection_limit = (unsigned)conns;
  config.per_ip_limit = (unsigned)per_ip;
  config.connection_timeout = (unsigned)timeout;
  config.connection_memory = (size_t)mem;
  config.hash_workers = (unsigned)hashw;
  config.hash_queue = (unsigned)hashq;
  config.session_days = (unsigned)days;
  config.login_user_failures = (unsigned)uf;
  config.login_ip_failures = (unsigned)ipf;
  config.login_window_seconds = (unsigned)window;
  config.job_interval_seconds = (unsigned)jobs;
  config.stats_fold_seconds = (unsigned)fold;
  config.events_heartbeat_seconds = (unsigned)heartbeat;
  config.live_presence_seconds = (unsigned)presence;
  config.image_workers = (unsigned)imgw;
  config.image_queue = (unsigned)imgq;
  config.withdrawal_min_cents = (long long)wmin;
  config.withdrawal_daily_limit = (unsigned)wday;
  config.withdrawal_approval_cents = (long long)wapprove;
  config.adjustment_approval_cents = (long long)aapprove;
  config.views_retention_days = (unsigned)views_days;
  config.promotion_clicks_per_day = (unsigned)promo_clicks;
  config.data_key_file = getenv("MERCHANTD_DATA_KEY_FILE");
  config.data_old_key_files = getenv("MERCHANTD_DATA_OLD_KEY_FILES");
  config.webhook_secret_file = getenv("MERCHANTD_WEBHOOK_SECRET_FILE");
  const char *media = getenv("MERCHANTD_MEDIA_DIR");
  config.media_dir = (media != NULL && *media != '\0') ? media : "var/media";
  /* No default: without it /app answers 404 (webapp.h). */
  const char *web = getenv("MERCHANTD_WEB_DIR");
  config.web_dir = (web != NULL && *web != '\0') ? web : NULL;
  /* No default: without a key the statement routes answer 503 (sign.h). */
  const char *statement_key = getenv("MERCHANTD_STATEMENT_KEY_FILE");
  config.statement_key_file =
      (statement_key != NULL && *statement_key != '\0') ? statement_key : NULL;
  /* The community (docs/community.md): a merchant's comments in any minute. */
  unsigned long long comments;
  if (!env_uint("MERCHANTD_COMMUNITY_COMMENTS_PER_MINUTE", 5, 1, 10000, &comments))
    return false;
  config.community_comments_per_minute = (unsigned)comments;
  /* Empty (the default) trusts nobody: X-Forwarded-For is then ignored. */
  char why[160];
  if (!netaddr_list_parse(getenv("MERCHANTD_TRUSTED_PROXIES"), &config.trusted_proxies, why,
                          sizeof why)) {
    fprintf(stderr, "merchantd: invalid MERCHANTD_TRUSTED_PROXIES: %s\n", why);
    return false;
  }
  return true;
}
