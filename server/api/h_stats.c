/* The data pages (数据), a merchant's own shops only:
 *   GET /v1/shops/{id}/stats/overview    today against yesterday and last week, until now
 *   GET /v1/shops/{id}/stats/daily       a metric series by day (and as .csv)
 *   GET /v1/shops/{id}/stats/hourly      a day by hour
 *   GET /v1/shops/{id}/stats/products    the product ranking of a window (top N)
 *   GET /v1/shops/{id}/stats/service     customer service of a window, and by day
 *   GET /v1/shops/{id}/stats/logistics   shipping of a window, and by carrier
 *   GET /v1/shops/{id}/stats/coupons     a window's coupons
 *   GET /v1/me/stats/overview            the overview of every shop of the merchant
 * Each reads the rollups in one statement (db/stats_read.h); the figures
 * are computed from the sums in stats_view.c, the same for every route. */
#include "clock.h"
#include "csv.h"
#include "handlers.h"
#include "query.h"
#include "reply.h"
#include "stats_read.h"
#include "stats_view.h"

#include <stdio.h>
#include <stdlib.h>

/* The widest window, in days (both ends included). */
#define WINDOW_DAYS_MAX 366
#define METRICS_MAX     600 /* characters of ?metrics= */

static const char *const sort_names[] = {"gmv", "visitors", "conversion", "units", NULL};

#define WINDOW_PARAMS(w)                                                                           \
  QUERY_DATE("from", &(w)->from, .present = &(w)->has_from),                                       \
      QUERY_DATE("to", &(w)->to, .present = &(w)->has_to)

static enum http_step invalid(struct http_request *rq, const char *field, const char *message)
{
  return HTTP_STEP_OF(
      reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                    json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message)));
}

/* Reads the query and completes the window: a from without a to runs to
 * today, and a window runs forwards over at most WINDOW_DAYS_MAX days. */
static enum http_step read_window(struct http_request *rq, const struct query_param *params,
                                  size_t count, struct db_stats_window *w)
{
  enum http_step step = query_read(rq, params, count);
  if (step != HTTP_STEP_OK)
    return step;
  w->now = clock_now_us();
  bool gave_to = w->has_to;
  if (w->has_from && !w->has_to) {
    enum db_status st = db_stats_today(w->now, &w->to);
    if (st < DB_NONE)
      return HTTP_STEP_OF(reply_db_error(rq, st));
    w->has_to = true;
  }
  if (w->has_from && w->to < w->from)
    return gave_to ? invalid(rq, "to", "must not be before from")
                   : invalid(rq, "from", "must not be after today");
  if (w->has_from && w->to - w->from + 1 > WINDOW_DAYS_MAX)
    return invalid(rq, "from", "the window is at most 366 days");
  return HTTP_STEP_OK;
}

/* The reply of a read that returned its rows: DB_NONE is another
 * merchant's shop (or none). */
