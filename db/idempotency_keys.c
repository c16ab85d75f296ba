#include "idempotency_keys.h"

#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

enum db_status db_idem_begin(int64_t account_id, const char *key,
                             const unsigned char hash[DB_IDEM_HASH_SIZE], int64_t now,
                             int64_t stale_before, struct db_idem *out)
{
  /* One statement: the insert claims a new key; otherwise the select reads
   * the row as it was (the snapshot predates the insert attempt). A row that
   * a concurrent request inserted and has not committed reads as nothing. */
  static struct db_stmt q =
      DB_STMT(5, "WITH claim AS ("
                 " INSERT INTO idempotency_keys AS k (account_id, key, request_hash, created_at)"
                 " VALUES ($1, $2, $3::bytea, us_to_ts($4))"
                 " ON CONFLICT (account_id, key) DO UPDATE"
                 " SET request_hash = EXCLUDED.request_hash, created_at = EXCLUDED.created_at"
                 " WHERE k.status IS NULL AND k.created_at < us_to_ts($5)"
                 " RETURNING 1)"
                 " SELECT true, NULL::boolean, NULL::integer, NULL, NULL FROM claim"
                 " UNION ALL"
                 " SELECT false, k.request_hash = $3::bytea, k.status, k.content_type, k.body"
                 " FROM idempotency_keys k"
                 " WHERE k.account_id = $1 AND k.key = $2 AND NOT EXISTS (SELECT 1 FROM claim)");
  char idb[DB_INT64_SIZE], nowb[DB_INT64_SIZE], staleb[DB_INT64_SIZE];
  char hashb[2 * DB_IDEM_HASH_SIZE + 3];
  const char *p[] = {db_param_int64(idb, account_id), key,
                     db_param_bytea(hashb, hash, DB_IDEM_HASH_SIZE), db_param_int64(nowb, now),
                     db_param_int64(staleb, stale_before)};
  PGresult *res;
  memset(out, 0, sizeof *out);
  enum db_status st = db_exec(&q, p, &res);
  if (st < DB_NONE)
    return st;
  if (PQntuples(res) == 0) {
    out->state = DB_IDEM_RUNNING;
  } else if (db_get_bool(res, 0, 0)) {
    out->state = DB_IDEM_FRESH;
  } else if (!db_get_bool(res, 0, 1)) {
    out->state = DB_IDEM_MISMATCH;
  } else if (PQgetisnull(res, 0, 2)) {
    out->state = DB_IDEM_RUNNING;
  } else {
    out->state = DB_IDEM_REPLAY;
    out->status = (unsigned)db_get_int64(res, 0, 2);
    out->content_type = strdup(PQgetvalue(res, 0, 3));
    out->body = strdup(PQgetvalue(res, 0, 4));
    if (out->content_type == NULL || out->body == NULL) {
      free(out->content_type);
      free(out->body);
      st = DB_HARD_ERROR;
    }
  }
  PQclear(res);
  return st;
}

enum db_status db_idem_finish(int64_t account_id, const char *key, unsigned status,
                              const char *content_type, const char *body)
{
  static struct db_stmt q = DB_STMT(5, "UPDATE idempotency_keys SET status = $3, content_type = $4,"
                                       " body = $5 WHERE account_id = $1 AND key = $2");
  char idb[DB_INT64_SIZE], stb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(idb, account_id), key, db_param_int64(stb, status),
                     content_type, body};
  return db_run(&q, p);
}

enum db_status db_idem_abandon(int64_t account_id, const char *key)
{
  static struct db_stmt q = DB_STMT(
      2, "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status IS NULL");
  char idb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){db_param_int64(idb, account_id), key});
}

enum db_status db_idem_purge(int64_t before)
{
  static struct db_stmt q =
      DB_STMT(1, "DELETE FROM idempotency_keys WHERE created_at < us_to_ts($1)");
  char b[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){db_param_int64(b, before)});
}
