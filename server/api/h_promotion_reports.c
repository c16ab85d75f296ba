/* Promotion reports (推广日报/周报), docs/promotion.md "Reports":
 *   GET /v1/shops/{id}/promotions/reports      per day or week, as JSON
 *   GET /v1/shops/{id}/promotions/reports.csv  the same rows, zh-CN headers
 * One statement (promotion_report) reads the plans' day rows and the
 * attributed orders and computes every figure, so the two routes and the
 * letters agree to the fen. */
#include "clock.h"
#include "csv.h"
#include "handlers.h"
#include "promotions.h"
#include "query.h"
#include "reply.h"
#include "stats_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The widest window, in days (both ends included), before a weekly
 * report widens it to whole weeks. */
#define REPORT_DAYS_MAX      366
#define REPORT_DAYS_DEFAULT  30
#define REPORT_WEEKS_DEFAULT 12

static const char *const period_names[] = {"day", "week", NULL};
/* The CSV's header language: zh-CN by default (推广报表), en as the order
 * export offers it. */
static const char *const lang_names[] = {"zh-CN", "en", NULL};

struct report_query {
  int period; /* 0 day, 1 week */
  int lang;   /* CSV only: 0 zh-CN, 1 en */
  int64_t from, to, plan_id;
};

static enum http_step invalid(struct http_request *rq, const char *field, const char *message)
{
  return HTTP_STEP_OF(
      reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                    json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message)));
}

/* Reads and completes the query: to defaults to today, from to 29 days
 * (77 days: 12 weeks) before it; from must not be after to, the window at most 366
 * days. lang is the CSV route's alone (the JSON route refuses it as unknown). */
static enum http_step read_query(struct http_request *rq, struct report_query *r, bool csv)
{
  bool has_from = false, has_to = false;
  const struct query_param params[] = {
      QUERY_ENUM("period", &r->period, period_names),
      QUERY_DATE("from", &r->from, .present = &has_from),
      QUERY_DATE("to", &r->to, .present = &has_to),
      QUERY_INT("plan_id", &r->plan_id, 1, INT64_MAX),
      QUERY_ENUM("lang", &r->lang, lang_names), /* last: the CSV route's only */
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params) - (csv ? 0 : 1));
  if (step != HTTP_STEP_OK)
    return step;
  if (!has_to) {
    enum db_status st = db_stats_read_today(clock_now_us(), &r->to);
    if (st < DB_NONE)
      return HTTP_STEP_OF(reply_db_error(rq, st));
  }
  if (!has_from)
    r->from = r->to - (r->period == 1 ? 7 * (REPORT_WEEKS_DEFAULT - 1) : REPORT_DAYS_DEFAULT - 1);
  if (r->to < r->from)
    return has_to ? invalid(rq, "to", "must not be before from")
                  : invalid(rq, "from", "must not be after today");
  if (r->to - r->from + 1 > REPORT_DAYS_MAX)
    return invalid(rq, "from", "the window is at most 366 days");
  return HTTP_STEP_OK;
}

static void keep_json(const char *json, void *arg)
{
  char **out = arg;
  if (json != NULL && *out == NULL)
    *out = strdup(json);
}

/* Runs the report; on success *body is the JSON text (malloc'd). */
static enum http_step run_report(struct http_request *rq, const struct report_query *r, bool csv,
                                 char **body)
{
  char code[DB_RESULT_CODE_SIZE] = "";
  *body = NULL;
  enum db_status st =
      db_promotion_report(rq->session.account.id, rq->ids[0], r->plan_id, r->period == 1, r->from,
                          r->to, clock_now_us(), csv, code, keep_json, body);
  if (st < DB_NONE) {
    free(*body);
    return HTTP_STEP_OF(reply_db_error(rq, st));
  }
  if (st == DB_NONE || strcmp(code, "ok") != 0 || *body == NULL) {
    bool missing = *body == NULL && strcmp(code, "ok") == 0;
    free(*body);
    *body = NULL;
    if (missing)
      return HTTP_STEP_OF(reply_db_error(rq, DB_HARD_ERROR));
    return HTTP_STEP_OF(reply_problem(
        rq, PROBLEM_NOT_FOUND,
        r->plan_id > 0 ? "no such promotion plan in this shop" : "no such shop", NULL));
  }
  return HTTP_STEP_OK;
}

enum MHD_Result h_promotion_reports(struct http_request *rq)
{
  struct report_query r = {0};
  char *body;
  enum http_step step = read_query(rq, &r, false);
  if (step == HTTP_STEP_OK)
    step = run_report(rq, &r, false, &body);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct jsonout out = JSONOUT_INIT;
  jsonout_raw(&out, body);
  free(body);
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

static const char *const csv_headers_en[] = {
    "from",
    "to",
    "impressions",
    "clicks",
    "ctr_percent",
    "spend_yuan",
    "cpc_yuan",
    "cpm_yuan",
    "attributed_orders",
    "gmv_yuan",
    "click_conversion_percent",
    "roi",
};
static const char *const csv_headers[] = {
    "开始日期",   "结束日期",     "曝光量",           "点击量",
    "点击率(%)",  "花费(元)",     "平均点击花费(元)", "千次曝光花费(元)",
    "成交订单数", "成交金额(元)", "点击转化率(%)",    "投入产出比",
};

enum MHD_Result h_promotion_reports_csv(struct http_request *rq)
{
  struct report_query r = {0};
  char *body;
  enum http_step step = read_query(rq, &r, true);
  if (step == HTTP_STEP_OK)
    step = run_report(rq, &r, true, &body);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  json_t *rows = json_loads(body, 0, NULL);
  free(body);
  struct csv c = CSV_INIT;
  csv_bom(&c);
  bool en = r.lang == 1;
  for (size_t i = 0; i < sizeof csv_headers / sizeof csv_headers[0]; i++)
    csv_cell(&c, en ? csv_headers_en[i] : csv_headers[i]);
  csv_end_row(&c);
  size_t i, k;
  json_t *row, *cell;
  json_array_foreach(rows, i, row)
  {
    /* The last row is the total, its first cell 合计 (total in en). */
    bool total = i + 1 == json_array_size(rows);
    json_array_foreach(row, k, cell)
        csv_cell(&c, k == 0 && total && en ? "total" : json_string_value(cell));
    csv_end_row(&c);
  }
  bool bad = rows == NULL || !json_is_array(rows) || c.failed;
  json_decref(rows);
  if (bad) {
    csv_free(&c);
    return reply_db_error(rq, DB_HARD_ERROR);
  }
  char from[CLOCK_DATE_SIZE], to[CLOCK_DATE_SIZE], filename[96];
  clock_format_date(r.from, from);
  clock_format_date(r.to, to);
  snprintf(filename, sizeof filename, "promotion-report-%lld-%s-%s-%s.csv", (long long)rq->ids[0],
           period_names[r.period], from, to);
  return reply_text_steal(rq, MHD_HTTP_OK, "text/csv; charset=utf-8", filename, c.data, c.len);
}
