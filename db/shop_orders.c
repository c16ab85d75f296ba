#include "shop_orders.h"

#include "clock.h"
#include "orders_read.h"

#include <stdio.h>
#include <string.h>

#define PARAM(n)  "$" #n
#define TEXT(x)   #x
#define NUMBER(x) TEXT(x) /* the value of macro x as SQL text */

// clang-format off

/* The ordering columns. */
#define BY_CREATED "o.created_at"
#define BY_PAID    "o.paid_at"
#define ASC(k)     " ORDER BY " k ", o.id"
#define DESC(k)    " ORDER BY " k " DESC, o.id DESC"

/* Every list and export query: the shop is $1, the keyset window is the
 * open interval ($2, $3) .. ($4, $5) of (sort time, id), the row limit $6.
 * The window is one row comparison per side, so the index scan starts at
 * one edge and stops at the other. Ordered by created_at, the created
 * range is folded into the window. Ordered by paid_at it is a filter ($8,
 * $9, NULL when not given) written so that no index serves it: the walk
 * stays on the paid_at index by keyset, whatever a generic plan guesses
 * about the range, and a custom plan without a range does not count the
 * filter as selective. */
#define WINDOW(k) \
  " AND (" k ", o.id) > (us_to_ts($2), $3) AND (" k ", o.id) < (us_to_ts($4), $5)"
#define CREATED_RANGE \
  " AND ($8::bigint IS NULL OR ts_to_us(o.created_at) >= $8)" \
  " AND ($9::bigint IS NULL OR ts_to_us(o.created_at) < $9)"

/* Where the rows come from: the shop's orders, or those a search finds. A
 * search (an exact order_sn, or a buyer name prefix through the (shop_id,
 * buyer_name text_pattern_ops) index) selects few rows, so it is its own
 * source and the tab filters on it are optional: status s or NULL, a true
 * for after-sales. */
#define PLAIN " FROM orders o WHERE o.shop_id = $1"
#define TAB_OPTIONAL(s, a) \
  " (" PARAM(s) "::text IS NULL OR o.status = " PARAM(s) ")" \
  " AND (" PARAM(a) "::boolean IS NOT TRUE OR o.after_sales_open)"
#define SEARCH(s, a, h, q) \
  " FROM (SELECT * FROM orders WHERE order_sn = " PARAM(q) " AND shop_id = $1" \
  " UNION ALL SELECT * FROM orders WHERE shop_id = $1" \
  " AND buyer_name ~>=~ " PARAM(q) " AND buyer_name ~<=~ (" PARAM(q) " || chr(1114111))" \
  " AND order_sn <> " PARAM(q) ") o" \
  " WHERE" TAB_OPTIONAL(s, a) \
  " AND (" PARAM(h) "::boolean IS NOT TRUE OR o.review_status = 'under_review')"
/* The orders the platform holds (review=under_review), through their
 * partial index: few, so the tab filters on them are optional too. */
#define HELD(s, a) \
  " FROM orders o WHERE o.shop_id = $1 AND o.review_status = 'under_review' AND" \
  TAB_OPTIONAL(s, a)

/* The filters of a tab: one status, or the after-sales partial index. */
#define STATUS(n) " AND o.status = " PARAM(n)
#define AFTER     " AND o.after_sales_open"

/* The rows of a page or batch. The inner LIMIT is a constant and the real
 * one ($6) is applied outside: with a LIMIT parameter a generic plan
 * assumes a tenth of the window, costs itself out, and every execution is
 * planned afresh. There is no ORDER BY outside: the rows come through a
 * nested loop over one shop row, or a subquery scan, in the inner query's
 * order, and sorting there would compute the columns of every inner row. */
#define ROWS(from, filters, k, order, cap) \
  "(SELECT o.*" from filters WINDOW(k) order " LIMIT " NUMBER(cap) ") o"

/* A page with the shop's tab counts, ownership folded in: no row when the
 * shop is not the merchant's ($7), one row of NULL order columns when the
 * page is empty. */
