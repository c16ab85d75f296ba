#include "db_internal.h"

#include "clock.h"
#include "config.h"
#include "log.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_MAX_STMTS 256
/* After a failed connect, further attempts wait this long: while PostgreSQL
 * is down requests fail at once instead of each paying for a connect. */
#define DB_RECONNECT_BACKOFF_US (100 * 1000)

struct db_conn {
  PGconn *pg;
  bool replica; /* the thread's second connection, to the hot standby */
  int64_t last_failure_us;
  int64_t backoff_us; /* replica: the wait after last_failure_us */
  bool prepared[DB_MAX_STMTS];
  /* Between db_begin and db_commit or db_rollback. A connection lost
   * meanwhile is not replaced until then (txn_lost): statements of the
   * transaction must not run, committed one by one, on a new one. */
  bool in_txn;
  bool txn_lost;
  bool txn_conflict; /* a statement of it failed with 40001 or 40P01 */
};

/* The replica connection's reconnect backoff: doubled after each failed
 * attempt up to the maximum, so that a standby that is down costs a
 * connect attempt now and then, not one a read. */
#define DB_REPLICA_BACKOFF_MIN_US (250 * 1000)
#define DB_REPLICA_BACKOFF_MAX_US (4 * 1000 * 1000)

static const char *db_conninfo;
const char *db_replica_conninfo;
static pthread_key_t conn_key, replica_key;
/* Set between db_conn_use_replica(true) and (false): the thread's
 * statements run on its replica connection. */
static _Thread_local bool use_replica;
static _Atomic int next_slot;
static _Atomic long long stat_open, stat_connects, stat_connect_failures, stat_queries,
    stat_query_errors, stat_replica_open;

static void conn_close(struct db_conn *c)
{
  if (c->pg != NULL) {
    PQfinish(c->pg);
    c->pg = NULL;
    atomic_fetch_sub(c->replica ? &stat_replica_open : &stat_open, 1);
  }
  memset(c->prepared, 0, sizeof c->prepared);
}

static void conn_destroy(void *p)
{
  struct db_conn *c = p;
  conn_close(c);
  free(c);
}

void db_init(const char *conninfo)
{
  db_conninfo = conninfo;
  pthread_key_create(&conn_key, conn_destroy);
  pthread_key_create(&replica_key, conn_destroy);
}

void db_thread_done(void)
{
  struct db_conn *c = pthread_getspecific(conn_key);
  if (c != NULL) {
    conn_destroy(c);
    pthread_setspecific(conn_key, NULL);
  }
  c = pthread_getspecific(replica_key);
  if (c != NULL) {
    conn_destroy(c);
    pthread_setspecific(replica_key, NULL);
  }
}

void db_conn_use_replica(bool on)
{
  use_replica = on && db_replica_conninfo != NULL;
}

long long db_replica_connections_open(void)
{
  return atomic_load(&stat_replica_open);
}

void db_stats(struct db_stats *out)
{
  out->connections_open = atomic_load(&stat_open);
  out->connects = atomic_load(&stat_connects);
  out->connect_failures = atomic_load(&stat_connect_failures);
  out->queries = atomic_load(&stat_queries);
  out->query_errors = atomic_load(&stat_query_errors);
}

static PGconn *connect_now(bool replica)
{
  /* connect_timeout bounds a hung server; keepalives notice a dead peer.
   * JIT is off: it pays only for long analytic queries, and a planner
   * estimate gone wrong would add a compile to a millisecond query.
   * merchantd.tz is the platform time zone for SQL that needs local hours
   * (auto-replies' business hours); config checked it has no spaces.
   * The replica's connect_timeout is libpq's least (2 s): a read waits no
   * longer for a standby that stopped answering before it goes to the
   * primary. */
  const char *keys[] = {"dbname",          "application_name", "connect_timeout",
                        "keepalives_idle", "options",          NULL};
  char options[160];
  snprintf(options, sizeof options,
           "-c statement_timeout=10000 -c TimeZone=UTC -c jit=off -c merchantd.tz=%s",
           config.time_zone != NULL ? config.time_zone : "Asia/Shanghai");
  const char *vals[] = {replica ? db_replica_conninfo : db_conninfo,
                        "merchantd",
                        replica ? "2" : "3",
                        "30",
                        options,
                        NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(pg) != CONNECTION_OK) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg));
    msg[strcspn(msg, "\n")] = '\0';
    log_warn("could not connect to %s: %s", replica ? "the replica" : "database", msg);
    PQfinish(pg);
    return NULL;
  }
  return pg;
}

