#include "stats_read.h"

#include "clock.h"
#include "db_internal.h"

#include <stddef.h>

/* ", coalesce(sum(b.gmv_cents), 0)::bigint AS gmv_cents, ..." over the
 * buckets b, and the same sums again over sums x (the overview adds up
 * the hour and the minute buckets of a period). */
#define SUM_COL(c)   ", coalesce(sum(b." #c "), 0)::bigint AS " #c
#define SUMS         DB_STATS_READ_COLUMNS(SUM_COL)
#define RESUM_COL(c) ", sum(x." #c ")::bigint"
#define RESUMS       DB_STATS_READ_COLUMNS(RESUM_COL)
#define PLAIN_COL(c) ", t." #c
#define PLAINS       DB_STATS_READ_COLUMNS(PLAIN_COL)

/* The window r(f, t) of dates from the parameters: to defaults to today
 * in MERCHANTD_TZ, from to 29 days before to. */
#define WINDOW(from, to, now)                                                                      \
  " r AS (SELECT coalesce(" from "::date, w.t - 29) AS f, w.t FROM (SELECT coalesce(" to           \
  "::date, (us_to_ts(" now ") AT TIME ZONE platform_zone())::date) AS t) w)"
/* as_of and the window, the first columns of every windowed read. */
#define HEAD " ts_to_us(fs.as_of), r.f - DATE '1970-01-01', r.t - DATE '1970-01-01'"
/* The shop, its owner, the window and the fold's state. */
#define SHOP_FROM  " FROM shops s CROSS JOIN r CROSS JOIN stats_fold_state fs"
#define SHOP_OWNED " WHERE s.id = $1 AND s.merchant_id = $2"

static int read_sums(const PGresult *res, int r, int c, struct db_stats_read_sums *s)
{
#define READ_COL(col) s->col = db_get_int64(res, r, c++);
  DB_STATS_READ_COLUMNS(READ_COL)
#undef READ_COL
  return c;
}

static void read_head(const PGresult *res, struct db_stats_read_head *h)
{
  h->as_of = db_get_int64(res, 0, 0); /* "" (NULL) reads as 0 */
  h->from = db_get_int64(res, 0, 1);
  h->to = db_get_int64(res, 0, 2);
}

/* The window's parameters: dates as text, NULL for an end not given. */
struct window_params {
  char from[CLOCK_DATE_SIZE], to[CLOCK_DATE_SIZE], now[DB_INT64_SIZE];
};

static void window_params(const struct db_stats_read_window *w, struct window_params *p,
                          const char **from, const char **to, const char **now)
{
  clock_format_date(w->from, p->from);
  clock_format_date(w->to, p->to);
  *from = w->has_from ? p->from : NULL;
  *to = w->has_to ? p->to : NULL;
  *now = db_param_int64(p->now, w->now);
}

