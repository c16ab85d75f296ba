#include "accounts.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const permission_names[DB_PERMISSION_COUNT] = {
    "review", "finance", "campaigns", "community", "support", "growth",
};

const char *db_permission_name(unsigned i)
{
  return i < DB_PERMISSION_COUNT ? permission_names[i] : NULL;
}

unsigned db_permission_bit(const char *name, size_t len)
{
  for (unsigned i = 0; i < DB_PERMISSION_COUNT; i++)
    if (strlen(permission_names[i]) == len && memcmp(permission_names[i], name, len) == 0)
      return 1u << i;
  return 0;
}

/* "review,finance" as the database sends it: names it does not know are
 * left out (its CHECK allows none). */
static unsigned permissions_from_text(const char *text)
{
  unsigned bits = 0;
  while (*text != '\0') {
    size_t n = strcspn(text, ",");
    bits |= db_permission_bit(text, n);
    text += n + (text[n] == ',');
  }
  return bits;
}

/* The bits as a PostgreSQL text[] literal ('{review,finance}'). */
static const char *permissions_to_array(char out[128], unsigned bits)
{
  size_t o = 0;
  out[o++] = '{';
  for (unsigned i = 0; i < DB_PERMISSION_COUNT; i++)
    if (bits & (1u << i))
      o += (size_t)snprintf(out + o, 128 - o, "%s%s", o > 1 ? "," : "", permission_names[i]);
  snprintf(out + o, 128 - o, "}");
  return out;
}

/* Reads the ACCOUNT_NCOLUMNS ACCOUNT_COLUMNS starting at column c. */
static void read_account(const PGresult *res, int r, int c, struct db_account *out)
{
  out->id = db_get_int64(res, r, c);
  snprintf(out->role, sizeof out->role, "%s", PQgetvalue(res, r, c + 1));
  snprintf(out->username, sizeof out->username, "%s", PQgetvalue(res, r, c + 2));
  snprintf(out->display_name, sizeof out->display_name, "%s", PQgetvalue(res, r, c + 3));
  out->created_at = db_get_int64(res, r, c + 4);
  out->permissions = permissions_from_text(PQgetvalue(res, r, c + 5));
  out->disabled = db_get_bool(res, r, c + 6);
}

static void read_account_row(const PGresult *res, void *arg)
{
  read_account(res, 0, 0, arg);
}

enum db_status db_account_create(const char *role, const char *username, const char *display_name,
                                 unsigned permissions, const char *password_hash, int64_t now,
                                 struct db_account *out)
{
  static struct db_stmt q = DB_STMT(6, "INSERT INTO accounts AS a (role, username, display_name,"
                                       " password_hash, created_at, permissions)"
                                       " VALUES ($1, $2, $3, $4, us_to_ts($5), $6::text[])"
                                       " ON CONFLICT (username) DO NOTHING"
                                       " RETURNING " ACCOUNT_COLUMNS);
  char nowb[DB_INT64_SIZE], permb[128];
  const char *p[] = {role,
                     username,
                     display_name,
                     password_hash,
                     db_param_int64(nowb, now),
                     permissions_to_array(permb, permissions)};
  return db_query_row(&q, p, read_account_row, out);
}

enum db_status db_staff_permissions(const char *username, unsigned permissions, bool grant,
                                    struct db_account *out)
{
  static struct db_stmt qgrant =
      DB_STMT(2, "UPDATE accounts AS a SET permissions ="
                 " ARRAY(SELECT DISTINCT p FROM unnest(a.permissions || $2::text[]) p ORDER BY p)"
                 " WHERE a.username = $1 AND a.role = 'staff' RETURNING " ACCOUNT_COLUMNS);
  static struct db_stmt qrevoke = DB_STMT(
      2, "UPDATE accounts AS a SET permissions ="
         " ARRAY(SELECT p FROM unnest(a.permissions) p WHERE p <> ALL ($2::text[]) ORDER BY p)"
         " WHERE a.username = $1 AND a.role = 'staff' RETURNING " ACCOUNT_COLUMNS);
  char permb[128];
  const char *p[] = {username, permissions_to_array(permb, permissions)};
  return db_query_row(grant ? &qgrant : &qrevoke, p, read_account_row, out);
}

static void read_bool(const PGresult *res, void *arg)
{
  *(bool *)arg = db_get_bool(res, 0, 0);
}

enum db_status db_staff_disable(const char *username, int64_t now)
{
  static struct db_stmt q = DB_STMT(2, "SELECT staff_disable($1, us_to_ts($2))");
  char nowb[DB_INT64_SIZE];
  bool found = false;
  enum db_status st =
      db_query_row(&q, (const char *[]){username, db_param_int64(nowb, now)}, read_bool, &found);
  return st == DB_ONE && !found ? DB_NONE : st;
}

struct account_with_hash {
  struct db_account *account;
  char *hash;
};

static void read_account_hash(const PGresult *res, void *arg)
{
  struct account_with_hash *a = arg;
  read_account(res, 0, 0, a->account);
  snprintf(a->hash, DB_HASH_SIZE, "%s", PQgetvalue(res, 0, ACCOUNT_NCOLUMNS));
}