/* The calling thread's live replica connection, or NULL while the standby
 * is out of reach (and until the backoff since the last failed attempt has
 * passed). Never in a transaction: reads on it are single statements. */
static struct db_conn *replica_conn_get(void)
{
  struct db_conn *c = pthread_getspecific(replica_key);
  if (c == NULL) {
    c = calloc(1, sizeof *c);
    if (c == NULL)
      return NULL;
    c->replica = true;
    pthread_setspecific(replica_key, c);
  }
  if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
    return c;
  conn_close(c);
  int64_t now = clock_mono_us();
  if (c->last_failure_us != 0 && now - c->last_failure_us < c->backoff_us)
    return NULL;
  c->pg = connect_now(true);
  if (c->pg == NULL) {
    c->last_failure_us = clock_mono_us();
    c->backoff_us = c->backoff_us == 0 ? DB_REPLICA_BACKOFF_MIN_US : c->backoff_us * 2;
    if (c->backoff_us > DB_REPLICA_BACKOFF_MAX_US)
      c->backoff_us = DB_REPLICA_BACKOFF_MAX_US;
    return NULL;
  }
  c->last_failure_us = 0;
  c->backoff_us = 0;
  atomic_fetch_add(&stat_replica_open, 1);
  return c;
}

/* The calling thread's live connection, or NULL while PostgreSQL is out of
 * reach. */
static struct db_conn *conn_get(void)
{
  if (use_replica)
    return replica_conn_get();
  struct db_conn *c = pthread_getspecific(conn_key);
  if (c == NULL) {
    c = calloc(1, sizeof *c);
    if (c == NULL)
      return NULL;
    pthread_setspecific(conn_key, c);
  }
  if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK && !c->txn_lost)
    return c;
  if (c->in_txn) {
    c->txn_lost = true;
    return NULL;
  }
  conn_close(c);
  int64_t now = clock_mono_us();
  if (c->last_failure_us != 0 && now - c->last_failure_us < DB_RECONNECT_BACKOFF_US)
    return NULL;
  atomic_fetch_add(&stat_connects, 1);
  c->pg = connect_now(false);
  if (c->pg == NULL) {
    c->last_failure_us = now;
    atomic_fetch_add(&stat_connect_failures, 1);
    return NULL;
  }
  c->last_failure_us = 0;
  atomic_fetch_add(&stat_open, 1);
  return c;
}

bool db_ping(void)
{
  static struct db_stmt q = DB_STMT(0, "SELECT 1");
  PGresult *res;
  if (db_exec(&q, NULL, &res) < DB_NONE)
    return false;
  PQclear(res);
  return true;
}

static int stmt_slot(struct db_stmt *st)
{
  int slot = __atomic_load_n(&st->slot, __ATOMIC_ACQUIRE);
  if (slot != 0)
    return slot;
  int fresh = atomic_fetch_add(&next_slot, 1) + 1;
  if (fresh >= DB_MAX_STMTS) {
    log_error("too many prepared statements (limit %d)", DB_MAX_STMTS);
    abort();
  }
  int expected = 0;
  if (__atomic_compare_exchange_n(&st->slot, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                  __ATOMIC_ACQUIRE))
    return fresh;
  return expected;
}

/* A serialization failure or a deadlock: the transaction that met it was
 * rolled back whole and may succeed if run again. */
static bool is_conflict(const char *sqlstate)
{
  return sqlstate != NULL && (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0);
}

/* Classifies a failed result; the connection may have died under it. */
static enum db_status failure(struct db_conn *c, PGresult *res, const char *sql)
{
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  enum db_status st = DB_HARD_ERROR;
  if (PQstatus(c->pg) != CONNECTION_OK || (state != NULL && strncmp(state, "57P", 3) == 0) ||
      (state != NULL && strncmp(state, "08", 2) == 0)) {
    st = DB_UNAVAILABLE;
    conn_close(c);
    c->txn_lost = c->in_txn;
  } else if (is_conflict(state)) {
    st = DB_SOFT_ERROR;
    c->txn_conflict = c->in_txn;
  }
  char msg[512];
  snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : "no result");
  msg[strcspn(msg, "\n")] = '\0';
  if (st == DB_HARD_ERROR)
    log_error("query failed (sqlstate %s): %s; statement: %.80s", state ? state : "none", msg, sql);
  else
    log_warn("query failed (sqlstate %s): %s", state ? state : "none", msg);
  atomic_fetch_add(&stat_query_errors, 1);
  PQclear(res);
  return st;
}