static void read_today(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_stats_read_today(int64_t now, int64_t *today)
{
  static struct db_stmt q =
      DB_STMT(1, "SELECT (us_to_ts($1) AT TIME ZONE platform_zone())::date - DATE '1970-01-01'");
  char nb[DB_INT64_SIZE];
  return db_query_row(&q, (const char *[]){db_param_int64(nb, now)}, read_today, today);
}

/* ------------------------------------------------------------------ */
/* The overview: today, yesterday and a week ago, each up to until. */

/* k: as_of (now when never folded) cut to the minute, its day d0, the
 * offset of its hour (hoff) and minute (off) into the day. */
#define OVERVIEW_K(now)                                                                            \
  " k AS (SELECT fs.as_of, x.u, x.u::date AS d0, date_trunc('hour', x.u) - x.u::date AS hoff,"     \
  " x.u - x.u::date AS off FROM stats_fold_state fs CROSS JOIN LATERAL (SELECT"                    \
  " date_trunc('minute', coalesce(fs.as_of, us_to_ts(" now                                         \
  ")) AT TIME ZONE platform_zone()) AS u) x)"
/* p: the bucket ranges of each period k (days before d0): its hours
 * before hoff and its minutes from hoff to off; extra adds periods. */
#define OVERVIEW_P(extra)                                                                          \
  " p AS (SELECT q.k, q.grain, q.lo AT TIME ZONE platform_zone() AS lo,"                           \
  " q.hi AT TIME ZONE platform_zone() AS hi FROM (SELECT w.k, g.grain, g.lo, g.hi"                 \
  " FROM k, (VALUES (0), (1), (7)) w(k), LATERAL (VALUES"                                          \
  " ('h'::\"char\", (k.d0 - w.k)::timestamp, (k.d0 - w.k) + k.hoff),"                              \
  " ('m'::\"char\", (k.d0 - w.k) + k.hoff, (k.d0 - w.k) + k.off)) g(grain, lo, hi)" extra ") q)"
/* The 30 days ending today, by day buckets: the refund rate. */
#define OVERVIEW_30D                                                                               \
  " UNION ALL SELECT 30, 'd'::\"char\", (k.d0 - 29)::timestamp, (k.d0 + 1)::timestamp FROM k"
#define OVERVIEW_SELECT                                                                            \
  " SELECT ts_to_us(k.as_of), k.d0 - DATE '1970-01-01', (extract(epoch FROM k.off) / 60)::int,"    \
  " s.id, s.name, p.k" RESUMS
/* Each period's buckets by a range of the primary key (shop, grain, at). */
#define OVERVIEW_SUMS                                                                              \
  " (SELECT 0" SUMS " FROM stats_shop b WHERE b.shop_id = s.id AND b.grain = p.grain"              \
  " AND b.at >= p.lo AND b.at < p.hi) x"
#define OVERVIEW_GROUP " GROUP BY k.as_of, k.d0, k.off, s.id, s.name, p.k ORDER BY s.id, p.k"

struct overview_rows {
  struct db_stats_read_overview o;
  int64_t as_of;
  db_stats_read_overview_fn fn; /* NULL: one shop, into o */
  void *arg;
};

static void overview_row(const PGresult *res, int r, void *arg)
{
  struct overview_rows *rows = arg;
  struct db_stats_read_overview *o = &rows->o;
  rows->as_of = o->as_of = db_get_int64(res, r, 0);
  o->date = db_get_int64(res, r, 1);
  o->until_minutes = (int)db_get_int64(res, r, 2);
  if (db_get_text(res, r, 3) == NULL)
    return; /* the merchant has no shop: the fold's state only */
  o->shop_id = db_get_int64(res, r, 3);
  o->name = db_get_text(res, r, 4);
  struct db_stats_read_sums s;
  read_sums(res, r, 6, &s);
  switch (db_get_int64(res, r, 5)) {
  case 0:
    o->today = s;
    break;
  case 1:
    o->yesterday = s;
    break;
  case 7:
    o->last_week = s;
    if (rows->fn != NULL)
      rows->fn(o, rows->arg);
    break;
  default: /* 30 */
    o->refunds_30d = s.refunds;
    o->orders_30d = s.orders;
  }
}

enum db_status db_stats_read_overview(int64_t merchant_id, int64_t shop_id, int64_t now,
                                      struct db_stats_read_overview *out)
{
  static struct db_stmt q =
      DB_STMT(3, "WITH" OVERVIEW_K("$3") "," OVERVIEW_P(OVERVIEW_30D) OVERVIEW_SELECT
              " FROM k CROSS JOIN p JOIN shops s ON s.id = $1 AND s.merchant_id = $2"
              " CROSS JOIN LATERAL" OVERVIEW_SUMS OVERVIEW_GROUP);
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id),
                     db_param_int64(nb, now)};
  struct overview_rows rows = {.fn = NULL};
  enum db_status st = db_replica_each_row(DB_READ_STATS, &q, p, overview_row, &rows);
  rows.o.name = NULL; /* the result is gone */
  *out = rows.o;
  return st;
}

