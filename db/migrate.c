#include "migrate.h"

#include "db_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Any constant works; it only has to be the same for every merchantd. */
#define MIGRATE_LOCK_KEY 0x6d65726368616e74LL

#define CHECKSUM_HEX (crypto_hash_sha256_BYTES * 2 + 1)

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "COMMENT ON TABLE schema_migrations IS 'migrations applied by merchantd migrate';"
    "CREATE TABLE IF NOT EXISTS schema_functions ("
    " name text PRIMARY KEY,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "COMMENT ON TABLE schema_functions IS 'SQL function files of db/sql: the text each last had"
    " when merchantd migrate applied it (applied_at: when that text was first applied)'";

static const char applied_sql[] =
    "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_migrations ORDER BY version";

static const char functions_sql[] =
    "SELECT name, checksum, to_char(applied_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_functions ORDER BY name";

/* What the database holds of a function file. */
enum fn_held { FN_MISSING, FN_CURRENT, FN_CHANGED };

static void checksum(const struct migrate_file *f, char out[CHECKSUM_HEX])
{
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)f->sql, f->length);
  sodium_bin2hex(out, CHECKSUM_HEX, h, sizeof h);
}

static const struct migrate_file *find_file(int version)
{
  for (size_t i = 0; i < migrate_file_count; i++)
    if (migrate_files[i].version == version)
      return &migrate_files[i];
  return NULL;
}

static const struct migrate_file *find_function(const char *name)
{
  for (size_t i = 0; i < migrate_function_count; i++)
    if (strcmp(migrate_functions[i].name, name) == 0)
      return &migrate_functions[i];
  return NULL;
}

static void report_pg(PGconn *pg, PGresult *res, const char *what)
{
  const char *msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(pg);
  fprintf(stderr, "merchantd: could not %s: %s", what, msg);
  if (msg[0] == '\0' || msg[strlen(msg) - 1] != '\n')
    fputc('\n', stderr);
}

/* Runs SQL that returns no rows; false (reported) on failure. */
static bool run(PGconn *pg, const char *sql, const char *what)
{
  PGresult *res = PQexec(pg, sql);
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
  if (!ok)
    report_pg(pg, res, what);
  PQclear(res);
  return ok;
}

static PGconn *open_conn(const char *conninfo)
{
  const char *keys[] = {"dbname", "application_name", "connect_timeout", "options", NULL};
  const char *vals[] = {conninfo, "merchantd-migrate", "5", "-c client_min_messages=warning", NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(pg) != CONNECTION_OK) {
    report_pg(pg, NULL, "connect to database");
    PQfinish(pg);
    return NULL;
  }
  PQsetNoticeProcessor(pg, NULL, NULL);
  return pg;
}

/* Checks what the database has applied against the embedded files; fills
 * applied[] (indexed like migrate_files) and the state. */
static bool read_applied(PGconn *pg, bool *applied, struct migrate_state *st, FILE *listing)
{
  PGresult *res = PQexec(pg, applied_sql);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    report_pg(pg, res, "read schema_migrations");
    PQclear(res);
    return false;
  }
  memset(st, 0, sizeof *st);
  for (int r = 0; r < PQntuples(res); r++) {
    int version = atoi(PQgetvalue(res, r, 0));
    const struct migrate_file *f = find_file(version);
    if (f == NULL) {
      st->unknown = true;
      fprintf(stderr,
              "merchantd: database has migration %d (%s) that this merchantd does not know\n",
              version, PQgetvalue(res, r, 1));
      continue;
    }
    char sum[CHECKSUM_HEX];
    checksum(f, sum);
    applied[f - migrate_files] = true;
    if (strcmp(sum, PQgetvalue(res, r, 2)) != 0) {
      st->mismatch = true;
      fprintf(stderr,
              "merchantd: migration %s was changed after it was applied (checksum %.12s, applied "
              "%.12s); applied migrations must never be edited\n",
              f->name, sum, PQgetvalue(res, r, 2));
    }
    if (listing != NULL)
      fprintf(listing, "applied  %s  %s\n", PQgetvalue(res, r, 3), f->name);
  }
  PQclear(res);
  for (size_t i = 0; i < migrate_file_count; i++)
    if (!applied[i]) {
      st->pending++;
      if (listing != NULL)
        fprintf(listing, "pending  %-20s  %s\n", "", migrate_files[i].name);
    }
  return true;
}

