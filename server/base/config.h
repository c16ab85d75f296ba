/* Configuration, read once from the environment at start. */
#ifndef MERCHANTD_CONFIG_H
#define MERCHANTD_CONFIG_H

#include "netaddr.h"

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

struct config {
  const char *database_url;      /* DATABASE_URL: libpq conninfo or URI */
  const char *replica_url;       /* MERCHANTD_REPLICA_URL: a hot standby's, or NULL */
  unsigned replica_max_lag_ms;   /* MERCHANTD_REPLICA_MAX_LAG_MS: older, reads go to the primary */
  unsigned port;                 /* PORT */
  unsigned threads;              /* MERCHANTD_THREADS: HTTP worker threads */
  enum log_level log_level;      /* MERCHANTD_LOG_LEVEL */
  size_t body_limit;             /* MERCHANTD_BODY_LIMIT: bytes */
  unsigned connection_limit;     /* MERCHANTD_CONNECTION_LIMIT */
  unsigned per_ip_limit;         /* MERCHANTD_PER_IP_CONNECTION_LIMIT */
  unsigned connection_timeout;   /* MERCHANTD_CONNECTION_TIMEOUT: seconds idle */
  size_t connection_memory;      /* MERCHANTD_CONNECTION_MEMORY: bytes per connection */
  unsigned hash_workers;         /* MERCHANTD_HASH_WORKERS: concurrent argon2id hashes */
  unsigned hash_queue;           /* MERCHANTD_HASH_QUEUE: hashes waiting beyond those */
  unsigned session_days;         /* MERCHANTD_SESSION_DAYS */
  unsigned login_user_failures;  /* MERCHANTD_LOGIN_USER_FAILURES per window */
  unsigned login_ip_failures;    /* MERCHANTD_LOGIN_IP_FAILURES per window */
  unsigned login_window_seconds; /* MERCHANTD_LOGIN_WINDOW_SECONDS */
  unsigned job_interval_seconds; /* MERCHANTD_JOB_INTERVAL_SECONDS: how often jobs are looked at */
  unsigned stats_fold_seconds;   /* MERCHANTD_STATS_FOLD_SECONDS: rollup folds, 0 off */
  bool test_mode;                /* MERCHANTD_TEST_MODE=1 */
  bool auto_migrate;             /* MERCHANTD_AUTO_MIGRATE=1 */
  const char *time_zone;         /* MERCHANTD_TZ: letters are delivered on its hours */
  unsigned events_heartbeat_seconds; /* MERCHANTD_EVENTS_HEARTBEAT_SECONDS: SSE keep-alive */
  unsigned live_presence_seconds;    /* MERCHANTD_LIVE_PRESENCE_SECONDS: a live room join lasts */
  const char *media_dir;             /* MERCHANTD_MEDIA_DIR: image files */
  const char *web_dir;               /* MERCHANTD_WEB_DIR: the web console's build, or NULL */
  unsigned image_workers;            /* MERCHANTD_IMAGE_WORKERS: concurrent image decodes */
  unsigned image_queue;              /* MERCHANTD_IMAGE_QUEUE: decodes waiting beyond those */
  const char *statement_key_file;    /* MERCHANTD_STATEMENT_KEY_FILE: Ed25519 seed, or NULL */
  const char *data_key_file;         /* MERCHANTD_DATA_KEY_FILE: 32 bytes sealing bank accounts */
  const char *data_old_key_files;    /* MERCHANTD_DATA_OLD_KEY_FILES: colon-separated, open only */
  const char *webhook_secret_file;   /* MERCHANTD_WEBHOOK_SECRET_FILE: the sandbox's HMAC key */
  long long withdrawal_min_cents;    /* MERCHANTD_WITHDRAWAL_MIN_CENTS */
  unsigned withdrawal_daily_limit;   /* MERCHANTD_WITHDRAWAL_DAILY_LIMIT: per shop and day */
  long long
      withdrawal_approval_cents; /* MERCHANTD_WITHDRAWAL_APPROVAL_CENTS: above, staff approve */
  long long adjustment_approval_cents; /* MERCHANTD_ADJUSTMENT_APPROVAL_CENTS: above, four eyes */
  unsigned views_retention_days;       /* MERCHANTD_VIEWS_RETENTION_DAYS: page_views kept */
  unsigned
      promotion_clicks_per_day; /* MERCHANTD_PROMOTION_CLICKS_PER_DAY: charged per buyer and plan */
  const char *public_url; /* MERCHANTD_PUBLIC_URL: scheme://host[:port][/prefix], no final slash */
  unsigned
      community_comments_per_minute; /* MERCHANTD_COMMUNITY_COMMENTS_PER_MINUTE: a merchant's */
  /* MERCHANTD_TRUSTED_PROXIES: peers whose X-Forwarded-For names the client */
  struct netaddr_list trusted_proxies;
};

extern struct config config;

/* Fills `config` from the environment. On a bad value writes one line to
 * stderr and returns false; the caller exits with status 2. */
bool config_load(void);

#endif