static enum MHD_Result reply_read(struct http_request *rq, enum db_status st, struct jsonout *j)
{
  if (st <= DB_NONE) {
    jsonout_free(j);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  jsonout_end_object(j);
  return reply_jsonout(rq, MHD_HTTP_OK, j);
}

/* Moves the array written into items into j under key. */
static void put_items(struct jsonout *j, const char *key, struct jsonout *items)
{
  size_t len;
  char *text = jsonout_take(items, &len);
  jsonout_key(j, key);
  if (text != NULL)
    jsonout_raw(j, text);
  else
    j->failed = true;
  free(text);
}

static void until_field(struct jsonout *j, int minutes)
{
  char text[8];
  snprintf(text, sizeof text, "%02d:%02d", minutes / 60 % 100, minutes % 60);
  jsonout_field_string(j, "until", text);
}

static void overview_periods(struct jsonout *j, const struct db_stats_overview *o)
{
  stats_view_metrics_object(j, "today", &o->today);
  stats_view_metrics_object(j, "yesterday", &o->yesterday);
  stats_view_metrics_object(j, "last_week", &o->last_week);
}

enum MHD_Result h_stats_overview(struct http_request *rq)
{
  enum http_step step = query_read(rq, NULL, 0);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_stats_overview o;
  enum db_status st = db_stats_overview(rq->session.account.id, rq->ids[0], clock_now_us(), &o);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  jsonout_field_int(&j, "shop_id", rq->ids[0]);
  jsonout_field_time_or_null(&j, "as_of", o.as_of);
  stats_view_date(&j, "date", o.date);
  until_field(&j, o.until_minutes);
  overview_periods(&j, &o);
  stats_view_ratio(&j, "refund_rate_30d", o.refunds_30d, o.orders_30d);
  return reply_read(rq, st, &j);
}

struct shops_out {
  struct jsonout items;
  int64_t date;
  int until_minutes;
};

static void shop_overview(const struct db_stats_overview *o, void *arg)
{
  struct shops_out *out = arg;
  struct jsonout *j = &out->items;
  out->date = o->date;
  out->until_minutes = o->until_minutes;
  jsonout_begin_object(j);
  jsonout_field_int(j, "shop_id", o->shop_id);
  jsonout_field_string(j, "name", o->name);
  overview_periods(j, o);
  jsonout_end_object(j);
}

enum MHD_Result h_stats_me_overview(struct http_request *rq)
{
  enum http_step step = query_read(rq, NULL, 0);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct shops_out out = {.items = JSONOUT_INIT};
  int64_t as_of = 0;
  jsonout_begin_array(&out.items);
  enum db_status st = db_stats_overviews(rq->session.account.id, clock_now_us(), &as_of, &out.date,
                                         &out.until_minutes, shop_overview, &out);
  jsonout_end_array(&out.items);
  if (st < DB_NONE) {
    jsonout_free(&out.items);
    return reply_db_error(rq, st);
  }
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  jsonout_field_time_or_null(&j, "as_of", as_of);
  stats_view_date(&j, "date", out.date);
  until_field(&j, out.until_minutes);
  put_items(&j, "shops", &out.items);
  jsonout_end_object(&j);
  return reply_jsonout(rq, MHD_HTTP_OK, &j);
}

/* ------------------------------------------------------------------ */
/* Series */

struct series_out {
  struct jsonout items;
  uint32_t mask;
  struct csv csv; /* the CSV route's rows */
  bool as_csv;
};

static void day_out(int64_t day, int hour, const struct db_stats_sums *s, void *arg)
{
  struct series_out *out = arg;
  if (out->as_csv) {
    stats_view_csv_row(&out->csv, day, s, out->mask);
    return;
  }
  jsonout_begin_object(&out->items);
  if (hour >= 0)
    jsonout_field_int(&out->items, "hour", hour);
  else
    stats_view_date(&out->items, "date", day);
  stats_view_metrics(&out->items, s, out->mask);
  jsonout_end_object(&out->items);
}

/* The daily routes' query: the window and the metrics. */
static enum http_step read_daily(struct http_request *rq, struct db_stats_window *w, uint32_t *mask)
{
  const char *text = NULL, *bad = NULL;
  const struct query_param params[] = {WINDOW_PARAMS(w),
                                       QUERY_TEXT("metrics", &text, 1, METRICS_MAX)};
  enum http_step step = read_window(rq, params, QUERY_COUNT(params), w);
  *mask = STATS_ALL_METRICS;
  if (step == HTTP_STEP_OK && text != NULL && !stats_view_parse_metrics(text, mask, &bad))
    return invalid(rq, "metrics", bad);
  return step;
}

enum MHD_Result h_stats_daily(struct http_request *rq)
{
  struct db_stats_window w = {0};
  struct series_out out = {.items = JSONOUT_INIT};
  enum http_step step = read_daily(rq, &w, &out.mask);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_stats_head head = {0};
  jsonout_begin_array(&out.items);
  enum db_status st = db_stats_daily(rq->session.account.id, rq->ids[0], &w, &head, day_out, &out);
  jsonout_end_array(&out.items);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_head(&j, &head, true);
  jsonout_key(&j, "metrics");
  stats_view_metric_names(&j, out.mask);
  put_items(&j, "days", &out.items);
  return reply_read(rq, st, &j);
}

enum MHD_Result h_stats_daily_csv(struct http_request *rq)
{
  struct db_stats_window w = {0};
  struct series_out out = {.csv = CSV_INIT, .as_csv = true};
  enum http_step step = read_daily(rq, &w, &out.mask);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_stats_head head = {0};
  csv_bom(&out.csv);
  stats_view_csv_header(&out.csv, out.mask);
  enum db_status st = db_stats_daily(rq->session.account.id, rq->ids[0], &w, &head, day_out, &out);
  if (st <= DB_NONE || out.csv.failed) {
    csv_free(&out.csv);
    if (st == DB_NONE)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
    return reply_db_error(rq, st < DB_NONE ? st : DB_HARD_ERROR);
  }
  char from[CLOCK_DATE_SIZE], to[CLOCK_DATE_SIZE], filename[80];
  clock_format_date(head.from, from);
  clock_format_date(head.to, to);
  snprintf(filename, sizeof filename, "stats-%lld-%s-%s.csv", (long long)rq->ids[0], from, to);
  return reply_text_steal(rq, MHD_HTTP_OK, "text/csv; charset=utf-8", filename, out.csv.data,
                          out.csv.len);
}

enum MHD_Result h_stats_hourly(struct http_request *rq)
{
  struct db_stats_window w = {0};
  const struct query_param params[] = {QUERY_DATE("date", &w.from, .present = &w.has_from)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  w.now = clock_now_us();
  struct series_out out = {.items = JSONOUT_INIT, .mask = STATS_ALL_METRICS};
  struct db_stats_head head = {0};
  jsonout_begin_array(&out.items);
  enum db_status st = db_stats_hourly(rq->session.account.id, rq->ids[0], &w, &head, day_out, &out);
  jsonout_end_array(&out.items);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_head(&j, &head, false);
  stats_view_date(&j, "date", head.from);
  put_items(&j, "hours", &out.items);
  return reply_read(rq, st, &j);
}

/* ------------------------------------------------------------------ */
/* Windows */

static void product_out(const struct db_stats_product *p, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  jsonout_field_int(j, "product_id", p->product_id);
  jsonout_field_string(j, "title", p->title);
  jsonout_field_int(j, "gmv_cents", p->gmv_cents);
  jsonout_field_int(j, "units", p->units);
  jsonout_field_int(j, "orders", p->orders);
  jsonout_field_int(j, "buyers", p->buyers);
  jsonout_field_int(j, "visitors", p->visitors);
  jsonout_field_int(j, "page_views", p->pv);
  stats_view_ratio(j, "conversion_rate", p->buyers, p->visitors);
  jsonout_end_object(j);
}

enum MHD_Result h_stats_products(struct http_request *rq)
{
  struct db_stats_window w = {0};
  int sort = DB_STATS_SORT_GMV;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const struct query_param params[] = {WINDOW_PARAMS(&w), QUERY_ENUM("sort", &sort, sort_names),
                                       QUERY_LIMIT(&limit)};
  enum http_step step = read_window(rq, params, QUERY_COUNT(params), &w);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct jsonout items = JSONOUT_INIT;
  struct db_stats_head head = {0};
  jsonout_begin_array(&items);
  enum db_status st =
      db_stats_products(rq->session.account.id, rq->ids[0], &w, (enum db_stats_sort)sort,
                        (int)limit, &head, product_out, &items);
  jsonout_end_array(&items);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_head(&j, &head, true);
  jsonout_field_string(&j, "sort", sort_names[sort]);
  put_items(&j, "items", &items);
  return reply_read(rq, st, &j);
}

struct service_out {
  struct jsonout items;
  struct db_stats_sums total;
};

static void service_day(int64_t day, int hour, const struct db_stats_sums *s, void *arg)
{
  struct service_out *out = arg;
  (void)hour;
  jsonout_begin_object(&out->items);
  stats_view_date(&out->items, "date", day);
  stats_view_service(&out->items, s->cs_buyers, s->cs_converted, s);
  jsonout_end_object(&out->items);
  out->total.cs_rounds += s->cs_rounds;
  out->total.cs_rounds_3min += s->cs_rounds_3min;
  out->total.cs_response_secs += s->cs_response_secs;
}

enum MHD_Result h_stats_service(struct http_request *rq)
{
  struct db_stats_window w = {0};
  const struct query_param params[] = {WINDOW_PARAMS(&w)};
  enum http_step step = read_window(rq, params, QUERY_COUNT(params), &w);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct service_out out = {.items = JSONOUT_INIT};
  struct db_stats_head head = {0};
  int64_t writers = 0, converted = 0;
  jsonout_begin_array(&out.items);
  enum db_status st = db_stats_service(rq->session.account.id, rq->ids[0], &w, &head, &writers,
                                       &converted, service_day, &out);
  jsonout_end_array(&out.items);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_head(&j, &head, true);
  stats_view_service(&j, writers, converted, &out.total);
  put_items(&j, "days", &out.items);
  return reply_read(rq, st, &j);
}

static void carrier_out(const struct db_stats_carrier *c, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  jsonout_field_string(j, "carrier", c->carrier);
  jsonout_field_string(j, "name", c->name);
  jsonout_field_int(j, "shipped", c->shipped);
  stats_view_ratio(j, "avg_ship_secs", c->ship_secs, c->shipped);
  jsonout_field_int(j, "completed", c->completed);
  stats_view_ratio(j, "avg_transit_secs", c->transit_secs, c->completed);
  jsonout_end_object(j);
}

enum MHD_Result h_stats_logistics(struct http_request *rq)
{
  struct db_stats_window w = {0};
  const struct query_param params[] = {WINDOW_PARAMS(&w)};
  enum http_step step = read_window(rq, params, QUERY_COUNT(params), &w);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct jsonout items = JSONOUT_INIT;
  struct db_stats_head head = {0};
  struct db_stats_sums total = {0};
  jsonout_begin_array(&items);
  enum db_status st = db_stats_logistics(rq->session.account.id, rq->ids[0], &w, &head, &total,
                                         carrier_out, &items);
  jsonout_end_array(&items);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_head(&j, &head, true);
  stats_view_metrics(&j, &total,
                     (UINT32_C(1) << STATS_SHIPPED) | (UINT32_C(1) << STATS_AVG_SHIP_SECS) |
                         (UINT32_C(1) << STATS_SHIPPED_24H_RATE) |
                         (UINT32_C(1) << STATS_SHIPPED_48H_RATE));
  put_items(&j, "carriers", &items);
  return reply_read(rq, st, &j);
}

static void coupon_out(const struct db_stats_coupon *c, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  jsonout_field_int(j, "coupon_id", c->coupon_id);
  jsonout_field_string(j, "title", c->title);
  jsonout_field_int(j, "claims", c->claims);
  jsonout_field_int(j, "orders", c->orders);
  jsonout_field_int(j, "gmv_cents", c->gmv_cents);
  jsonout_field_int(j, "discount_cents", c->discount_cents);
  jsonout_end_object(j);
}

enum MHD_Result h_stats_coupons(struct http_request *rq)
{
  struct db_stats_window w = {0};
  const struct query_param params[] = {WINDOW_PARAMS(&w)};
  enum http_step step = read_window(rq, params, QUERY_COUNT(params), &w);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct jsonout items = JSONOUT_INIT;
  struct db_stats_head head = {0};
  jsonout_begin_array(&items);
  enum db_status st =
      db_stats_coupons(rq->session.account.id, rq->ids[0], &w, &head, coupon_out, &items);
  jsonout_end_array(&items);
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_head(&j, &head, true);
  put_items(&j, "items", &items);
  return reply_read(rq, st, &j);
}