/* Compares the function files the database has applied with the embedded
 * ones: fills held[] (indexed like migrate_functions), counts the files to
 * apply (missing or changed) into st->functions_stale and sets
 * st->functions_unknown for a file this build does not have. Lists the
 * files in apply order when `listing` is given. */
static bool read_functions(PGconn *pg, enum fn_held *held, struct migrate_state *st, FILE *listing)
{
  PGresult *res = PQexec(pg, functions_sql);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    report_pg(pg, res, "read schema_functions");
    PQclear(res);
    return false;
  }
  int *row = calloc(migrate_function_count + 1, sizeof *row);
  if (row == NULL) {
    PQclear(res);
    return false;
  }
  for (int r = 0; r < PQntuples(res); r++) {
    const struct migrate_file *f = find_function(PQgetvalue(res, r, 0));
    if (f == NULL) {
      st->functions_unknown = true;
      fprintf(stderr, "merchantd: database has SQL function file %s that this merchantd does not know\n",
              PQgetvalue(res, r, 0));
      if (listing != NULL)
        fprintf(listing, "unknown  %s  db/sql/%s\n", PQgetvalue(res, r, 2), PQgetvalue(res, r, 0));
      continue;
    }
    char sum[CHECKSUM_HEX];
    checksum(f, sum);
    held[f - migrate_functions] = strcmp(sum, PQgetvalue(res, r, 1)) == 0 ? FN_CURRENT : FN_CHANGED;
    row[f - migrate_functions] = r;
  }
  for (size_t i = 0; i < migrate_function_count; i++) {
    if (held[i] != FN_CURRENT)
      st->functions_stale++;
    if (listing == NULL)
      continue;
    if (held[i] == FN_MISSING)
      fprintf(listing, "missing  %-20s  db/sql/%s\n", "", migrate_functions[i].name);
    else
      fprintf(listing, "%s  %s  db/sql/%s\n", held[i] == FN_CURRENT ? "current" : "changed",
              PQgetvalue(res, row[i], 2), migrate_functions[i].name);
  }
  free(row);
  PQclear(res);
  return true;
}

/* Runs one embedded file's SQL and records it with `record`, which takes
 * the file's name, checksum and (when nparams is 3) version; false
 * (reported) on failure. */
static bool apply_one(PGconn *pg, const struct migrate_file *f, const char *what,
                      const char *record, int nparams)
{
  char sum[CHECKSUM_HEX], version[16], msg[160];
  checksum(f, sum);
  snprintf(version, sizeof version, "%d", f->version);
  PGresult *res = PQexec(pg, f->sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
    snprintf(msg, sizeof msg, "apply %s %s", what, f->name);
    report_pg(pg, res, msg);
    PQclear(res);
    return false;
  }
  PQclear(res);
  const char *params[] = {f->name, sum, version};
  res = PQexecParams(pg, record, nparams, NULL, params, NULL, NULL, 0);
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) {
    snprintf(msg, sizeof msg, "record %s %s", what, f->name);
    report_pg(pg, res, msg);
  }
  PQclear(res);
  return ok;
}

/* The pending migrations, then every function file (CREATE OR REPLACE, so
 * applying an unchanged one changes nothing), in one transaction: a
 * migration that drops a function whose new text is in a file never leaves
 * the database without it, and a failure anywhere leaves the database as
 * it was. Prints what it applied. */
static bool apply_all(PGconn *pg, const bool *applied, const enum fn_held *held, FILE *out)
{
  if (!run(pg, "BEGIN", "begin migration"))
    return false;
  for (size_t i = 0; i < migrate_file_count; i++) {
    if (applied[i])
      continue;
    if (!apply_one(pg, &migrate_files[i], "migration",
                   "INSERT INTO schema_migrations (version, name, checksum) VALUES ($3, $1, $2)",
                   3)) {
      run(pg, "ROLLBACK", "roll back migration");
      return false;
    }
    fprintf(out, "applied %s\n", migrate_files[i].name);
  }
  for (size_t i = 0; i < migrate_function_count; i++) {
    if (!apply_one(pg, &migrate_functions[i], "SQL function file",
                   "INSERT INTO schema_functions AS f (name, checksum) VALUES ($1, $2)"
                   " ON CONFLICT (name) DO UPDATE SET checksum = $2, applied_at = now()"
                   " WHERE f.checksum <> $2",
                   2)) {
      run(pg, "ROLLBACK", "roll back migration");
      return false;
    }
    if (held[i] != FN_CURRENT)
      fprintf(out, "applied db/sql/%s\n", migrate_functions[i].name);
  }
  return run(pg, "COMMIT", "commit migration");
}

