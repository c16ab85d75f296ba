#include "share_links.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The columns read_link reads, of the share_links row (or composite) p. */
#define LINK_COLUMNS(p)                                                                            \
  p ".id, " p ".shop_id, " p ".product_id, " p ".channel, " p ".code, ts_to_us(" p                 \
    ".created_at), " p ".hits, " p ".visitors, ts_to_us(" p ".last_visit_at), ts_to_us(" p         \
    ".revoked_at)"
#define LINK_NCOLUMNS 10

/* False when the row has no link (the NULLs of an empty page). */
static bool read_link(const PGresult *res, int r, int c, struct db_share_link *l)
{
  if (PQgetisnull(res, r, c))
    return false;
  l->id = db_get_int64(res, r, c);
  l->shop_id = db_get_int64(res, r, c + 1);
  l->product_id = PQgetisnull(res, r, c + 2) ? 0 : db_get_int64(res, r, c + 2);
  l->channel = PQgetvalue(res, r, c + 3);
  l->code = PQgetvalue(res, r, c + 4);
  l->created_at = db_get_int64(res, r, c + 5);
  l->hits = db_get_int64(res, r, c + 6);
  l->visitors = db_get_int64(res, r, c + 7);
  l->last_visit_at = PQgetisnull(res, r, c + 8) ? 0 : db_get_int64(res, r, c + 8);
  l->revoked_at = PQgetisnull(res, r, c + 9) ? 0 : db_get_int64(res, r, c + 9);
  return true;
}

struct link_rows {
  db_share_link_fn fn;
  db_share_link_day_fn day_fn;
  void *arg;
  char *code;
  bool *created;
};

static void created_row(const PGresult *res, int r, void *arg)
{
  struct link_rows *rows = arg;
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  *rows->created = db_get_bool(res, r, 1);
  struct db_share_link l;
  if (strcmp(rows->code, "ok") == 0 && read_link(res, r, 2, &l))
    rows->fn(&l, rows->arg);
}

enum db_status db_share_link_create(int64_t merchant_id, int64_t shop_id, int64_t product_id,
                                    const char *channel,
                                    const char codes[DB_SHARE_CODE_TRIES][DB_SHARE_CODE_SIZE],
                                    int64_t now, char code[DB_RESULT_CODE_SIZE], bool *created,
                                    db_share_link_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      6, "SELECT r.code, r.created, " LINK_COLUMNS(
             "(r.link)") " FROM share_link_create($1, $2, $3, $4, $5::text[], us_to_ts($6)) r");
  /* Codes are base62: the array literal needs no quoting. */
  char list[DB_SHARE_CODE_TRIES * (DB_SHARE_CODE_SIZE + 1) + 2];
  size_t n = 0;
  list[n++] = '{';
  for (int i = 0; i < DB_SHARE_CODE_TRIES; i++)
    n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i > 0 ? "," : "", codes[i]);
  snprintf(list + n, sizeof list - n, "}");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     product_id > 0 ? db_param_int64(b[2], product_id) : NULL,
                     channel,
                     list,
                     db_param_int64(b[3], now)};
  struct link_rows rows = {.fn = fn, .arg = arg, .code = code, .created = created};
  code[0] = '\0';
  *created = false;
  return db_each_row(&q, p, created_row, &rows);
}

static void link_row(const PGresult *res, int r, void *arg)
{
  struct link_rows *rows = arg;
  struct db_share_link l;
  if (read_link(res, r, 0, &l))
    rows->fn(&l, rows->arg);
}

enum db_status db_share_links_page(int64_t merchant_id, int64_t shop_id, int64_t before_id,
                                   int limit, db_share_link_fn fn, void *arg)
{
  /* The shop's row answers whether the merchant has it; the page joins it
   * (a row of NULLs when empty) and walks share_links_shop newest first. */
  static struct db_stmt q =
      DB_STMT(4, "SELECT " LINK_COLUMNS("l") " FROM shops s LEFT JOIN LATERAL ("
                                             " SELECT k.* FROM share_links k"
                                             " WHERE k.shop_id = s.id AND k.id < $3"
                                             " ORDER BY k.id DESC LIMIT $4) l ON true"
                                             " WHERE s.id = $1 AND s.merchant_id = $2"
                                             " ORDER BY l.id DESC");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], before_id > 0 ? before_id : INT64_MAX),
                     db_param_int64(b[3], limit)};
  struct link_rows rows = {.fn = fn, .arg = arg};
  return db_each_row(&q, p, link_row, &rows);
}

static void link_day_row(const PGresult *res, int r, void *arg)
{
  struct link_rows *rows = arg;
  struct db_share_link l;
  if (r == 0 && read_link(res, r, 0, &l))
    rows->fn(&l, rows->arg);
  struct db_share_link_day d = {PQgetvalue(res, r, LINK_NCOLUMNS),
                                db_get_int64(res, r, LINK_NCOLUMNS + 1),
                                db_get_int64(res, r, LINK_NCOLUMNS + 2)};
  rows->day_fn(&d, rows->arg);
}

