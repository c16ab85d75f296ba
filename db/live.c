#include "live.h"

#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The result of a live-room function: (code, document) from column c. */
struct coded_json {
  char *code;
  char **json;
};

static void read_coded(const PGresult *res, int c, struct coded_json *out)
{
  if (PQgetisnull(res, 0, c)) /* no operation ran (a folded session refused) */
    return;
  snprintf(out->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, c));
  if (!PQgetisnull(res, 0, c + 1))
    *out->json = strdup(PQgetvalue(res, 0, c + 1));
}

static void read_coded_row(const PGresult *res, void *arg)
{
  read_coded(res, 0, arg);
}

/* A document in column 0: NULL leaves *json NULL; a copy that failed is
 * told apart by failed. */
struct one_json {
  char **json;
  bool failed;
};

static void read_json(const PGresult *res, void *arg)
{
  struct one_json *o = arg;
  if (!PQgetisnull(res, 0, 0)) {
    *o->json = strdup(PQgetvalue(res, 0, 0));
    o->failed = *o->json == NULL;
  }
}

/* Runs a statement answering one document; DB_NONE when there is no row or
 * it is NULL, DB_HARD_ERROR when it could not be copied. */
static enum db_status run_json(struct db_stmt *q, const char *const *p, char **json)
{
  *json = NULL;
  struct one_json o = {json, false};
  enum db_status st = db_query_row(q, p, read_json, &o);
  if (o.failed)
    return DB_HARD_ERROR;
  if (st == DB_ONE && *json == NULL)
    return DB_NONE;
  return st;
}

/* Runs a statement answering (code, document); code "not_found" when it
 * returned nothing. */
static enum db_status run_coded(struct db_stmt *q, const char *const *p,
                                char code[DB_RESULT_CODE_SIZE], char **json)
{
  *json = NULL;
  code[0] = '\0';
  struct coded_json c = {code, json};
  enum db_status st = db_query_row(q, p, read_coded_row, &c);
  if (st >= DB_NONE && code[0] == '\0')
    snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  return st;
}

#define PRESENCE(n) "make_interval(secs => $" #n "::integer)"

enum db_status db_live_state(int64_t merchant_id, int64_t shop_id, int64_t now, int presence_s,
                             char **json)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT live_state(s.id, us_to_ts($3), " PRESENCE(
                     4) ")::text FROM shops s"
                        " WHERE s.id = $1 AND ($2 = 0 OR s.merchant_id = $2)");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], now), db_param_int64(b[3], presence_s)};
  return run_json(&q, p, json);
}

enum db_status db_live_set(int64_t merchant_id, int64_t shop_id, bool live, int64_t now,
                           int presence_s, char **json)
{
  static struct db_stmt start =
      DB_STMT(4, "SELECT live_room_start($1, $2, us_to_ts($3), " PRESENCE(4) ")::text");
  static struct db_stmt stop =
      DB_STMT(4, "SELECT live_room_stop($1, $2, us_to_ts($3), " PRESENCE(4) ")::text");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id), db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], now), db_param_int64(b[3], presence_s)};
  return run_json(live ? &start : &stop, p, json);
}

enum db_status db_live_join(int64_t buyer_id, int64_t live_id, bool join, int64_t now,
                            int presence_s, char code[DB_RESULT_CODE_SIZE], char **json)
{
  static struct db_stmt in = DB_STMT(
      4, "SELECT r.result, r.body::text FROM live_join($1, $2, us_to_ts($3), " PRESENCE(4) ") r");
  static struct db_stmt out = DB_STMT(
      4, "SELECT r.result, r.body::text FROM live_leave($1, $2, us_to_ts($3), " PRESENCE(4) ") r");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], buyer_id), db_param_int64(b[1], live_id),
                     db_param_int64(b[2], now), db_param_int64(b[3], presence_s)};
  return run_coded(join ? &in : &out, p, code, json);
}

enum db_status db_live_coupon_push(int64_t merchant_id, int64_t shop_id, int64_t coupon_id,
                                   int64_t now, int presence_s, char code[DB_RESULT_CODE_SIZE],
                                   char **json)
{
  static struct db_stmt q = DB_STMT(
      5, "SELECT r.result, r.body::text FROM live_coupon_push($1, $2, $3, us_to_ts($4), " PRESENCE(
             5) ") r");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id), db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], coupon_id), db_param_int64(b[3], now),
                     db_param_int64(b[4], presence_s)};
  return run_coded(&q, p, code, json);
}