enum db_status db_stats_read_overviews(int64_t merchant_id, int64_t now, int64_t *as_of,
                                       int64_t *date, int *until_minutes,
                                       db_stats_read_overview_fn fn, void *arg)
{
  /* The merchant's shops joined on the side, so that a merchant without
   * one still reads the fold's state. */
  static struct db_stmt q = DB_STMT(2, "WITH" OVERVIEW_K("$2") "," OVERVIEW_P("") OVERVIEW_SELECT
                                    " FROM k CROSS JOIN p LEFT JOIN shops s ON s.merchant_id = $1"
                                    " LEFT JOIN LATERAL" OVERVIEW_SUMS " ON true" OVERVIEW_GROUP);
  char mb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(nb, now)};
  struct overview_rows rows = {.fn = fn, .arg = arg};
  enum db_status st = db_replica_each_row(DB_READ_STATS, &q, p, overview_row, &rows);
  *as_of = rows.as_of;
  *date = rows.o.date;
  *until_minutes = rows.o.until_minutes;
  return st < DB_NONE ? st : rows.o.shop_id != 0 ? DB_MANY : DB_NONE;
}

/* ------------------------------------------------------------------ */
/* Series: a sum per day or per hour. */

struct series_rows {
  struct db_stats_read_head *head;
  int first; /* the column of the sums */
  bool hourly;
  int64_t *writers, *converted; /* service only */
  db_stats_read_sums_fn fn;
  void *arg;
};

static void series_row(const PGresult *res, int r, void *arg)
{
  struct series_rows *rows = arg;
  if (r == 0)
    read_head(res, rows->head);
  if (r == 0 && rows->writers != NULL) {
    *rows->writers = db_get_int64(res, 0, 4);
    *rows->converted = db_get_int64(res, 0, 5);
  }
  struct db_stats_read_sums s;
  read_sums(res, r, rows->first, &s);
  int64_t at = db_get_int64(res, r, 3);
  if (rows->hourly)
    rows->fn(rows->head->from, (int)at, &s, rows->arg);
  else
    rows->fn(at, -1, &s, rows->arg);
}

/* One day bucket a day of the window, a missing one as zeros: a lookup
 * of the primary key a day (LIMIT 1 keeps the planner from turning it
 * into a join that reads every day bucket of the shop). */
#define DAYS_FROM                                                                                  \
  SHOP_FROM " CROSS JOIN LATERAL generate_series(r.f::timestamp, r.t::timestamp,"                  \
            " interval '1 day') g(d)"                                                              \
            " LEFT JOIN LATERAL (SELECT * FROM stats_shop b WHERE b.shop_id = s.id"                \
            " AND b.grain = 'd' AND b.at = g.d AT TIME ZONE platform_zone() LIMIT 1) b ON true"

static enum db_status series(struct db_stmt *q, int64_t merchant_id, int64_t shop_id,
                             const struct db_stats_read_window *w, struct series_rows *rows)
{
  struct window_params wp;
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[5] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  window_params(w, &wp, &p[2], &p[3], &p[4]);
  return db_replica_each_row(DB_READ_STATS, q, p, series_row, rows);
}

enum db_status db_stats_read_daily(int64_t merchant_id, int64_t shop_id,
                                   const struct db_stats_read_window *w,
                                   struct db_stats_read_head *head, db_stats_read_sums_fn fn,
                                   void *arg)
{
  static struct db_stmt q = DB_STMT(
      5, "WITH" WINDOW("$3", "$4", "$5") " SELECT" HEAD
                                         ", g.d::date - DATE '1970-01-01'" SUMS DAYS_FROM SHOP_OWNED
                                         " GROUP BY fs.as_of, r.f, r.t, g.d ORDER BY g.d");
  struct series_rows rows = {head, 4, false, NULL, NULL, fn, arg};
  return series(&q, merchant_id, shop_id, w, &rows);
}