enum db_status db_account_by_username(const char *username, struct db_account *out,
                                      char hash[DB_HASH_SIZE])
{
  static struct db_stmt q = DB_STMT(1, "SELECT " ACCOUNT_COLUMNS
                                       ", a.password_hash FROM accounts a WHERE a.username = $1");
  struct account_with_hash a = {out, hash};
  return db_query_row(&q, (const char *[]){username}, read_account_hash, &a);
}

enum db_status db_account_set_password_hash(int64_t account_id, const char *password_hash)
{
  static struct db_stmt q = DB_STMT(2, "UPDATE accounts SET password_hash = $2 WHERE id = $1");
  char idb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){db_param_int64(idb, account_id), password_hash});
}

static void read_int64(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

/* auth_login's session id; NULL (the account is disabled) leaves 0. */
static void read_session_id(const PGresult *res, void *arg)
{
  if (!PQgetisnull(res, 0, 0))
    *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_session_start(int64_t account_id,
                                const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                const char *device, int64_t now, int64_t expires_at,
                                int64_t *session_id)
{
  static struct db_stmt q =
      DB_STMT(5, "SELECT auth_login($1, $2::bytea, $3, us_to_ts($4), us_to_ts($5))");
  char idb[DB_INT64_SIZE], nowb[DB_INT64_SIZE], expb[DB_INT64_SIZE];
  char hashb[2 * DB_TOKEN_HASH_SIZE + 3];
  const char *p[] = {db_param_int64(idb, account_id),
                     db_param_bytea(hashb, token_hash, DB_TOKEN_HASH_SIZE), device,
                     db_param_int64(nowb, now), db_param_int64(expb, expires_at)};
  *session_id = 0;
  enum db_status st = db_query_row(&q, p, read_session_id, session_id);
  return st == DB_ONE && *session_id == 0 ? DB_NONE : st;
}

static void read_session(const PGresult *res, void *arg)
{
  struct db_session *s = arg;
  s->id = db_get_int64(res, 0, 0);
  read_account(res, 0, 1, &s->account);
  int c = 1 + ACCOUNT_NCOLUMNS;
  s->expires_at = db_get_int64(res, 0, c);
  const char *reason = db_get_text(res, 0, c + 1);
  s->end = reason == NULL                    ? DB_SESSION_LIVE
           : strcmp(reason, "replaced") == 0 ? DB_SESSION_REPLACED
           : strcmp(reason, "disabled") == 0 ? DB_SESSION_DISABLED
                                             : DB_SESSION_LOGGED_OUT;
  s->ended_at = reason == NULL ? 0 : db_get_int64(res, 0, c + 2);
  const char *device = db_get_text(res, 0, c + 3);
  snprintf(s->replaced_by_device, sizeof s->replaced_by_device, "%s", device ? device : "");
}

/* Reads DB_LIVE_SESSION_COLUMNS of row r: false when the session has ended
 * (s is then not filled). Only the account's id and role are set. */
static bool read_live_session(const PGresult *res, int r, struct db_session *s)
{
  if (!db_get_bool(res, r, 4))
    return false;
  memset(s, 0, sizeof *s);
  s->id = db_get_int64(res, r, 0);
  s->account.id = db_get_int64(res, r, 1);
  snprintf(s->account.role, sizeof s->account.role, "%s", PQgetvalue(res, r, 2));
  s->expires_at = db_get_int64(res, r, 3);
  s->end = DB_SESSION_LIVE;
  return true;
}

enum db_status db_exec_folded(struct db_stmt *stmt, const char *const *params,
                              struct db_session *session, PGresult **res)
{
  enum db_status st = db_exec(stmt, params, res);
  if (st < DB_NONE)
    return st;
  if (st == DB_ONE && read_live_session(*res, 0, session))
    return DB_ONE;
  PQclear(*res);
  *res = NULL;
  return DB_NONE;
}

enum db_status db_session_lookup(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                 struct db_session *out)
{
  static struct db_stmt q =
      DB_STMT(1, "SELECT s.id, " ACCOUNT_COLUMNS ", ts_to_us(s.expires_at), s.end_reason,"
                 " ts_to_us(s.ended_at), r.device"
                 " FROM sessions s JOIN accounts a ON a.id = s.account_id"
                 " LEFT JOIN sessions r ON r.id = s.replaced_by WHERE " DB_SESSION_WHERE(1));
  char hashb[2 * DB_TOKEN_HASH_SIZE + 3];
  memset(out, 0, sizeof *out);
  return db_query_row(&q, (const char *[]){db_param_bytea(hashb, token_hash, DB_TOKEN_HASH_SIZE)},
                      read_session, out);
}

enum db_status db_me(const unsigned char token_hash[DB_TOKEN_HASH_SIZE], struct db_session *session,
                     void (*fn)(const char *shops_json, void *arg), void *arg)
{
  /* The app's shop switcher caps at 200 shops, like GET /v1/shops. */
  static struct db_stmt q = DB_STMT(
      1, "SELECT " DB_LIVE_SESSION_COLUMNS ", " ACCOUNT_COLUMNS ","
         " CASE WHEN s.role = 'merchant' THEN coalesce((SELECT json_agg(x ORDER BY x.id) FROM"
         " (SELECT sh.id, sh.name FROM shops sh WHERE sh.merchant_id = s.account_id"
         " ORDER BY sh.id LIMIT 200) x), '[]') END"
         " FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE " DB_SESSION_WHERE(1));
  char hashb[2 * DB_TOKEN_HASH_SIZE + 3];
  PGresult *res;
  enum db_status st = db_exec_folded(
      &q, (const char *[]){db_param_bytea(hashb, token_hash, DB_TOKEN_HASH_SIZE)}, session, &res);
  if (st != DB_ONE)
    return st;
  read_account(res, 0, DB_LIVE_SESSION_NCOLUMNS, &session->account);
  fn(db_get_text(res, 0, DB_LIVE_SESSION_NCOLUMNS + ACCOUNT_NCOLUMNS), arg);
  PQclear(res);
  return st;
}

enum db_status db_session_logout(int64_t session_id, int64_t now)
{
  static struct db_stmt q =
      DB_STMT(2, "UPDATE sessions SET ended_at = us_to_ts($2), end_reason = 'logout'"
                 " WHERE id = $1 AND ended_at IS NULL");
  char idb[DB_INT64_SIZE], nowb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){db_param_int64(idb, session_id), db_param_int64(nowb, now)});
}

