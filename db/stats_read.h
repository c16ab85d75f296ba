/* The data pages' reads (数据, docs/data.md): sums of the rollup tables the
 * stats_fold worker keeps (migrations/0030_data.sql), by primary key
 * ranges, never the raw orders, messages or views. Each read is one
 * statement with the shop's ownership folded in (DB_NONE: the merchant has
 * no such shop) and the fold's as_of beside the figures. Days are those of
 * MERCHANTD_TZ (platform_zone() in SQL); a date is days since 1970-01-01. */
#ifndef MERCHANTD_DB_STATS_READ_H
#define MERCHANTD_DB_STATS_READ_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* The summable columns of stats_shop, in the order every statement of
 * stats_read.c selects them: one list for the struct, the SQL and the read. */
#define DB_STATS_COLUMNS(X)                                                                        \
  X(gmv_cents)                                                                                     \
  X(orders)                                                                                        \
  X(buyers)                                                                                        \
  X(pv)                                                                                            \
  X(uv)                                                                                            \
  X(refund_cents)                                                                                  \
  X(refunds)                                                                                       \
  X(shipped)                                                                                       \
  X(ship_secs)                                                                                     \
  X(shipped_24h)                                                                                   \
  X(shipped_48h)                                                                                   \
  X(cs_buyers)                                                                                     \
  X(cs_converted)                                                                                  \
  X(cs_rounds)                                                                                     \
  X(cs_rounds_3min)                                                                                \
  X(cs_response_secs)                                                                              \
  X(coupon_claims)                                                                                 \
  X(coupon_orders)                                                                                 \
  X(coupon_gmv_cents)                                                                              \
  X(coupon_discount_cents)

/* Σ of stats_shop buckets. buyers, uv and cs_buyers count a person in the
 * bucket of their first time that day, so over one day (or part of one)
 * they are exact distinct counts; over several days they are not. */
#define DB_STATS_FIELD(c) int64_t c;
struct db_stats_sums {
  DB_STATS_COLUMNS(DB_STATS_FIELD)
};
#undef DB_STATS_FIELD

/* A window of days, both ends included. An end not given is NULL to SQL:
 * to defaults to today (by now, in MERCHANTD_TZ), from to 29 days before
 * to. The caller checks the window when both ends are given. */
struct db_stats_window {
  int64_t from, to;
  bool has_from, has_to;
  int64_t now; /* microseconds */
};

/* What every reply says beside its figures. */
struct db_stats_head {
  int64_t as_of;    /* microseconds; 0 when the rollups were never folded */
  int64_t from, to; /* the window as resolved (dates); hourly: from = to = the day */
};

/* Today in MERCHANTD_TZ at now, as a date (DB_ONE). */
enum db_status db_stats_today(int64_t now, int64_t *today);

/* One shop's day so far against the same part of yesterday and of the day
 * a week before, each [00:00, until) where until is as_of (now when never
 * folded) cut to the minute: the day's hour buckets before until's hour
 * and the minute buckets of that hour before until, at most 83 rows a day.
 * refunds_30d and orders_30d are Σ refunds and orders of the day buckets
 * of the 30 days ending today. */
struct db_stats_overview {
  int64_t shop_id;
  const char *name; /* the shop's, borrowed for the callback only */
  int64_t as_of;
  int64_t date;      /* as_of's day */
  int until_minutes; /* as_of's minute of the day */
  struct db_stats_sums today, yesterday, last_week;
  int64_t refunds_30d, orders_30d;
};
enum db_status db_stats_overview(int64_t merchant_id, int64_t shop_id, int64_t now,
                                 struct db_stats_overview *out);
/* The same three periods for every shop of the merchant, fn once a shop in
 * id order; *as_of, *date and *until_minutes are set even when the
 * merchant has no shop. DB_NONE or DB_MANY. */
typedef void (*db_stats_overview_fn)(const struct db_stats_overview *o, void *arg);
enum db_status db_stats_overviews(int64_t merchant_id, int64_t now, int64_t *as_of, int64_t *date,
                                  int *until_minutes, db_stats_overview_fn fn, void *arg);

/* A day's (or an hour's) sums: fn once a day of the window in order, a
 * day without a bucket all zeros (hourly: once an hour 0-23 of the day). */
typedef void (*db_stats_sums_fn)(int64_t day, int hour, const struct db_stats_sums *s, void *arg);
enum db_status db_stats_daily(int64_t merchant_id, int64_t shop_id, const struct db_stats_window *w,
                              struct db_stats_head *head, db_stats_sums_fn fn, void *arg);
/* w->from is the day (to is ignored). */
enum db_status db_stats_hourly(int64_t merchant_id, int64_t shop_id,
                               const struct db_stats_window *w, struct db_stats_head *head,
                               db_stats_sums_fn fn, void *arg);
/* As daily, and the window's distinct writers and converted writers from
 * stats_cs_writers (a buyer converted on any day of the window counts). */
enum db_status db_stats_service(int64_t merchant_id, int64_t shop_id,
                                const struct db_stats_window *w, struct db_stats_head *head,
                                int64_t *writers, int64_t *converted, db_stats_sums_fn fn,
                                void *arg);

/* The product ranking over a window: buyers and visitors distinct over it. */
enum db_stats_sort {
  DB_STATS_SORT_GMV,
  DB_STATS_SORT_VISITORS,
  DB_STATS_SORT_CONVERSION,
  DB_STATS_SORT_UNITS
};
struct db_stats_product {
  int64_t product_id;
  const char *title; /* borrowed */
  int64_t gmv_cents, units, orders, buyers, visitors, pv;
};
typedef void (*db_stats_product_fn)(const struct db_stats_product *p, void *arg);
enum db_status db_stats_products(int64_t merchant_id, int64_t shop_id,
                                 const struct db_stats_window *w, enum db_stats_sort sort,
                                 int limit, struct db_stats_head *head, db_stats_product_fn fn,
                                 void *arg);

/* Logistics over a window: the shop's shipping sums (total) and one call
 * of fn a carrier with shipments or completions in it, most shipped first. */
struct db_stats_carrier {
  const char *carrier, *name; /* borrowed */
  int64_t shipped, ship_secs, completed, transit_secs;
};
typedef void (*db_stats_carrier_fn)(const struct db_stats_carrier *c, void *arg);
enum db_status db_stats_logistics(int64_t merchant_id, int64_t shop_id,
                                  const struct db_stats_window *w, struct db_stats_head *head,
                                  struct db_stats_sums *total, db_stats_carrier_fn fn, void *arg);

/* Coupons with claims or orders in a window, newest coupon first. */
struct db_stats_coupon {
  int64_t coupon_id;
  const char *title; /* borrowed */
  int64_t claims, orders, gmv_cents, discount_cents;
};
typedef void (*db_stats_coupon_fn)(const struct db_stats_coupon *c, void *arg);
enum db_status db_stats_coupons(int64_t merchant_id, int64_t shop_id,
                                const struct db_stats_window *w, struct db_stats_head *head,
                                db_stats_coupon_fn fn, void *arg);

#endif