int migrate_apply(const char *conninfo, FILE *out)
{
  PGconn *pg = open_conn(conninfo);
  if (pg == NULL)
    return 1;
  int rc = 1;
  char lock[96];
  snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%lld)", MIGRATE_LOCK_KEY);
  if (!run(pg, lock, "take the migration lock") ||
      !run(pg, create_table_sql, "create schema_migrations"))
    goto done;
  bool *applied = calloc(migrate_file_count + 1, sizeof *applied);
  enum fn_held *held = calloc(migrate_function_count + 1, sizeof *held);
  struct migrate_state st;
  if (applied == NULL || held == NULL || !read_applied(pg, applied, &st, NULL) ||
      !read_functions(pg, held, &st, NULL) || st.mismatch || st.unknown || st.functions_unknown) {
    free(applied);
    free(held);
    goto done;
  }
  if (st.pending == 0 && st.functions_stale == 0) {
    fprintf(out, "nothing to apply: %zu migrations and %zu SQL function files current\n",
            migrate_file_count, migrate_function_count);
    rc = 0;
  } else if (apply_all(pg, applied, held, out)) {
    rc = 0;
  }
  free(applied);
  free(held);
done:
  PQfinish(pg); /* ends the session, which releases the advisory lock */
  return rc;
}

static int check(const char *conninfo, struct migrate_state *st, FILE *listing)
{
  PGconn *pg = open_conn(conninfo);
  if (pg == NULL)
    return 1;
  int rc = 1;
  bool *applied = calloc(migrate_file_count + 1, sizeof *applied);
  enum fn_held *held = calloc(migrate_function_count + 1, sizeof *held);
  if (applied != NULL && held != NULL && run(pg, create_table_sql, "create schema_migrations") &&
      read_applied(pg, applied, st, listing) && read_functions(pg, held, st, listing))
    rc = 0;
  free(applied);
  free(held);
  PQfinish(pg);
  return rc;
}

int migrate_status(const char *conninfo, FILE *out)
{
  struct migrate_state st;
  int rc = check(conninfo, &st, out);
  if (rc == 0)
    fprintf(out, "%d pending\n", st.pending + st.functions_stale);
  return rc == 0 && !st.mismatch && !st.unknown && !st.functions_unknown ? 0 : 1;
}

int migrate_state_check(const char *conninfo, struct migrate_state *st)
{
  return check(conninfo, st, NULL);
}

enum db_status migrate_state_get(struct migrate_state *st)
{
  static struct db_stmt q =
      DB_STMT(0, "SELECT 0, version::text, checksum FROM schema_migrations"
                 " UNION ALL SELECT 1, name, checksum FROM schema_functions");
  PGresult *res;
  enum db_status s = db_exec(&q, NULL, &res);
  memset(st, 0, sizeof *st);
  if (s < DB_NONE) {
    /* No schema_migrations (or schema_functions) yet means nothing is
     * applied. */
    if (s != DB_HARD_ERROR)
      return s;
    st->pending = (int)migrate_file_count;
    st->functions_stale = (int)migrate_function_count;
    return DB_NONE;
  }
  int matched = 0, current = 0;
  for (int r = 0; r < PQntuples(res); r++) {
    bool function = strcmp(PQgetvalue(res, r, 0), "1") == 0;
    const struct migrate_file *f = function ? find_function(PQgetvalue(res, r, 1))
                                            : find_file(atoi(PQgetvalue(res, r, 1)));
    if (f == NULL) {
      *(function ? &st->functions_unknown : &st->unknown) = true;
      continue;
    }
    char sum[CHECKSUM_HEX];
    checksum(f, sum);
    bool same = strcmp(sum, PQgetvalue(res, r, 2)) == 0;
    if (function) {
      current += same;
      continue;
    }
    if (!same)
      st->mismatch = true;
    matched++;
  }
  PQclear(res);
  st->pending = (int)migrate_file_count - matched;
  st->functions_stale = (int)migrate_function_count - current;
  return DB_ONE;
}