/* Outside a transaction every statement runs on its own (autocommit), so
 * one that failed on a serialization conflict or a deadlock was rolled back
 * whole and can simply run again, as often as db_txn_run runs a
 * transaction again. Inside one, the whole transaction failed with it, and
 * db_txn_run runs it again. */
#define DB_SOFT_RETRIES (DB_TXN_ATTEMPTS - 1)

static enum db_status exec_once(struct db_stmt *st, const char *const *params, PGresult **out);

enum db_status db_exec(struct db_stmt *st, const char *const *params, PGresult **out)
{
  enum db_status s = exec_once(st, params, out);
  struct db_conn *c = pthread_getspecific(conn_key);
  bool in_txn = c != NULL && c->in_txn;
  for (int i = 0; s == DB_SOFT_ERROR && !in_txn && i < DB_SOFT_RETRIES; i++)
    s = exec_once(st, params, out);
  return s;
}

/* Runs a transaction-control command; true when PostgreSQL answered with
 * the command tag want (COMMIT of a failed transaction answers ROLLBACK).
 * When it answered with an error and conflict is not NULL, *conflict tells
 * whether that was a serialization failure or a deadlock. */
static bool control(struct db_conn *c, const char *command, const char *want, bool *conflict)
{
  PGresult *res = PQexec(c->pg, command);
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), want) == 0;
  if (!ok && PQresultStatus(res) != PGRES_COMMAND_OK) {
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    log_warn("%s failed (sqlstate %s): %.200s", command, state != NULL ? state : "none",
             PQresultErrorMessage(res));
    if (conflict != NULL)
      *conflict = is_conflict(state);
  }
  PQclear(res);
  return ok;
}

enum db_status db_begin(void)
{
  if (db_txn_open()) {
    log_error("could not begin a transaction: one is already open on this thread");
    return DB_HARD_ERROR;
  }
  struct db_conn *c = conn_get();
  if (c == NULL)
    return DB_UNAVAILABLE;
  if (!control(c, "BEGIN", "BEGIN", NULL)) {
    conn_close(c);
    return DB_UNAVAILABLE;
  }
  c->in_txn = true;
  c->txn_lost = false;
  c->txn_conflict = false;
  return DB_NONE;
}

bool db_txn_open(void)
{
  struct db_conn *c = pthread_getspecific(conn_key);
  return c != NULL && c->in_txn;
}

bool db_txn_failed(void)
{
  struct db_conn *c = pthread_getspecific(conn_key);
  return c == NULL || !c->in_txn || c->txn_lost || c->pg == NULL ||
         PQtransactionStatus(c->pg) != PQTRANS_INTRANS;
}

bool db_txn_conflicted(void)
{
  struct db_conn *c = pthread_getspecific(conn_key);
  return c != NULL && c->in_txn && c->txn_conflict;
}

enum db_status db_commit(void)
{
  struct db_conn *c = pthread_getspecific(conn_key);
  if (db_txn_failed()) {
    enum db_status st = c == NULL || !c->in_txn || c->txn_lost || c->pg == NULL ? DB_UNAVAILABLE
                        : c->txn_conflict                                       ? DB_SOFT_ERROR
                                                                                : DB_HARD_ERROR;
    db_rollback();
    return st;
  }
  c->in_txn = false;
  bool conflict = false;
  if (control(c, "COMMIT", "COMMIT", &conflict))
    return DB_NONE;
  /* PostgreSQL refused the COMMIT (a serialization failure found at commit
   * under SERIALIZABLE, a deferred constraint): the transaction was rolled
   * back and the connection is fine. */
  if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE)
    return conflict ? DB_SOFT_ERROR : DB_HARD_ERROR;
  /* The outcome of a COMMIT whose answer was lost is unknown: the
   * connection goes, and the caller answers as for a lost database. */
  conn_close(c);
  return DB_UNAVAILABLE;
}

