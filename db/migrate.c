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
    "COMMENT ON TABLE schema_migrations IS 'migrations applied by merchantd migrate'";

static const char applied_sql[] =
    "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_migrations ORDER BY version";

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

static bool apply_one(PGconn *pg, const struct migrate_file *f)
{
  char sum[CHECKSUM_HEX], version[16];
  checksum(f, sum);
  snprintf(version, sizeof version, "%d", f->version);
  if (!run(pg, "BEGIN", "begin migration"))
    return false;
  PGresult *res = PQexec(pg, f->sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
    char what[128];
    snprintf(what, sizeof what, "apply migration %s", f->name);
    report_pg(pg, res, what);
    PQclear(res);
    run(pg, "ROLLBACK", "roll back migration");
    return false;
  }
  PQclear(res);
  const char *params[] = {version, f->name, sum};
  res = PQexecParams(pg,
                     "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     3, NULL, params, NULL, NULL, 0);
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok)
    report_pg(pg, res, "record migration");
  PQclear(res);
  if (!ok) {
    run(pg, "ROLLBACK", "roll back migration");
    return false;
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
  struct migrate_state st;
  if (applied == NULL || !read_applied(pg, applied, &st, NULL) || st.mismatch || st.unknown) {
    free(applied);
    goto done;
  }
  rc = 0;
  for (size_t i = 0; i < migrate_file_count && rc == 0; i++) {
    if (applied[i])
      continue;
    if (apply_one(pg, &migrate_files[i]))
      fprintf(out, "applied %s\n", migrate_files[i].name);
    else
      rc = 1;
  }
  if (rc == 0 && st.pending == 0)
    fprintf(out, "nothing to apply: %zu migrations current\n", migrate_file_count);
  free(applied);
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
  if (applied != NULL && run(pg, create_table_sql, "create schema_migrations") &&
      read_applied(pg, applied, st, listing))
    rc = 0;
  free(applied);
  PQfinish(pg);
  return rc;
}

int migrate_status(const char *conninfo, FILE *out)
{
  struct migrate_state st;
  int rc = check(conninfo, &st, out);
  if (rc == 0)
    fprintf(out, "%d pending\n", st.pending);
  return rc == 0 && !st.mismatch && !st.unknown ? 0 : 1;
}

int migrate_state_check(const char *conninfo, struct migrate_state *st)
{
  return check(conninfo, st, NULL);
}

enum db_status migrate_state_get(struct migrate_state *st)
{
  static struct db_stmt q =
      DB_STMT(0, "SELECT version, checksum FROM schema_migrations ORDER BY version");
  PGresult *res;
  enum db_status s = db_exec(&q, NULL, &res);
  memset(st, 0, sizeof *st);
  if (s < DB_NONE) {
    /* No schema_migrations yet means nothing is applied. */
    return s == DB_HARD_ERROR ? (st->pending = (int)migrate_file_count, DB_NONE) : s;
  }
  int matched = 0;
  for (int r = 0; r < PQntuples(res); r++) {
    const struct migrate_file *f = find_file(atoi(PQgetvalue(res, r, 0)));
    if (f == NULL) {
      st->unknown = true;
      continue;
    }
    char sum[CHECKSUM_HEX];
    checksum(f, sum);
    if (strcmp(sum, PQgetvalue(res, r, 1)) != 0)
      st->mismatch = true;
    matched++;
  }
  PQclear(res);
  st->pending = (int)migrate_file_count - matched;
  return DB_ONE;
}
