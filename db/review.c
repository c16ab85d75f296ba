#include "review.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The select list of every review order query, over "orders o"; held is
 * the held_at column's expression. read_order reads it from column c. */
#define REVIEW_COLUMNS(held)                                                                       \
  "o.id, o.order_sn, o.shop_id, o.status, o.review_status, o.review_reason,"                       \
  " ts_to_us(o.review_deadline), o.total_cents, ts_to_us(o.paid_at), "                             \
  "ts_to_us(o.grouped_at), " held ", o.addr_name, o.addr_phone, o.addr_province, o.addr_city,"     \
  " o.addr_district, o.addr_detail, o.note"
/* The latest hold, through review_actions_order (a few rows per order). */
#define HELD_AT                                                                                    \
  "(SELECT ts_to_us(a.created_at) FROM review_actions a"                                           \
  " WHERE a.order_id = o.id AND a.action = 'hold' ORDER BY a.id DESC LIMIT 1)"

/* 0 for SQL NULL. */
static int64_t int64_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

static void read_order(const PGresult *res, int r, int c, struct db_review_order *o)
{
  o->id = db_get_int64(res, r, c++);
  o->order_sn = PQgetvalue(res, r, c++);
  o->shop_id = db_get_int64(res, r, c++);
  o->status = PQgetvalue(res, r, c++);
  o->review_status = db_get_text(res, r, c++);
  o->review_reason = db_get_text(res, r, c++);
  o->review_deadline = int64_or_zero(res, r, c++);
  o->total_cents = db_get_int64(res, r, c++);
  o->paid_at = int64_or_zero(res, r, c++);
  o->grouped_at = int64_or_zero(res, r, c++);
  o->held_at = int64_or_zero(res, r, c++);
  o->refund_cents = -1;
  o->addr_name = PQgetvalue(res, r, c++);
  o->addr_phone = PQgetvalue(res, r, c++);
  o->addr_province = PQgetvalue(res, r, c++);
  o->addr_city = PQgetvalue(res, r, c++);
  o->addr_district = PQgetvalue(res, r, c++);
  o->addr_detail = PQgetvalue(res, r, c++);
  o->note = PQgetvalue(res, r, c);
}

struct outcome {
  char *code;
  db_review_order_fn fn;
  void *arg;
};

static void read_outcome(const PGresult *res, void *arg)
{
  struct outcome *out = arg;
  const char *code = db_get_text(res, 0, 0);
  snprintf(out->code, DB_RESULT_CODE_SIZE, "%s", code != NULL ? code : "");
  if (strcmp(out->code, "ok") != 0 || PQgetisnull(res, 0, 2))
    return;
  struct db_review_order o;
  read_order(res, 0, 2, &o);
  o.refund_cents = PQgetisnull(res, 0, 1) ? -1 : db_get_int64(res, 0, 1);
  out->fn(&o, out->arg);
}

/* An action's statement: the result code, the refund (close only), and
 * the order as the action left it, in one round trip. order_fresh reads
 * the changed row: this statement's own snapshot would still show the
 * order as it was (and for the same reason held_at is not read here). */
// clang-format off
#define ACTION(n, call, refund) \
  DB_STMT(n, "SELECT r.result, " refund ", " REVIEW_COLUMNS("NULL") " FROM " call \
             " LEFT JOIN LATERAL order_fresh(CASE WHEN r.result = 'ok' THEN $2::bigint END) o" \
             " ON true")
// clang-format on

enum db_status db_review_act(const struct db_review_request *r, int64_t now,
                             char code[DB_RESULT_CODE_SIZE], db_review_order_fn fn, void *arg)
{
  static struct db_stmt hold_q =
      ACTION(5, "review_hold($1, $2, $3, $4, us_to_ts($5)) AS r (result)", "NULL::bigint");
  static struct db_stmt release_q =
      ACTION(4, "review_release($1, $2, $3, us_to_ts($4)) AS r (result)", "NULL::bigint");
  static struct db_stmt close_q =
      ACTION(4, "review_close($1, $2, $3, us_to_ts($4)) AS r", "r.refund_cents");
  static struct db_stmt extend_q = ACTION(
      5, "review_extend($1, $2, $3::integer, $4, us_to_ts($5)) AS r (result)", "NULL::bigint");
  char rb[DB_INT64_SIZE], ob[DB_INT64_SIZE], hb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *reviewer = db_param_int64(rb, r->reviewer_id);
  const char *order = db_param_int64(ob, r->order_id);
  const char *nowp = db_param_int64(nb, now);
  struct db_stmt *q = NULL;
  const char *p[5] = {reviewer, order, NULL, NULL, NULL};
  switch (r->action) {
  case DB_REVIEW_HOLD:
    q = &hold_q;
    p[2] = r->reason, p[3] = r->note, p[4] = nowp;
    break;
  case DB_REVIEW_RELEASE:
    q = &release_q;
    p[2] = r->note, p[3] = nowp;
    break;
  case DB_REVIEW_CLOSE:
    q = &close_q;
    p[2] = r->reason, p[3] = nowp;
    break;
  case DB_REVIEW_EXTEND:
    q = &extend_q;
    p[2] = db_param_int64(hb, r->hours), p[3] = r->note, p[4] = nowp;
    break;
  }
  struct outcome out = {code, fn, arg};
  code[0] = '\0';
  return db_query_row(q, p, read_outcome, &out);
}