#define COUNT(tab) "coalesce(sum(c.n) FILTER (WHERE c.tab = '" tab "'), 0)::bigint"
#define COUNTS \
  "(SELECT " COUNT("unpaid") ", " COUNT("paid") ", " COUNT("shipped") ", " \
  COUNT("completed") ", " COUNT("after_sales") ", " COUNT("closed") ", " \
  COUNT("under_review") \
  " FROM shop_order_counts c WHERE c.shop_id = s.id) k"
#define LIST(...) LIST_(__VA_ARGS__) /* expands C_ASC and the like first */
#define LIST_(n, k, order, from, filters) \
  DB_STMT(n, "SELECT " DB_ORDER_COLUMNS ", k.* FROM shops s CROSS JOIN LATERAL " COUNTS \
             " LEFT JOIN LATERAL " ROWS(from, filters, k, order, DB_ORDER_PAGE_MAX) " ON true" \
             " WHERE s.id = $1 AND s.merchant_id = $7 LIMIT $6")

/* The export's columns, in struct db_export_order's order; each batch
 * checks the shop's owner again, which costs one primary key probe. */
#define OWNED " AND EXISTS (SELECT 1 FROM shops s WHERE s.id = $1 AND s.merchant_id = $7)"
#define EXPORT(...) EXPORT_(__VA_ARGS__)
#define EXPORT_(n, k, order, from, filters) \
  DB_STMT(n, "SELECT o.id, o.order_sn, ts_to_us(o.created_at), ts_to_us(o.paid_at)," \
             " ts_to_us(o.shipped_at), o.status, o.buyer_name," \
             " coalesce((SELECT string_agg(i.title || ' ' || i.spec || ' x' || i.quantity, '; '" \
             " ORDER BY i.line) FROM order_items i WHERE i.order_id = o.id), '')," \
             " o.items_cents, o.total_cents, o.refunded_cents, coalesce(o.carrier, '')," \
             " coalesce(o.tracking_no, ''), concat_ws(' ', o.addr_province, o.addr_city," \
             " o.addr_district), o.addr_detail, o.addr_name, o.addr_phone, o.merchant_note," \
             " o.review_status" \
             " FROM " ROWS(from, filters OWNED, k, order, DB_EXPORT_BATCH) " LIMIT $6")

/* Which filters a request has; each ordering has a statement for each. */
enum variant { V_ALL, V_STATUS, V_AFTER, V_SEARCH, V_HELD, V_COUNT };

/* Parameters after $6, in this order: the merchant, the created range
 * (ordered by paid_at), the status (V_STATUS), the search's four
 * (V_SEARCH), the held orders' two (V_HELD). */
#define C_ASC  BY_CREATED, ASC(BY_CREATED)
#define C_DESC BY_CREATED, DESC(BY_CREATED)
#define P_ASC  BY_PAID, ASC(BY_PAID)
#define P_DESC BY_PAID, DESC(BY_PAID)
#define FAMILY(M) \
  { \
    [DB_SORT_CREATED_ASC] = {M(7, C_ASC, PLAIN, ""), M(8, C_ASC, PLAIN, STATUS(8)), \
                             M(7, C_ASC, PLAIN, AFTER), M(11, C_ASC, SEARCH(8, 9, 10, 11), ""), \
                             M(9, C_ASC, HELD(8, 9), "")}, \
    [DB_SORT_CREATED_DESC] = {M(7, C_DESC, PLAIN, ""), M(8, C_DESC, PLAIN, STATUS(8)), \
                              M(7, C_DESC, PLAIN, AFTER), M(11, C_DESC, SEARCH(8, 9, 10, 11), ""), \
                              M(9, C_DESC, HELD(8, 9), "")}, \
    [DB_SORT_PAID_ASC] = {M(9, P_ASC, PLAIN, CREATED_RANGE), \
                          M(10, P_ASC, PLAIN, CREATED_RANGE STATUS(10)), \
                          M(9, P_ASC, PLAIN, CREATED_RANGE AFTER), \
                          M(13, P_ASC, SEARCH(10, 11, 12, 13), CREATED_RANGE), \
                          M(11, P_ASC, HELD(10, 11), CREATED_RANGE)}, \
    [DB_SORT_PAID_DESC] = {M(9, P_DESC, PLAIN, CREATED_RANGE), \
                           M(10, P_DESC, PLAIN, CREATED_RANGE STATUS(10)), \
                           M(9, P_DESC, PLAIN, CREATED_RANGE AFTER), \
                           M(13, P_DESC, SEARCH(10, 11, 12, 13), CREATED_RANGE), \
                           M(11, P_DESC, HELD(10, 11), CREATED_RANGE)}, \
  }