enum db_status db_red_packet_create(int64_t merchant_id, int64_t shop_id,
                                    const struct db_red_packet_new *n, int64_t now, int presence_s,
                                    char code[DB_RESULT_CODE_SIZE], char **json)
{
  static struct db_stmt q =
      DB_STMT(8, "SELECT r.result, r.body::text FROM red_packet_create($1, $2, $3, $4, $5, $6,"
                 " us_to_ts($7), " PRESENCE(8) ") r");
  char b[7][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     n->kind,
                     db_param_int64(b[2], n->total_cents),
                     db_param_int64(b[3], n->count),
                     db_param_int64(b[4], n->valid_days),
                     db_param_int64(b[5], now),
                     db_param_int64(b[6], presence_s)};
  return run_coded(&q, p, code, json);
}

enum db_status db_red_packet_get(int64_t merchant_id, int64_t shop_id, int64_t packet_id,
                                 int64_t now, char **json)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT red_packet_json(k, us_to_ts($4))::text FROM red_packets k"
                 " JOIN shops s ON s.id = k.shop_id"
                 " WHERE k.id = $3 AND k.shop_id = $2 AND s.merchant_id = $1");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id), db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], packet_id), db_param_int64(b[3], now)};
  return run_json(&q, p, json);
}

enum db_status db_red_packet_grab(int64_t buyer_id, int64_t packet_id, int64_t now, int presence_s,
                                  char code[DB_RESULT_CODE_SIZE], char **json)
{
  static struct db_stmt q = DB_STMT(
      4, "SELECT r.result, r.body::text FROM red_packet_grab($1, $2, us_to_ts($3), " PRESENCE(
             4) ") r");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], buyer_id), db_param_int64(b[1], packet_id),
                     db_param_int64(b[2], now), db_param_int64(b[3], presence_s)};
  return run_coded(&q, p, code, json);
}

enum db_status db_red_packet_grab_by_token(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                           int64_t packet_id, int64_t now, int presence_s,
                                           struct db_session *session,
                                           char code[DB_RESULT_CODE_SIZE], char **json)
{
  /* red_packet_grab is given the account only when the session is live,
   * unexpired at now and a buyer's, and grabs nothing for NULL. */
  static struct db_stmt q =
      DB_STMT(4, "SELECT " DB_LIVE_SESSION_COLUMNS ", r.result, r.body::text FROM sessions s"
                 " LEFT JOIN LATERAL red_packet_grab(CASE WHEN s.ended_at IS NULL"
                 " AND s.expires_at > us_to_ts($3) AND s.role = 'buyer' THEN s.account_id END,"
                 " $2, us_to_ts($3), " PRESENCE(4) ") r ON true WHERE " DB_SESSION_WHERE(1));
  char hashb[2 * DB_TOKEN_HASH_SIZE + 3], b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_bytea(hashb, token_hash, DB_TOKEN_HASH_SIZE),
                     db_param_int64(b[0], packet_id), db_param_int64(b[1], now),
                     db_param_int64(b[2], presence_s)};
  *json = NULL;
  code[0] = '\0';
  PGresult *res;
  enum db_status st = db_exec_folded(&q, p, session, &res);
  if (st != DB_ONE)
    return st;
  struct coded_json c = {code, json};
  read_coded(res, DB_LIVE_SESSION_NCOLUMNS, &c);
  PQclear(res);
  return st;
}

static void read_int(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_red_packets_expire(int64_t now, int batch, int64_t *n)
{
  static struct db_stmt q = DB_STMT(2, "SELECT red_packets_expire(us_to_ts($1), $2)");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], now), db_param_int64(b[1], batch)};
  *n = 0;
  return db_query_row(&q, p, read_int, n);
}

enum db_status db_live_viewers_purge(int64_t now, int presence_s, int batch, int64_t *n)
{
  static struct db_stmt q = DB_STMT(
      3, "DELETE FROM live_viewers v USING (SELECT w.live_id, w.buyer_id FROM live_viewers w"
         " JOIN live_rooms r ON r.id = w.live_id"
         " WHERE w.seen_at <= us_to_ts($1) - " PRESENCE(
             2) " OR r.ended_at IS NOT NULL"
                " LIMIT $3) d WHERE v.live_id = d.live_id AND v.buyer_id = d.buyer_id");
  char b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], now), db_param_int64(b[1], presence_s),
                     db_param_int64(b[2], batch)};
  PGresult *res;
  *n = 0;
  enum db_status st = db_exec(&q, p, &res);
  if (res != NULL) {
    *n = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
  }
  return st;
}