struct order_rows {
  db_review_order_fn fn;
  void *arg;
};

static void order_row(const PGresult *res, int r, void *arg)
{
  struct order_rows *rows = arg;
  struct db_review_order o;
  read_order(res, r, 0, &o);
  rows->fn(&o, rows->arg);
}

enum db_status db_review_queue(const char *review_status, int64_t deadline_before,
                               int64_t after_deadline, int64_t after_id, int64_t limit,
                               db_review_order_fn fn, void *arg)
{
  /* A range of orders_review_queue (review_status, review_deadline, id):
   * both bounds are index conditions, so a page costs the same however
   * deep it is and however few orders are overdue. */
  static struct db_stmt q =
      DB_STMT(5, "SELECT " REVIEW_COLUMNS(
                     HELD_AT) " FROM orders o"
                              " WHERE o.review_status = $1 AND o.review_deadline < us_to_ts($2)"
                              " AND (o.review_deadline, o.id) > (us_to_ts($3), $4)"
                              " ORDER BY o.review_deadline, o.id LIMIT $5");
  char bb[DB_INT64_SIZE], kb[DB_INT64_SIZE], ib[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {review_status, db_param_int64(bb, deadline_before),
                     db_param_int64(kb, after_deadline), db_param_int64(ib, after_id),
                     db_param_int64(lb, limit)};
  struct order_rows rows = {fn, arg};
  return db_each_row(&q, p, order_row, &rows);
}

struct action_rows {
  db_review_entry_fn fn;
  void *arg;
};

static void action_row(const PGresult *res, int r, void *arg)
{
  if (PQgetisnull(res, r, 0))
    return; /* the order's row when it has no action */
  struct action_rows *rows = arg;
  struct db_review_entry a;
  int c = 0;
  a.id = db_get_int64(res, r, c++);
  a.action = PQgetvalue(res, r, c++);
  a.actor_id = int64_or_zero(res, r, c++);
  a.actor_username = db_get_text(res, r, c++);
  a.reason = db_get_text(res, r, c++);
  a.note = db_get_text(res, r, c++);
  a.deadline = int64_or_zero(res, r, c++);
  a.created_at = db_get_int64(res, r, c);
  rows->fn(&a, rows->arg);
}

enum db_status db_review_history(int64_t order_id, db_review_entry_fn fn, void *arg)
{
  /* The order's row, so that an order never reviewed (one row of NULLs)
   * is told from no order at all (no row). */
  static struct db_stmt q =
      DB_STMT(1, "SELECT a.id, a.action, a.actor_id, u.username, a.reason, a.note,"
                 " ts_to_us(a.deadline), ts_to_us(a.created_at)"
                 " FROM orders o LEFT JOIN review_actions a ON a.order_id = o.id"
                 " LEFT JOIN accounts u ON u.id = a.actor_id"
                 " WHERE o.id = $1 ORDER BY a.id");
  char ob[DB_INT64_SIZE];
  struct action_rows rows = {fn, arg};
  return db_each_row(&q, (const char *[]){db_param_int64(ob, order_id)}, action_row, &rows);
}

static void read_count(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_reviews_release_due(int64_t now, int limit, int64_t *moved)
{
  static struct db_stmt q = DB_STMT(2, "SELECT reviews_release_due(us_to_ts($1), $2)");
  char nb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  *moved = 0;
  return db_query_row(&q, (const char *[]){db_param_int64(nb, now), db_param_int64(lb, limit)},
                      read_count, moved);
}