// clang-format on

static struct db_stmt list_stmts[4][V_COUNT] = FAMILY(LIST);
static struct db_stmt export_stmts[4][V_COUNT] = FAMILY(EXPORT);

#define MAX_PARAMS 13

struct params {
  const char *v[MAX_PARAMS];
  char buf[MAX_PARAMS][DB_INT64_SIZE];
  int n;
};

static void add_int(struct params *p, int64_t v)
{
  p->v[p->n] = db_param_int64(p->buf[p->n], v);
  p->n++;
}

static void add_text(struct params *p, const char *s)
{
  p->v[p->n++] = s;
}

static bool by_created(enum db_order_sort s)
{
  return s == DB_SORT_CREATED_ASC || s == DB_SORT_CREATED_DESC;
}

static bool ascending(enum db_order_sort s)
{
  return s == DB_SORT_CREATED_ASC || s == DB_SORT_PAID_ASC;
}

int64_t db_order_sort_key(enum db_order_sort sort, int64_t created_at, int64_t paid_at)
{
  return by_created(sort) ? created_at : paid_at;
}

/* The status a tab lists, or NULL for the tabs that are not one status. */
static const char *tab_status(enum db_order_tab t)
{
  static const char *const status[] = {
      [DB_TAB_UNPAID] = "unpaid",       [DB_TAB_TO_SHIP] = "paid",  [DB_TAB_SHIPPED] = "shipped",
      [DB_TAB_COMPLETED] = "completed", [DB_TAB_CLOSED] = "closed",
  };
  return t == DB_TAB_ALL || t == DB_TAB_AFTER_SALES ? NULL : status[t];
}

static enum variant variant_of(const struct db_order_filter *f)
{
  if (f->q != NULL)
    return V_SEARCH;
  if (f->held)
    return V_HELD;
  if (f->tab == DB_TAB_ALL)
    return V_ALL;
  return f->tab == DB_TAB_AFTER_SALES ? V_AFTER : V_STATUS;
}

/* (a, b) < (c, d) */
static bool pair_less(int64_t a, int64_t b, int64_t c, int64_t d)
{
  return a < c || (a == c && b < d);
}

/* The parameters of f's statement (see FAMILY). The window's bounds are
 * exclusive: (t, 0) < (created_at, id) means created_at >= t since ids are
 * positive, and (created_at, id) < (t, 0) means created_at < t; a keyset
 * position narrows the window on the side the ordering walks from. */
static void build_params(const struct db_order_filter *f, int64_t merchant_id, struct params *p)
{
  int64_t lo_key = CLOCK_TIME_MIN, lo_id = 0, hi_key = CLOCK_TIME_MAX, hi_id = INT64_MAX;
  if (by_created(f->sort) && f->has_created_from)
    lo_key = f->created_from;
  if (by_created(f->sort) && f->has_created_to)
    hi_key = f->created_to, hi_id = 0;
  if (f->has_after && ascending(f->sort) && pair_less(lo_key, lo_id, f->after_key, f->after_id))
    lo_key = f->after_key, lo_id = f->after_id;
  if (f->has_after && !ascending(f->sort) && pair_less(f->after_key, f->after_id, hi_key, hi_id))
    hi_key = f->after_key, hi_id = f->after_id;

  p->n = 0;
  add_int(p, f->shop_id);
  add_int(p, lo_key);
  add_int(p, lo_id);
  add_int(p, hi_key);
  add_int(p, hi_id);
  add_int(p, f->limit);
  add_int(p, merchant_id);
  if (!by_created(f->sort)) {
    add_int(p, f->created_from);
    if (!f->has_created_from)
      p->v[p->n - 1] = NULL;
    add_int(p, f->created_to);
    if (!f->has_created_to)
      p->v[p->n - 1] = NULL;
  }
  enum variant v = variant_of(f);
  if (v == V_STATUS)
    add_text(p, tab_status(f->tab));
  if (v == V_SEARCH || v == V_HELD) {
    add_text(p, tab_status(f->tab));
    add_text(p, f->tab == DB_TAB_AFTER_SALES ? "true" : "false");
  }
  if (v == V_SEARCH) {
    add_text(p, f->held ? "true" : "false");
    add_text(p, f->q);
  }
}

