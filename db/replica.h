/* The read replica (docs/operations.md "Read replica"): a PostgreSQL hot
 * standby fed by built-in streaming replication, which the heavy reads
 * that tolerate a little lag use while it is fresh. A monitor thread
 * measures how far behind the primary it is by comparing WAL positions
 * (see replica.c), so that the verdict a read consults is one atomic load,
 * not a query. */
#ifndef MERCHANTD_DB_REPLICA_H
#define MERCHANTD_DB_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

/* The reads that may go to the replica: one label each in the metrics. */
enum db_read {
  DB_READ_ORDERS_EXPORT,     /* GET /v1/shops/{id}/orders/export.csv */
  DB_READ_LETTER_ATTACHMENT, /* GET /v1/shops/{id}/letters/{id}/attachment.csv */
  DB_READ_CHAT_SEARCH,       /* GET /v1/shops/{id}/messages/search */
  DB_READ_STATS,             /* GET /v1/shops/{id}/stats/..., /v1/me/stats/overview */
  DB_READ_KINDS
};

/* Why a read that could have used the replica went to the primary. */
enum db_replica_fallback {
  DB_FALLBACK_LAG,    /* the replica is further behind than the bound (or paused) */
  DB_FALLBACK_DOWN,   /* unreachable, or its connection failed under the read */
  DB_FALLBACK_ERROR,  /* the statement failed on it otherwise (a recovery conflict) */
  DB_FALLBACK_ABSENT, /* it had no such object, which may be younger than its lag */
  DB_FALLBACK_REASONS
};

/* Starts the monitor when conninfo is not NULL (MERCHANTD_REPLICA_URL);
 * reads may use the replica from then on. Call after db_init. */
bool db_replica_start(const char *conninfo, unsigned max_lag_ms);
void db_replica_stop(void);

struct db_replica_stats {
  bool configured;
  bool up;               /* the monitor's last look reached a standby in recovery */
  bool paused;           /* its replay is paused (pg_wal_replay_pause) */
  int64_t lag_us;        /* how old the newest primary state it is known to hold; -1 unknown */
  long long connections; /* replica connections open */
  long long reads[DB_READ_KINDS][2]; /* [kind][0: served by the replica, 1: by the primary] */
  long long fallbacks[DB_FALLBACK_REASONS];
};
void db_replica_stats(struct db_replica_stats *out);
const char *db_replica_read_name(enum db_read which);
const char *db_replica_fallback_name(enum db_replica_fallback reason);

#endif