enum db_status db_share_link_get(int64_t merchant_id, int64_t shop_id, int64_t link_id, int days,
                                 int64_t now, db_share_link_fn fn, db_share_link_day_fn day_fn,
                                 void *arg)
{
  /* One row per day of the window, each with the link's columns; the days
   * come from the primary key of share_link_days. */
  static struct db_stmt q = DB_STMT(
      5, "SELECT " LINK_COLUMNS(
             "l") ", to_char(g.day, 'YYYY-MM-DD'), coalesce(d.hits, 0), coalesce(d.visitors, 0)"
                  " FROM share_links l JOIN shops s ON s.id = l.shop_id"
                  " CROSS JOIN LATERAL (SELECT (us_to_ts($5) AT TIME ZONE platform_zone())::date"
                  " AS today) t"
                  " CROSS JOIN LATERAL generate_series(t.today - ($4::integer - 1), t.today,"
                  " interval '1 day') AS g (day)"
                  " LEFT JOIN share_link_days d ON d.link_id = l.id AND d.day = g.day::date"
                  " WHERE l.id = $3 AND l.shop_id = $1 AND s.merchant_id = $2 ORDER BY g.day");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], link_id), db_param_int64(b[3], days),
                     db_param_int64(b[4], now)};
  struct link_rows rows = {.fn = fn, .day_fn = day_fn, .arg = arg};
  return db_each_row(&q, p, link_day_row, &rows);
}

enum db_status db_share_link_revoke(int64_t merchant_id, int64_t shop_id, int64_t link_id,
                                    int64_t now, db_share_link_fn fn, void *arg)
{
  /* Revoking again keeps the first time. */
  static struct db_stmt q =
      DB_STMT(4, "UPDATE share_links l SET revoked_at = coalesce(l.revoked_at, us_to_ts($4))"
                 " FROM shops s WHERE s.id = l.shop_id AND l.id = $3 AND l.shop_id = $1"
                 " AND s.merchant_id = $2 RETURNING " LINK_COLUMNS("l"));
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], link_id), db_param_int64(b[3], now)};
  struct link_rows rows = {.fn = fn, .arg = arg};
  return db_each_row(&q, p, link_row, &rows);
}

struct target {
  int64_t *shop_id, *product_id;
  bool found;
};

static void visit_row(const PGresult *res, void *arg)
{
  struct target *t = arg;
  t->found = strcmp(PQgetvalue(res, 0, 0), "ok") == 0;
  *t->shop_id = t->found ? db_get_int64(res, 0, 1) : 0;
  *t->product_id = t->found && !PQgetisnull(res, 0, 2) ? db_get_int64(res, 0, 2) : 0;
}

enum db_status db_share_link_visit(const char *code, const char *visitor, int64_t now,
                                   int64_t *shop_id, int64_t *product_id)
{
  static struct db_stmt q = DB_STMT(
      3, "SELECT v.code, v.shop_id, v.product_id FROM share_link_visit($1, $2, us_to_ts($3)) v");
  char nb[DB_INT64_SIZE];
  const char *p[] = {code, visitor, db_param_int64(nb, now)};
  struct target t = {shop_id, product_id, false};
  enum db_status st = db_query_row(&q, p, visit_row, &t);
  if (st >= DB_NONE && !t.found)
    return DB_NONE;
  return st;
}

static void resolve_row(const PGresult *res, void *arg)
{
  struct target *t = arg;
  t->found = true;
  *t->shop_id = db_get_int64(res, 0, 0);
  *t->product_id = PQgetisnull(res, 0, 1) ? 0 : db_get_int64(res, 0, 1);
}

enum db_status db_share_link_resolve(const char *code, int64_t *shop_id, int64_t *product_id)
{
  /* As share_link_visit leads: a deleted product's link to the shop page. */
  static struct db_stmt q =
      DB_STMT(1, "SELECT l.shop_id, p.id FROM share_links l"
                 " LEFT JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL"
                 " WHERE l.code = $1 AND l.revoked_at IS NULL");
  const char *p[] = {code};
  struct target t = {shop_id, product_id, false};
  return db_query_row(&q, p, resolve_row, &t);
}

enum db_status db_share_link_visitors_prune(int64_t before, int batch, int64_t *deleted)
{
  static struct db_stmt q =
      DB_STMT(2, "WITH gone AS (DELETE FROM share_link_day_visitors"
                 " WHERE (link_id, day, visitor) IN (SELECT link_id, day, visitor"
                 " FROM share_link_day_visitors"
                 " WHERE day < (us_to_ts($1) AT TIME ZONE platform_zone())::date LIMIT $2)"
                 " RETURNING 1) SELECT count(*) FROM gone");
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