enum db_status db_shop_orders_page(int64_t merchant_id, const struct db_order_filter *f,
                                   db_order_fn fn, void *arg, struct db_order_counts *counts)
{
  struct params p;
  build_params(f, merchant_id, &p);
  PGresult *res;
  enum db_status st = db_exec(&list_stmts[f->sort][variant_of(f)], p.v, &res);
  if (st < DB_NONE)
    return st;
  if (st == DB_NONE) {
    PQclear(res);
    return DB_NONE;
  }
  int c = DB_ORDER_NCOLUMNS;
  counts->unpaid = db_get_int64(res, 0, c);
  counts->to_ship = db_get_int64(res, 0, c + 1);
  counts->shipped = db_get_int64(res, 0, c + 2);
  counts->completed = db_get_int64(res, 0, c + 3);
  counts->after_sales = db_get_int64(res, 0, c + 4);
  counts->closed = db_get_int64(res, 0, c + 5);
  counts->under_review = db_get_int64(res, 0, c + 6);
  for (int r = 0; r < PQntuples(res); r++) {
    if (PQgetisnull(res, r, 0))
      continue; /* the empty page's one row */
    struct db_order o;
    db_order_read(res, r, 0, &o);
    fn(&o, arg);
  }
  PQclear(res);
  return DB_ONE;
}

enum db_status db_shop_orders_export_batch(int64_t merchant_id, const struct db_order_filter *f,
                                           db_export_fn fn, void *arg)
{
  struct params p;
  build_params(f, merchant_id, &p);
  PGresult *res;
  enum db_status st =
      db_replica_exec(DB_READ_ORDERS_EXPORT, &export_stmts[f->sort][variant_of(f)], p.v, &res);
  if (st < DB_NONE)
    return st;
  for (int r = 0; r < PQntuples(res); r++) {
    struct db_export_order o;
    int c = 0;
    o.id = db_get_int64(res, r, c++);
    o.order_sn = PQgetvalue(res, r, c++);
    o.created_at = db_get_int64(res, r, c++);
    o.paid_at = PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
    c++;
    o.shipped_at = PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
    c++;
    o.status = PQgetvalue(res, r, c++);
    o.buyer_name = PQgetvalue(res, r, c++);
    o.items = PQgetvalue(res, r, c++);
    o.items_cents = db_get_int64(res, r, c++);
    o.total_cents = db_get_int64(res, r, c++);
    o.refunded_cents = db_get_int64(res, r, c++);
    o.carrier = PQgetvalue(res, r, c++);
    o.tracking_no = PQgetvalue(res, r, c++);
    o.region = PQgetvalue(res, r, c++);
    o.addr_detail = PQgetvalue(res, r, c++);
    o.addr_name = PQgetvalue(res, r, c++);
    o.addr_phone = PQgetvalue(res, r, c++);
    o.merchant_note = PQgetvalue(res, r, c++);
    o.review_status = db_get_text(res, r, c);
    fn(&o, arg);
  }
  PQclear(res);
  return st;
}