enum db_status db_stats_read_service(int64_t merchant_id, int64_t shop_id,
                                     const struct db_stats_read_window *w,
                                     struct db_stats_read_head *head, int64_t *writers,
                                     int64_t *converted, db_stats_read_sums_fn fn, void *arg)
{
  /* c once for the window: who wrote on any of its days, and who of them
   * paid in time after writing on one of them. */
  static struct db_stmt q = DB_STMT(
      5,
      "WITH" WINDOW(
          "$3", "$4",
          "$5") ", c AS (SELECT count(DISTINCT cw.buyer_id) AS n,"
                " count(DISTINCT cw.buyer_id) FILTER (WHERE cw.converted) AS conv"
                " FROM r, stats_cs_writers cw WHERE cw.shop_id = $1 AND cw.day BETWEEN r.f AND r.t)"
                " SELECT" HEAD ", g.d::date - DATE '1970-01-01', c.n, c.conv" SUMS DAYS_FROM
                " CROSS JOIN c" SHOP_OWNED
                " GROUP BY fs.as_of, r.f, r.t, g.d, c.n, c.conv ORDER BY g.d");
  struct series_rows rows = {head, 6, false, writers, converted, fn, arg};
  return series(&q, merchant_id, shop_id, w, &rows);
}

enum db_status db_stats_read_hourly(int64_t merchant_id, int64_t shop_id,
                                    const struct db_stats_read_window *w,
                                    struct db_stats_read_head *head, db_stats_read_sums_fn fn,
                                    void *arg)
{
  /* The day's 24 hour buckets: the window of one day, w->from. */
  static struct db_stmt q = DB_STMT(
      4, "WITH r AS (SELECT d AS f, d AS t FROM (SELECT coalesce($3::date, (us_to_ts($4)"
         " AT TIME ZONE platform_zone())::date) AS d) w)"
         " SELECT" HEAD ", h.h" SUMS SHOP_FROM " CROSS JOIN generate_series(0, 23) h(h)"
         " LEFT JOIN LATERAL (SELECT * FROM stats_shop b WHERE b.shop_id = s.id AND b.grain = 'h'"
         " AND b.at = (r.f + make_interval(hours => h.h)) AT TIME ZONE platform_zone() LIMIT 1) b"
         " ON true" SHOP_OWNED " GROUP BY fs.as_of, r.f, r.t, h.h ORDER BY h.h");
  struct series_rows rows = {head, 4, true, NULL, NULL, fn, arg};
  struct window_params wp;
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[4] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)}, *unused;
  window_params(w, &wp, &p[2], &unused, &p[3]);
  return db_replica_each_row(DB_READ_STATS, &q, p, series_row, &rows);
}

/* ------------------------------------------------------------------ */
/* Rankings and breakdowns over a window. */

struct list_rows {
  struct db_stats_read_head *head;
  struct db_stats_read_sums *total; /* logistics only */
  void (*row)(const PGresult *res, int r, struct list_rows *rows);
  union {
    db_stats_read_product_fn product;
    db_stats_read_carrier_fn carrier;
    db_stats_read_coupon_fn coupon;
  } fn;
  void *arg;
};

static void list_row(const PGresult *res, int r, void *arg)
{
  struct list_rows *rows = arg;
  if (r == 0)
    read_head(res, rows->head);
  /* The shop's row comes back alone when nothing is in the window. */
  if (db_get_text(res, r, 3) != NULL)
    rows->row(res, r, rows);
}

static enum db_status list(struct db_stmt *q, int64_t merchant_id, int64_t shop_id,
                           const struct db_stats_read_window *w, const char *extra[2],
                           struct list_rows *rows)
{
  struct window_params wp;
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[7] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  window_params(w, &wp, &p[2], &p[3], &p[4]);
  if (extra != NULL) {
    p[5] = extra[0];
    p[6] = extra[1];
  }
  return db_replica_each_row(DB_READ_STATS, q, p, list_row, rows);
}

