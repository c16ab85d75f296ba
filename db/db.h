/* The PostgreSQL layer's common part: one libpq connection per thread,
 * statements prepared lazily once per connection (and again after a
 * reconnect), and the status every db_ function returns. */
#ifndef MERCHANTD_DB_H
#define MERCHANTD_DB_H

#include <stdbool.h>
#include <stdint.h>

enum db_status {
  DB_UNAVAILABLE = -3, /* no connection to PostgreSQL: the caller answers 503 */
  DB_HARD_ERROR = -2,  /* the query failed: a bug or a broken invariant */
  DB_SOFT_ERROR = -1,  /* serialization failure or deadlock: worth retrying */
  DB_NONE = 0,
  DB_ONE = 1,
  DB_MANY = 2,
};

/* Room for a result code of a SQL function ("ok" or a problem code). */
#define DB_RESULT_CODE_SIZE 32

struct db_stats {
  long long connections_open;
  long long connects;
  long long connect_failures;
  long long queries;
  long long query_errors;
};

/* Called once before any thread uses the database. */
void db_init(const char *conninfo);
/* Closes the calling thread's connection, if it has one. */
void db_thread_done(void);
void db_stats(struct db_stats *out);

/* True when this thread can reach PostgreSQL right now. */
bool db_ping(void);

/* One transaction on the calling thread's connection: every db_ call of
 * the thread between db_begin and db_commit or db_rollback runs in it, and
 * none runs on another connection should this one be lost meanwhile
 * (they fail with DB_UNAVAILABLE). A thread has at most one open.
 * db_begin: DB_NONE; DB_UNAVAILABLE; DB_HARD_ERROR when one is already
 * open. db_commit: DB_NONE when committed; otherwise the transaction is
 * over (rolled back, or its outcome unknown if the connection was lost
 * during COMMIT) and the status says why: DB_SOFT_ERROR for a
 * serialization failure or deadlock (in a statement or at COMMIT),
 * DB_UNAVAILABLE for a lost connection, DB_HARD_ERROR otherwise. Outside
 * the transaction runner below, only code that must end the transaction
 * at a moment of its own (before a reply goes out) calls these. */
enum db_status db_begin(void);
enum db_status db_commit(void);
void db_rollback(void);
/* True between db_begin and db_commit or db_rollback. */
bool db_txn_open(void);
/* True when no transaction is open or the open one can no longer commit (a
 * statement failed in it, or its connection was lost). */
bool db_txn_failed(void);
/* True when a statement of the open transaction failed on a serialization
 * failure or a deadlock (40001, 40P01): the whole transaction may succeed
 * if run again. */
bool db_txn_conflicted(void);

/* The one transaction runner, for work of several statements that must
 * commit together. Runs body in a transaction on the calling thread's
 * connection; last tells body whether this is the final attempt. When body
 * returns with the transaction still open, it commits if body succeeded
 * (>= DB_NONE) and rolls back otherwise; body may also end it itself
 * (db_commit or db_rollback), as the Idempotency-Key reply store does
 * before its reply goes out. A serialization failure or deadlock (body
 * returns DB_SOFT_ERROR, or the transaction or its COMMIT failed so) runs
 * the whole of body again in a new transaction, up to DB_TXN_ATTEMPTS
 * times in all. Returns body's status, or the commit's. */
#define DB_TXN_ATTEMPTS 4
enum db_status db_txn_run(enum db_status (*body)(void *arg, bool last), void *arg);

#endif
