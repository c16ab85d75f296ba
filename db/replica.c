/* The read replica: where a heavy read runs, and how fresh the standby is.
 *
 * Lag is measured by WAL position, not by the standby's replay timestamp
 * (pg_last_xact_replay_timestamp only moves when something commits, so on
 * an idle primary a perfectly current standby would look ever older, and a
 * standby that stopped replaying right after the last commit would look
 * current). Every interval the monitor thread reads the primary's
 * pg_current_wal_lsn() and keeps it with the time it read it, then reads
 * the standby's pg_last_wal_replay_lsn(). The newest kept sample whose
 * position the standby has replayed says: the standby holds everything the
 * primary had committed at that sample's time. A read at time now is then
 * at most now - that time behind, whether the primary was busy or idle, and
 * that age grows by itself while the standby stands still (replay paused,
 * or stuck) and the primary writes. Reads check that age against
 * MERCHANTD_REPLICA_MAX_LAG_MS with one atomic load and the clock. */
#include "replica.h"

#include "clock.h"
#include "db_internal.h"
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* Primary positions kept: at the longest interval (250 ms) 64 s of
 * history, more than the largest MERCHANTD_REPLICA_MAX_LAG_MS (60 s). */
#define RING 256

static const char *const read_names[DB_READ_KINDS] = {"orders_export", "letter_attachment",
                                                      "chat_search", "stats"};
/* Reads whose "nothing" means "no such object" (the merchant's ownership is
 * folded into the statement): an object created within the lag is not on
 * the replica yet, so nothing found there is asked again of the primary.
 * The export and the chat search check the shop on the primary before
 * they run, and an empty page is a real answer there. */
static const bool recheck_none[DB_READ_KINDS] = {false, true, false, true};
static const char *const fallback_names[DB_FALLBACK_REASONS] = {"lag", "down", "error", "absent"};

static _Atomic bool configured;
static int64_t max_lag_us, interval_us;

/* The monitor's verdict. covered_us: the standby holds everything the
 * primary had at this monotonic time; -1 when unknown (never measured, or
 * behind every kept sample). */
static _Atomic bool replica_up, replica_paused;
static _Atomic int64_t covered_us = -1;

static _Atomic long long reads[DB_READ_KINDS][2], fallbacks[DB_FALLBACK_REASONS];

static pthread_t monitor_thread;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond;
static bool stopping;

/* Monitor-thread state only. */
struct sample {
  int64_t at_us, lsn;
};
static struct sample ring[RING];
static int ring_len, ring_next;

static void ring_push(int64_t at_us, int64_t lsn)
{
  ring[ring_next] = (struct sample){at_us, lsn};
  ring_next = (ring_next + 1) % RING;
  if (ring_len < RING)
    ring_len++;
}

/* The time of the newest sample the standby has replayed, or -1. */
static int64_t ring_covered(int64_t replayed)
{
  for (int i = 1; i <= ring_len; i++) {
    const struct sample *s = &ring[(ring_next - i + RING) % RING];
    if (s->lsn <= replayed)
      return s->at_us;
  }
  return -1;
}

static void read_lsn(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

struct standby {
  bool recovering, paused;
  int64_t replayed;
};

static void read_standby(const PGresult *res, void *arg)
{
  struct standby *s = arg;
  s->recovering = db_get_bool(res, 0, 0);
  s->replayed = db_get_int64(res, 0, 1);
  s->paused = db_get_bool(res, 0, 2);
}

/* One look: the primary's position first, so that a standby that has
 * caught up with it counts as current at this very moment. */
static void monitor_look(void)
{
  static struct db_stmt primary_q =
      DB_STMT(0, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
  static struct db_stmt standby_q =
      DB_STMT(0, "SELECT pg_is_in_recovery(),"
                 " coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint, -1),"
                 " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END");
  int64_t at = clock_mono_us(), lsn = -1;
  if (db_query_row(&primary_q, NULL, read_lsn, &lsn) == DB_ONE)
    ring_push(at, lsn);
  struct standby s = {false, false, -1};
  db_conn_use_replica(true);
  enum db_status st = db_query_row(&standby_q, NULL, read_standby, &s);
  db_conn_use_replica(false);
  bool up = st == DB_ONE && s.recovering;
  bool was_up = atomic_exchange(&replica_up, up);
  if (st == DB_ONE && !s.recovering && was_up)
    log_warn("the replica is not a standby in recovery (promoted?): reads stay on the primary");
  else if (!up && was_up)
    log_warn("the replica is out of reach: its reads go to the primary");
  else if (up && !was_up)
    log_info("the replica is reachable again");
  atomic_store(&replica_paused, up && s.paused);
  int64_t before = atomic_load(&covered_us);
  int64_t covered = up ? ring_covered(s.replayed) : -1;
  atomic_store(&covered_us, covered);
  bool fresh = covered >= 0 && at - covered <= max_lag_us;
  bool was_fresh = before >= 0 && at - before <= max_lag_us;
  if (up && was_fresh && !fresh)
    log_warn("the replica is more than %lld ms behind%s: its reads go to the primary",
             (long long)(max_lag_us / 1000), s.paused ? " (replay paused)" : "");
  else if (up && fresh && !was_fresh)
    log_info("the replica is within %lld ms of the primary: it serves its reads",
             (long long)(max_lag_us / 1000));
}

static void *monitor(void *arg)
{
  (void)arg;
  pthread_mutex_lock(&stop_lock);
  while (!stopping) {
    pthread_mutex_unlock(&stop_lock);
    monitor_look();
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long)(interval_us * 1000);
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&stop_lock);
    if (!stopping)
      pthread_cond_timedwait(&stop_cond, &stop_lock, &until);
  }
  pthread_mutex_unlock(&stop_lock);
  db_thread_done();
  return NULL;
}