enum db_status db_sessions_active(int64_t now, int64_t *count)
{
  static struct db_stmt q = DB_STMT(
      1, "SELECT count(*) FROM sessions WHERE ended_at IS NULL AND expires_at > us_to_ts($1)");
  char nowb[DB_INT64_SIZE];
  return db_query_row(&q, (const char *[]){db_param_int64(nowb, now)}, read_int64, count);
}

enum db_status db_sessions_purge(int64_t before, int64_t *deleted)
{
  static struct db_stmt q =
      DB_STMT(1, "WITH gone AS (DELETE FROM sessions WHERE expires_at < us_to_ts($1)"
                 " OR ended_at < us_to_ts($1) RETURNING 1) SELECT count(*) FROM gone");
  char b[DB_INT64_SIZE];
  return db_query_row(&q, (const char *[]){db_param_int64(b, before)}, read_int64, deleted);
}

struct throttle_pair {
  const char *user_key;
  struct db_throttle *user, *ip;
};

static void read_throttle(const PGresult *res, void *arg)
{
  struct throttle_pair *t = arg;
  for (int r = 0; r < PQntuples(res); r++) {
    struct db_throttle *dst = strcmp(PQgetvalue(res, r, 0), t->user_key) == 0 ? t->user : t->ip;
    dst->failures = (int)db_get_int64(res, r, 1);
    dst->window_start = db_get_int64(res, r, 2);
  }
}

enum db_status db_throttle_read(const char *user_key, const char *ip_key, int64_t now,
                                int64_t window_us, struct db_throttle *user, struct db_throttle *ip)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT key, failures, ts_to_us(window_start) FROM login_throttle"
                 " WHERE key IN ($1, $2) AND window_start > us_to_ts($3 - $4::bigint)");
  char nowb[DB_INT64_SIZE], winb[DB_INT64_SIZE];
  memset(user, 0, sizeof *user);
  memset(ip, 0, sizeof *ip);
  struct throttle_pair t = {user_key, user, ip};
  return db_query_row(&q,
                      (const char *[]){user_key, ip_key, db_param_int64(nowb, now),
                                       db_param_int64(winb, window_us)},
                      read_throttle, &t);
}

enum db_status db_throttle_fail(const char *user_key, const char *ip_key, int64_t now,
                                int64_t window_us)
{
  /* A window that has run out starts afresh at this failure. */
  static struct db_stmt q =
      DB_STMT(4, "INSERT INTO login_throttle AS t (key, window_start, failures)"
                 " VALUES ($1, us_to_ts($3), 1), ($2, us_to_ts($3), 1)"
                 " ON CONFLICT (key) DO UPDATE SET"
                 " failures = CASE WHEN t.window_start <= us_to_ts($3 - $4::bigint) THEN 1"
                 "            ELSE t.failures + 1 END,"
                 " window_start = CASE WHEN t.window_start <= us_to_ts($3 - $4::bigint)"
                 "                THEN us_to_ts($3) ELSE t.window_start END");
  char nowb[DB_INT64_SIZE], winb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){user_key, ip_key, db_param_int64(nowb, now),
                                     db_param_int64(winb, window_us)});
}

enum db_status db_throttle_clear(const char *key)
{
  static struct db_stmt q = DB_STMT(1, "DELETE FROM login_throttle WHERE key = $1");
  return db_run(&q, (const char *[]){key});
}

enum db_status db_throttle_purge(int64_t now, int64_t window_us)
{
  static struct db_stmt q =
      DB_STMT(2, "DELETE FROM login_throttle WHERE window_start <= us_to_ts($1 - $2::bigint)");
  char nowb[DB_INT64_SIZE], winb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){db_param_int64(nowb, now), db_param_int64(winb, window_us)});
}