enum db_status db_shop_order_get(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                 int64_t shop_id, int64_t order_id, struct db_session *session,
                                 db_order_fn fn, void *arg)
{
  /* The session and, beside it, the order when the session's account owns
   * it: two index probes, authentication and the read in one round trip. */
  static struct db_stmt q = DB_STMT(
      3, "SELECT " DB_LIVE_SESSION_COLUMNS ", " DB_ORDER_COLUMNS " FROM sessions s"
         " LEFT JOIN orders o ON o.id = $3 AND o.shop_id = $2 AND o.merchant_id = s.account_id"
         " WHERE " DB_SESSION_WHERE(1));
  char hashb[2 * DB_TOKEN_HASH_SIZE + 3], sb[DB_INT64_SIZE], ob[DB_INT64_SIZE];
  const char *p[] = {db_param_bytea(hashb, token_hash, DB_TOKEN_HASH_SIZE),
                     db_param_int64(sb, shop_id), db_param_int64(ob, order_id)};
  PGresult *res;
  enum db_status st = db_exec_folded(&q, p, session, &res);
  if (st != DB_ONE)
    return st;
  if (!PQgetisnull(res, 0, DB_LIVE_SESSION_NCOLUMNS)) {
    struct db_order o;
    db_order_read(res, 0, DB_LIVE_SESSION_NCOLUMNS, &o);
    fn(&o, arg);
  }
  PQclear(res);
  return st;
}

enum db_status db_shop_order_update(int64_t merchant_id, int64_t shop_id, int64_t order_id,
                                    const char *merchant_note, int flag, db_order_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, "UPDATE orders o SET merchant_note = coalesce($4, o.merchant_note),"
                 " flag = coalesce($5::smallint, o.flag)"
                 " WHERE o.id = $2 AND o.shop_id = $1"
                 " AND EXISTS (SELECT 1 FROM shops s WHERE s.id = $1 AND s.merchant_id = $3)"
                 " RETURNING " DB_ORDER_COLUMNS);
  char sb[DB_INT64_SIZE], ob[DB_INT64_SIZE], mb[DB_INT64_SIZE], fb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(ob, order_id),
                     db_param_int64(mb, merchant_id), merchant_note,
                     flag >= 0 ? db_param_int64(fb, flag) : NULL};
  return db_orders_each(&q, p, fn, arg);
}

struct ship_result {
  char *code;
  db_order_fn fn;
  void *arg;
};

static void read_ship(const PGresult *res, void *arg)
{
  struct ship_result *s = arg;
  snprintf(s->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, DB_ORDER_NCOLUMNS));
  if (strcmp(s->code, "ok") == 0) {
    struct db_order o;
    db_order_read(res, 0, 0, &o);
    s->fn(&o, s->arg);
  }
}

enum db_status db_shop_order_ship(int64_t merchant_id, int64_t shop_id, int64_t order_id,
                                  const char *carrier, const char *tracking_no, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_order_fn fn, void *arg)
{
  /* Another merchant's shop goes in as NULL, which order_ship finds no
   * order in. order_fresh reads the shipped row: this statement's own
   * snapshot would still show the order as it was. */
  static struct db_stmt q = DB_STMT(
      6, "SELECT " DB_ORDER_COLUMNS ", r.result"
         " FROM order_ship((SELECT s.id FROM shops s WHERE s.id = $2 AND s.merchant_id = $1),"
         " $3, $4, $5, us_to_ts($6)) AS r (result)"
         " LEFT JOIN LATERAL order_fresh(CASE WHEN r.result = 'ok' THEN $3::bigint END) o ON true");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], ob[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id),
                     db_param_int64(sb, shop_id),
                     db_param_int64(ob, order_id),
                     carrier,
                     tracking_no,
                     db_param_int64(nb, now)};
  struct ship_result s = {code, fn, arg};
  code[0] = '\0';
  return db_query_row(&q, p, read_ship, &s);
}

enum db_status db_shop_orders_ship_batch(int64_t shop_id, const char *items_json, int64_t now,
                                         db_ship_result_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      3, "SELECT b.order_id, b.result FROM orders_ship_batch($1, $2::jsonb, us_to_ts($3)) b");
  char sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), items_json, db_param_int64(nb, now)};
  PGresult *res;
  enum db_status st = db_exec(&q, p, &res);
  if (st < DB_NONE)
    return st;
  for (int r = 0; r < PQntuples(res); r++)
    fn(PQgetisnull(res, r, 0) ? 0 : db_get_int64(res, r, 0), PQgetvalue(res, r, 1), arg);
  PQclear(res);
  return st;
}
