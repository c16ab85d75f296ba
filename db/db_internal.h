/* For the db_ modules only: statements and their execution. A PGresult
 * never leaves the db_ function that ran the statement. */
#ifndef MERCHANTD_DB_INTERNAL_H
#define MERCHANTD_DB_INTERNAL_H

#include "accounts.h"
#include "db.h"
#include "replica.h"

#include <libpq-fe.h>
#include <stddef.h>

struct db_stmt {
  const char *sql;
  int nparams;
  int slot; /* assigned on first use; names the prepared statement */
};

#define DB_STMT(nparams_, sql_)                                                                    \
  {                                                                                                \
    .sql = (sql_), .nparams = (nparams_), .slot = 0                                                \
  }

/* Runs a prepared statement with text parameters (NULL for SQL NULL).
 * On DB_ONE/DB_MANY/DB_NONE *res holds the result, which the caller clears;
 * on any error *res is NULL and the error has been logged. */
enum db_status db_exec(struct db_stmt *stmt, const char *const *params, PGresult **res);

/* Runs a statement expected to return at most one row and, when it returned
 * one, calls read on the result (read may be NULL). */
enum db_status db_query_row(struct db_stmt *stmt, const char *const *params,
                            void (*read)(const PGresult *res, void *arg), void *arg);
/* Calls row for each row of res, the result of a statement that ended
 * with s, and frees it; returns s (res is not read when s is an error). */
enum db_status db_rows(enum db_status s, PGresult *res,
                       void (*row)(const PGresult *res, int r, void *arg), void *arg);
/* Runs a statement and calls row(res, r, arg) for each row it returned, in
 * order; res is valid only during the call. */
enum db_status db_each_row(struct db_stmt *stmt, const char *const *params,
                           void (*row)(const PGresult *res, int r, void *arg), void *arg);
/* Runs a statement whose result is only its status. */
enum db_status db_run(struct db_stmt *stmt, const char *const *params);

/* Statements whose SQL writes the reply's JSON (db/sql/<name>_json.sql and the
 * functions returning it), in json_reply.c: one row of (json), rows of
 * (id, json), or one row of (result code, json). fn gets NULL for SQL
 * NULL; an (id, json) row whose id is NULL (an empty page joined to the
 * row that says the list exists) is skipped. */
typedef void db_json_fn(const char *json, void *arg);
typedef void db_id_json_fn(int64_t id, const char *json, void *arg);
enum db_status db_query_json(struct db_stmt *stmt, const char *const *params, db_json_fn *fn,
                             void *arg);
enum db_status db_each_id_json(struct db_stmt *stmt, const char *const *params, db_id_json_fn *fn,
                               void *arg);
/* code gets the row's code, "not_found" when there is no row. */
enum db_status db_query_coded_json(struct db_stmt *stmt, const char *const *params,
                                   char code[DB_RESULT_CODE_SIZE], db_json_fn *fn, void *arg);
/* The (result code, json) row's reader, for callers that read more rows. */
struct db_json_coded {
  char *code;
  db_json_fn *fn;
  void *arg;
};
void db_json_coded_row(const PGresult *res, void *arg);

/* Runs a statement that folds authentication in (ROUTE_FOLDED_AUTH): its
 * first columns are DB_LIVE_SESSION_COLUMNS (accounts.h) of the session the
 * token hash names. DB_ONE when that session is live: session has its id,
 * account id, role and expiry, and *res the rest of row 0 (the caller
 * clears it). DB_NONE when there is none or it has ended (*res is NULL),
 * or the failure. Defined in accounts.c. */
enum db_status db_exec_folded(struct db_stmt *stmt, const char *const *params,
                              struct db_session *session, PGresult **res);

/* Reads that may run on the hot standby (replica.c, docs/operations.md
 * "Read replica"): as db_exec and db_each_row, on the replica when
 * MERCHANTD_REPLICA_URL is set and the standby is fresh (within
 * MERCHANTD_REPLICA_MAX_LAG_MS of the primary), else on the primary. A
 * statement that fails on the replica runs again on the primary, and so
 * does one that found nothing when the read is one whose "nothing" means
 * "no such object" (an owner check folded in: the object may be younger
 * than the replica's lag). Never inside a transaction: there they run on
 * the primary's connection like any other statement. */
enum db_status db_replica_exec(enum db_read which, struct db_stmt *stmt, const char *const *params,
                               PGresult **res);
enum db_status db_replica_each_row(enum db_read which, struct db_stmt *stmt,
                                   const char *const *params,
                                   void (*row)(const PGresult *res, int r, void *arg), void *arg);

/* db.c's side of the replica: its conninfo (NULL: none configured), and
 * the switch that sends the calling thread's statements to its own second
 * connection, the replica one, opened lazily and reopened with a backoff. */
extern const char *db_replica_conninfo;
void db_conn_use_replica(bool on);
long long db_replica_connections_open(void);

/* Field helpers: read row r, column c of a result. */
int64_t db_get_int64(const PGresult *res, int r, int c);
bool db_get_bool(const PGresult *res, int r, int c);
/* NULL when the value is SQL NULL. */
const char *db_get_text(const PGresult *res, int r, int c);

/* Parameter helpers: fill caller-owned buffers. */
#define DB_INT64_SIZE 24
const char *db_param_int64(char buf[DB_INT64_SIZE], int64_t v);
/* bytea as "\x" hex; buf must hold 2 * len + 3 bytes. */
const char *db_param_bytea(char *buf, const unsigned char *data, size_t len);

#endif