bool db_replica_start(const char *conninfo, unsigned max_lag_ms)
{
  if (conninfo == NULL)
    return true;
  db_replica_conninfo = conninfo;
  max_lag_us = (int64_t)max_lag_ms * 1000;
  /* A quarter of the bound: a verdict is at most that old when a read
   * consults it, and the age a read computes counts it in anyway. */
  interval_us = max_lag_us / 4;
  if (interval_us > 250 * 1000)
    interval_us = 250 * 1000;
  if (interval_us < 25 * 1000)
    interval_us = 25 * 1000;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&stop_cond, &attr);
  pthread_condattr_destroy(&attr);
  if (pthread_create(&monitor_thread, NULL, monitor, NULL) != 0) {
    log_error("could not start the replica monitor");
    return false;
  }
  atomic_store(&configured, true);
  log_info("heavy reads use the replica while it is within %u ms of the primary", max_lag_ms);
  return true;
}

void db_replica_stop(void)
{
  if (!atomic_exchange(&configured, false))
    return;
  pthread_mutex_lock(&stop_lock);
  stopping = true;
  pthread_cond_signal(&stop_cond);
  pthread_mutex_unlock(&stop_lock);
  pthread_join(monitor_thread, NULL);
}

/* DB_FALLBACK_REASONS when the replica may serve a read now. */
static enum db_replica_fallback verdict(void)
{
  if (!atomic_load(&replica_up))
    return DB_FALLBACK_DOWN;
  int64_t covered = atomic_load(&covered_us);
  if (covered < 0 || clock_mono_us() - covered > max_lag_us)
    return DB_FALLBACK_LAG;
  return DB_FALLBACK_REASONS;
}

enum db_status db_replica_exec(enum db_read which, struct db_stmt *st, const char *const *params,
                               PGresult **res)
{
  if (!atomic_load(&configured) || db_txn_open())
    return db_exec(st, params, res);
  enum db_replica_fallback why = verdict();
  if (why == DB_FALLBACK_REASONS) {
    db_conn_use_replica(true);
    enum db_status s = db_exec(st, params, res);
    db_conn_use_replica(false);
    if (s > DB_NONE || (s == DB_NONE && !recheck_none[which])) {
      atomic_fetch_add(&reads[which][0], 1);
      return s;
    }
    if (s == DB_NONE) {
      PQclear(*res);
      *res = NULL;
      why = DB_FALLBACK_ABSENT;
    } else {
      why = s == DB_UNAVAILABLE ? DB_FALLBACK_DOWN : DB_FALLBACK_ERROR;
    }
  }
  atomic_fetch_add(&fallbacks[why], 1);
  atomic_fetch_add(&reads[which][1], 1);
  return db_exec(st, params, res);
}

enum db_status db_replica_each_row(enum db_read which, struct db_stmt *st,
                                   const char *const *params,
                                   void (*row)(const PGresult *, int, void *), void *arg)
{
  PGresult *res;
  enum db_status s = db_replica_exec(which, st, params, &res);
  return db_rows(s, res, row, arg);
}

void db_replica_stats(struct db_replica_stats *out)
{
  out->configured = atomic_load(&configured);
  out->up = atomic_load(&replica_up);
  out->paused = atomic_load(&replica_paused);
  int64_t covered = atomic_load(&covered_us);
  out->lag_us = out->up && covered >= 0 ? clock_mono_us() - covered : -1;
  out->connections = db_replica_connections_open();
  for (int i = 0; i < DB_READ_KINDS; i++)
    for (int j = 0; j < 2; j++)
      out->reads[i][j] = atomic_load(&reads[i][j]);
  for (int i = 0; i < DB_FALLBACK_REASONS; i++)
    out->fallbacks[i] = atomic_load(&fallbacks[i]);
}

const char *db_replica_read_name(enum db_read which)
{
  return read_names[which];
}

const char *db_replica_fallback_name(enum db_replica_fallback reason)
{
  return fallback_names[reason];
}
