#include "event_log.h"

#include "db_internal.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The session's state and the events after the position, in one statement.
 * An event's id follows its transaction id, so a transaction still running
 * can only commit events with ids above those of every transaction below
 * the snapshot's xmin: events below xmin are handed out, the first one at
 * or above it and everything after it wait for a later read (the rows come
 * in id order, so the reader stops at the first such row). A session that
 * has ended reads no events. */
#define EVENTS_AFTER_SQL(audience)                                                                 \
  "SELECT s.ended, e.id, e.kind, e.shop_id, e.data::text, ts_to_us(e.created_at), e.visible"       \
  " FROM (SELECT CASE WHEN ended_at IS NOT NULL THEN end_reason"                                   \
  "                   WHEN expires_at <= us_to_ts($4) THEN 'expired' END AS ended"                 \
  "         FROM sessions WHERE id = $1) s"                                                        \
  " LEFT JOIN LATERAL (SELECT e.id, e.kind, e.shop_id, e.data, e.created_at,"                      \
  "                           e.xid < pg_snapshot_xmin(pg_current_snapshot()) AS visible"          \
  "                      FROM events e WHERE e." audience " = $2 AND e.id > $3"                    \
  "                     ORDER BY e.id LIMIT $5) e ON s.ended IS NULL"                              \
  " ORDER BY e.id"

static const char *end_reason(const char *text)
{
  if (text == NULL)
    return NULL;
  if (strcmp(text, "replaced") == 0)
    return "replaced";
  if (strcmp(text, "expired") == 0)
    return "expired";
  return "logout";
}

enum db_status db_events_after(int64_t session_id, enum db_event_audience audience,
                               int64_t account_id, int64_t after, int limit, int64_t now,
                               db_event_fn fn, void *arg, struct db_events_read *out)
{
  static struct db_stmt qm = DB_STMT(5, EVENTS_AFTER_SQL("merchant_id"));
  static struct db_stmt qb = DB_STMT(5, EVENTS_AFTER_SQL("buyer_id"));
  static struct db_stmt qs = DB_STMT(5, EVENTS_AFTER_SQL("staff_id"));
  char sb[DB_INT64_SIZE], ab[DB_INT64_SIZE], pb[DB_INT64_SIZE], nb[DB_INT64_SIZE],
      lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, session_id), db_param_int64(ab, account_id),
                     db_param_int64(pb, after), db_param_int64(nb, now), db_param_int64(lb, limit)};
  PGresult *res;
  struct db_stmt *q = audience == DB_EVENTS_MERCHANT ? &qm
                      : audience == DB_EVENTS_STAFF  ? &qs
                                                     : &qb;
  enum db_status st = db_exec(q, p, &res);
  out->n = 0;
  out->held_back = false;
  out->end = NULL;
  if (st < DB_NONE)
    return st;
  int rows = PQntuples(res);
  if (rows == 0) /* the session is gone altogether (purged) */
    out->end = "logout";
  else
    out->end = end_reason(db_get_text(res, 0, 0));
  for (int r = 0; r < rows && out->end == NULL && !PQgetisnull(res, r, 1); r++) {
    if (!db_get_bool(res, r, 6)) {
      out->held_back = true;
      break;
    }
    struct db_event e = {
        .id = db_get_int64(res, r, 1),
        .kind = PQgetvalue(res, r, 2),
        .shop_id = PQgetisnull(res, r, 3) ? 0 : db_get_int64(res, r, 3),
        .data = PQgetvalue(res, r, 4),
        .created_at = db_get_int64(res, r, 5),
    };
    fn(&e, arg);
    out->n++;
  }
  PQclear(res);
  return st;
}

enum db_status db_events_now(int64_t *position)
{
  /* Every transaction below xmin has ended, so its events are in the past;
   * anything at or above it may still commit, and is above this position. */
  static struct db_stmt q =
      DB_STMT(0, "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20) - 1");
  PGresult *res;
  enum db_status st = db_exec(&q, NULL, &res);
  if (st < DB_NONE)
    return st;
  *position = db_get_int64(res, 0, 0);
  PQclear(res);
  return st;
}

enum db_status db_events_purge(int64_t before, int batch, int64_t *deleted)
{
  static struct db_stmt q = DB_STMT(
      2, "WITH gone AS (DELETE FROM events WHERE id IN (SELECT id FROM events"
         " WHERE created_at < us_to_ts($1) LIMIT $2) RETURNING 1) SELECT count(*) FROM gone");
  char bb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, before), db_param_int64(nb, batch)};
  PGresult *res;
  enum db_status st = db_exec(&q, p, &res);
  *deleted = 0;
  if (st < DB_NONE)
    return st;
  *deleted = db_get_int64(res, 0, 0);
  PQclear(res);
  return st;
}

struct db_listener {
  PGconn *pg;
};

static void log_pg_failure(const char *what, PGconn *pg)
{
  char msg[256];
  snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg));
  msg[strcspn(msg, "\n")] = '\0';
  log_warn("could not %s: %s", what, msg);
}

struct db_listener *db_listener_open(const char *conninfo)
{
  const char *keys[] = {"dbname", "application_name", "connect_timeout", "keepalives_idle", NULL};
  const char *vals[] = {conninfo, "merchantd-listener", "3", "30", NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(pg) != CONNECTION_OK) {
    log_pg_failure("connect the event listener", pg);
    PQfinish(pg);
    return NULL;
  }
  PGresult *res = PQexec(pg, "LISTEN merchantd_events");
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    log_pg_failure("listen for events", pg);
    PQclear(res);
    PQfinish(pg);
    return NULL;
  }
  PQclear(res);
  struct db_listener *l = malloc(sizeof *l);
  if (l == NULL) {
    PQfinish(pg);
    return NULL;
  }
  l->pg = pg;
  return l;
}

int db_listener_socket(const struct db_listener *l)
{
  return PQsocket(l->pg);
}

/* Calls fn for each account id in a payload of space-separated ids. */
static void payload_accounts(const char *payload, void (*fn)(int64_t, void *), void *arg)
{
  const char *s = payload;
  while (*s != '\0') {
    char *end;
    long long id = strtoll(s, &end, 10);
    if (end == s) {
      s++;
      continue;
    }
    if (id > 0)
      fn(id, arg);
    s = end;
  }
}

bool db_listener_drain(struct db_listener *l, void (*fn)(int64_t, void *), void *arg)
{
  if (PQconsumeInput(l->pg) == 0 || PQstatus(l->pg) != CONNECTION_OK) {
    log_pg_failure("read event notifications", l->pg);
    return false;
  }
  PGnotify *n;
  while ((n = PQnotifies(l->pg)) != NULL) {
    payload_accounts(n->extra, fn, arg);
    PQfreemem(n);
  }
  return true;
}

void db_listener_close(struct db_listener *l)
{
  if (l == NULL)
    return;
  PQfinish(l->pg);
  free(l);
}