static void product_row(const PGresult *res, int r, struct list_rows *rows)
{
  struct db_stats_read_product p = {.product_id = db_get_int64(res, r, 3),
                                    .title = db_get_text(res, r, 4),
                                    .gmv_cents = db_get_int64(res, r, 5),
                                    .units = db_get_int64(res, r, 6),
                                    .orders = db_get_int64(res, r, 7),
                                    .buyers = db_get_int64(res, r, 8),
                                    .visitors = db_get_int64(res, r, 9),
                                    .pv = db_get_int64(res, r, 10)};
  rows->fn.product(&p, rows->arg);
}

enum db_status db_stats_read_products(int64_t merchant_id, int64_t shop_id,
                                      const struct db_stats_read_window *w,
                                      enum db_stats_read_sort sort, int limit,
                                      struct db_stats_read_head *head, db_stats_read_product_fn fn,
                                      void *arg)
{
  /* The window's day rows of the shop's products (stats_product_shop),
   * then buyers and visitors distinct over the window per product. */
  static struct db_stmt q = DB_STMT(
      7, "WITH" WINDOW(
             "$3", "$4",
             "$5") ", p AS (SELECT sp.product_id,"
                   " sum(sp.gmv_cents)::bigint AS gmv, sum(sp.units)::bigint AS units,"
                   " sum(sp.orders)::bigint AS orders, sum(sp.pv)::bigint AS pv FROM r, "
                   "stats_product sp"
                   " WHERE sp.shop_id = $1 AND sp.day BETWEEN r.f AND r.t GROUP BY sp.product_id),"
                   " x AS (SELECT p.*, (SELECT count(DISTINCT pb.buyer_id) FROM r, "
                   "stats_product_buyers pb"
                   " WHERE pb.product_id = p.product_id AND pb.day BETWEEN r.f AND r.t) AS buyers,"
                   " (SELECT count(DISTINCT v.visitor) FROM r, stats_product_visitors v"
                   " WHERE v.product_id = p.product_id AND v.day BETWEEN r.f AND r.t) AS visitors "
                   "FROM p),"
                   " y AS (SELECT x.*, row_number() OVER (ORDER BY CASE $6::int WHEN 0 THEN "
                   "x.gmv::numeric"
                   " WHEN 1 THEN x.visitors::numeric WHEN 2 THEN x.buyers::numeric / "
                   "nullif(x.visitors, 0)"
                   " ELSE x.units::numeric END DESC NULLS LAST, x.product_id) AS rk FROM x)"
                   " SELECT" HEAD
                   ", y.product_id, pr.title, y.gmv, y.units, y.orders, y.buyers, y.visitors,"
                   " y.pv" SHOP_FROM " LEFT JOIN y ON y.rk <= $7 LEFT JOIN products pr ON pr.id = "
                   "y.product_id" SHOP_OWNED " ORDER BY y.rk");
  char ob[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *extra[2] = {db_param_int64(ob, sort), db_param_int64(lb, limit)};
  struct list_rows rows = {head, NULL, product_row, {.product = fn}, arg};
  return list(&q, merchant_id, shop_id, w, extra, &rows);
}

static void carrier_row(const PGresult *res, int r, struct list_rows *rows)
{
  struct db_stats_read_carrier c = {.carrier = db_get_text(res, r, 3),
                                    .name = db_get_text(res, r, 4),
                                    .shipped = db_get_int64(res, r, 5),
                                    .ship_secs = db_get_int64(res, r, 6),
                                    .completed = db_get_int64(res, r, 7),
                                    .transit_secs = db_get_int64(res, r, 8)};
  rows->fn.carrier(&c, rows->arg);
}

static void logistics_row(const PGresult *res, int r, void *arg)
{
  struct list_rows *rows = arg;
  if (r == 0)
    read_sums(res, 0, 9, rows->total);
  list_row(res, r, rows);
}

enum db_status db_stats_read_logistics(int64_t merchant_id, int64_t shop_id,
                                       const struct db_stats_read_window *w,
                                       struct db_stats_read_head *head,
                                       struct db_stats_read_sums *total,
                                       db_stats_read_carrier_fn fn, void *arg)
{
  /* The shop's day buckets of the window for the totals; the carriers by
   * a range of stats_carrier's key (shop, carrier, day) each, so that
   * days outside the window are never read. */
  // clang-format off
  static struct db_stmt q = DB_STMT(5,
      "WITH" WINDOW("$3", "$4", "$5") ","
      " c AS (SELECT ca.code AS carrier, ca.name, x.* FROM r, carriers ca CROSS JOIN LATERAL"
      " (SELECT coalesce(sum(sc.shipped), 0)::bigint AS shipped,"
      " coalesce(sum(sc.ship_secs), 0)::bigint AS ship_secs,"
      " coalesce(sum(sc.completed), 0)::bigint AS completed,"
      " coalesce(sum(sc.transit_secs), 0)::bigint AS transit_secs"
      " FROM stats_carrier sc WHERE sc.shop_id = $1 AND sc.carrier = ca.code"
      " AND sc.day BETWEEN r.f AND r.t) x WHERE x.shipped > 0 OR x.completed > 0)"
      " SELECT" HEAD ", c.carrier, c.name, c.shipped, c.ship_secs, c.completed, c.transit_secs"
      PLAINS SHOP_FROM
      " CROSS JOIN LATERAL (SELECT 0" SUMS " FROM stats_shop b WHERE b.shop_id = s.id"
      " AND b.grain = 'd' AND b.at >= r.f::timestamp AT TIME ZONE platform_zone()"
      " AND b.at < (r.t + 1)::timestamp AT TIME ZONE platform_zone()) t"
      " LEFT JOIN c ON true" SHOP_OWNED " ORDER BY c.shipped DESC, c.carrier");
  // clang-format on
  struct list_rows rows = {head, total, carrier_row, {.carrier = fn}, arg};
  struct window_params wp;
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[5] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  window_params(w, &wp, &p[2], &p[3], &p[4]);
  return db_replica_each_row(DB_READ_STATS, &q, p, logistics_row, &rows);
}

static void coupon_row(const PGresult *res, int r, struct list_rows *rows)
{
  struct db_stats_read_coupon c = {.coupon_id = db_get_int64(res, r, 3),
                                   .title = db_get_text(res, r, 4),
                                   .claims = db_get_int64(res, r, 5),
                                   .orders = db_get_int64(res, r, 6),
                                   .gmv_cents = db_get_int64(res, r, 7),
                                   .discount_cents = db_get_int64(res, r, 8)};
  rows->fn.coupon(&c, rows->arg);
}

enum db_status db_stats_read_coupons(int64_t merchant_id, int64_t shop_id,
                                     const struct db_stats_read_window *w,
                                     struct db_stats_read_head *head, db_stats_read_coupon_fn fn,
                                     void *arg)
{
  static struct db_stmt q = DB_STMT(
      5, "WITH" WINDOW(
             "$3", "$4",
             "$5") ", c AS (SELECT sc.coupon_id,"
                   " sum(sc.claims)::bigint AS claims, sum(sc.orders)::bigint AS orders,"
                   " sum(sc.gmv_cents)::bigint AS gmv, sum(sc.discount_cents)::bigint AS discount"
                   " FROM r, stats_coupon sc WHERE sc.shop_id = $1 AND sc.day BETWEEN r.f AND r.t"
                   " GROUP BY sc.coupon_id)"
                   " SELECT" HEAD
                   ", c.coupon_id, co.title, c.claims, c.orders, c.gmv, c.discount" SHOP_FROM
                   " LEFT JOIN c ON true LEFT JOIN coupons co ON co.id = c.coupon_id" SHOP_OWNED
                   " ORDER BY c.coupon_id DESC");
  struct list_rows rows = {head, NULL, coupon_row, {.coupon = fn}, arg};
  return list(&q, merchant_id, shop_id, w, NULL, &rows);
}