void db_rollback(void)
{
  struct db_conn *c = pthread_getspecific(conn_key);
  if (c == NULL || !c->in_txn)
    return;
  c->in_txn = false;
  c->txn_lost = false;
  if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK &&
      !control(c, "ROLLBACK", "ROLLBACK", NULL))
    conn_close(c);
}

enum db_status db_txn_run(enum db_status (*body)(void *arg, bool last), void *arg)
{
  enum db_status st = DB_SOFT_ERROR;
  for (int attempt = 1; st == DB_SOFT_ERROR && attempt <= DB_TXN_ATTEMPTS; attempt++) {
    if (attempt > 1)
      log_info("running a transaction again after a serialization failure or deadlock "
               "(attempt %d of %d)",
               attempt, DB_TXN_ATTEMPTS);
    st = db_begin();
    if (st != DB_NONE)
      return st;
    st = body(arg, attempt == DB_TXN_ATTEMPTS);
    if (!db_txn_open())
      continue; /* body ended it; its status says how */
    if (st >= DB_NONE) {
      st = db_commit();
    } else {
      if (db_txn_conflicted())
        st = DB_SOFT_ERROR;
      db_rollback();
    }
  }
  return st;
}

static enum db_status exec_once(struct db_stmt *st, const char *const *params, PGresult **out)
{
  *out = NULL;
  struct db_conn *c = conn_get();
  if (c == NULL)
    return DB_UNAVAILABLE;
  int slot = stmt_slot(st);
  char name[16];
  snprintf(name, sizeof name, "s%d", slot);
  atomic_fetch_add(&stat_queries, 1);
  if (!c->prepared[slot]) {
    PGresult *res = PQprepare(c->pg, name, st->sql, st->nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      return failure(c, res, st->sql);
    PQclear(res);
    c->prepared[slot] = true;
  }
  PGresult *res = PQexecPrepared(c->pg, name, st->nparams, params, NULL, NULL, 0);
  ExecStatusType rs = PQresultStatus(res);
  if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK)
    return failure(c, res, st->sql);
  *out = res;
  int n = rs == PGRES_TUPLES_OK ? PQntuples(res) : atoi(PQcmdTuples(res));
  return n == 0 ? DB_NONE : n == 1 ? DB_ONE : DB_MANY;
}

enum db_status db_query_row(struct db_stmt *st, const char *const *params,
                            void (*read)(const PGresult *, void *), void *arg)
{
  PGresult *res;
  enum db_status s = db_exec(st, params, &res);
  if (s < DB_NONE)
    return s;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && read != NULL)
    read(res, arg);
  PQclear(res);
  return s;
}

enum db_status db_rows(enum db_status s, PGresult *res, void (*row)(const PGresult *, int, void *),
                       void *arg)
{
  if (s < DB_NONE)
    return s;
  for (int r = 0; r < PQntuples(res); r++)
    row(res, r, arg);
  PQclear(res);
  return s;
}

enum db_status db_each_row(struct db_stmt *st, const char *const *params,
                           void (*row)(const PGresult *, int, void *), void *arg)
{
  PGresult *res;
  enum db_status s = db_exec(st, params, &res);
  return db_rows(s, res, row, arg);
}

enum db_status db_run(struct db_stmt *st, const char *const *params)
{
  return db_query_row(st, params, NULL, NULL);
}

int64_t db_get_int64(const PGresult *res, int r, int c)
{
  return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

bool db_get_bool(const PGresult *res, int r, int c)
{
  return PQgetvalue(res, r, c)[0] == 't';
}

const char *db_get_text(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

const char *db_param_int64(char buf[DB_INT64_SIZE], int64_t v)
{
  snprintf(buf, DB_INT64_SIZE, "%" PRId64, v);
  return buf;
}

const char *db_param_bytea(char *buf, const unsigned char *data, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  buf[0] = '\\';
  buf[1] = 'x';
  for (size_t i = 0; i < len; i++) {
    buf[2 + 2 * i] = hex[data[i] >> 4];
    buf[3 + 2 * i] = hex[data[i] & 15];
  }
  buf[2 + 2 * len] = '\0';
  return buf;
}
