#include "stats_view.h"

#include "clock.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum kind {
  KIND_COUNT,       /* a sum, as it is */
  KIND_MONEY,       /* a sum of fen; yuan in the CSV */
  KIND_RATE,        /* a fraction, four decimals; a percentage in the CSV */
  KIND_SECS,        /* a mean in seconds, four decimals */
  KIND_MONEY_RATIO, /* fen, rounded half up; yuan in the CSV */
};

#define NO_DEN SIZE_MAX
#define COL(c) offsetof(struct db_stats_sums, c)

/* In enum stats_metric's order: the definitions of docs/data.md. */
static const struct metric {
  const char *name, *zh;
  enum kind kind;
  size_t num, den;
} metrics[STATS_METRIC_COUNT] = {
    {"gmv_cents", "成交金额(元)", KIND_MONEY, COL(gmv_cents), NO_DEN},
    {"orders", "成交订单数", KIND_COUNT, COL(orders), NO_DEN},
    {"buyers", "成交买家数", KIND_COUNT, COL(buyers), NO_DEN},
    {"avg_order_value_cents", "客单价(元)", KIND_MONEY_RATIO, COL(gmv_cents), COL(buyers)},
    {"visitors", "访客数", KIND_COUNT, COL(uv), NO_DEN},
    {"page_views", "浏览量", KIND_COUNT, COL(pv), NO_DEN},
    {"conversion_rate", "成交转化率", KIND_RATE, COL(buyers), COL(uv)},
    {"uv_value_cents", "UV价值(元)", KIND_MONEY_RATIO, COL(gmv_cents), COL(uv)},
    {"refund_cents", "退款金额(元)", KIND_MONEY, COL(refund_cents), NO_DEN},
    {"refunds", "退款单数", KIND_COUNT, COL(refunds), NO_DEN},
    {"cs_buyers", "咨询人数", KIND_COUNT, COL(cs_buyers), NO_DEN},
    {"cs_rounds", "咨询轮次", KIND_COUNT, COL(cs_rounds), NO_DEN},
    {"reply_3min_rate", "3分钟人工回复率", KIND_RATE, COL(cs_rounds_3min), COL(cs_rounds)},
    {"avg_response_secs", "平均人工响应时长(秒)", KIND_SECS, COL(cs_response_secs), COL(cs_rounds)},
    {"inquiry_conversion_rate", "询单转化率", KIND_RATE, COL(cs_converted), COL(cs_buyers)},
    {"shipped", "发货订单数", KIND_COUNT, COL(shipped), NO_DEN},
    {"avg_ship_secs", "平均发货时长(秒)", KIND_SECS, COL(ship_secs), COL(shipped)},
    {"shipped_24h_rate", "24小时发货率", KIND_RATE, COL(shipped_24h), COL(shipped)},
    {"shipped_48h_rate", "48小时发货率", KIND_RATE, COL(shipped_48h), COL(shipped)},
    {"coupon_claims", "优惠券领取数", KIND_COUNT, COL(coupon_claims), NO_DEN},
    {"coupon_orders", "用券订单数", KIND_COUNT, COL(coupon_orders), NO_DEN},
    {"coupon_gmv_cents", "用券成交金额(元)", KIND_MONEY, COL(coupon_gmv_cents), NO_DEN},
    {"coupon_discount_cents", "优惠金额(元)", KIND_MONEY, COL(coupon_discount_cents), NO_DEN},
};

static int64_t column(const struct db_stats_sums *s, size_t off)
{
  int64_t v;
  memcpy(&v, (const char *)s + off, sizeof v);
  return v;
}

/* num / den * scale rounded half up; the sums are never negative. */
static int64_t half_up(int64_t num, int64_t den, int64_t scale)
{
  return (int64_t)(((__int128)num * scale * 2 + den) / ((__int128)den * 2));
}

/* A value of four decimals (v / 10000) as JSON number text, without
 * trailing zeros: "0.4286", "0.5", "1". */
static void decimal4(int64_t v, char out[32])
{
  int n = snprintf(out, 32, "%lld.%04lld", (long long)(v / 10000), (long long)(v % 10000));
  while (n > 0 && out[n - 1] == '0')
    out[--n] = '\0';
  if (n > 0 && out[n - 1] == '.')
    out[--n] = '\0';
}

void stats_view_ratio(struct jsonout *j, const char *key, int64_t num, int64_t den)
{
  jsonout_key(j, key);
  if (den <= 0) {
    jsonout_null(j);
    return;
  }
  char text[32];
  decimal4(half_up(num, den, 10000), text);
  jsonout_raw(j, text);
}

void stats_view_money_ratio(struct jsonout *j, const char *key, int64_t num, int64_t den)
{
  if (den <= 0)
    jsonout_field_int_or_null(j, key, 0);
  else
    jsonout_field_int(j, key, half_up(num, den, 1));
}

static void metric_json(struct jsonout *j, const struct metric *m, const struct db_stats_sums *s)
{
  int64_t num = column(s, m->num), den = m->den == NO_DEN ? 0 : column(s, m->den);
  switch (m->kind) {
  case KIND_COUNT:
  case KIND_MONEY:
    jsonout_field_int(j, m->name, num);
    break;
  case KIND_RATE:
  case KIND_SECS:
    stats_view_ratio(j, m->name, num, den);
    break;
  case KIND_MONEY_RATIO:
    stats_view_money_ratio(j, m->name, num, den);
    break;
  }
}

void stats_view_metrics(struct jsonout *j, const struct db_stats_sums *s, uint32_t mask)
{
  for (int i = 0; i < STATS_METRIC_COUNT; i++)
    if (mask & (UINT32_C(1) << i))
      metric_json(j, &metrics[i], s);
}

void stats_view_metrics_object(struct jsonout *j, const char *key, const struct db_stats_sums *s)
{
  jsonout_key(j, key);
  jsonout_begin_object(j);
  stats_view_metrics(j, s, STATS_ALL_METRICS);
  jsonout_end_object(j);
}

bool stats_view_parse_metrics(const char *text, uint32_t *mask, const char **bad)
{
  *mask = 0;
  for (const char *p = text;; p++) {
    size_t n = strcspn(p, ",");
    int found = -1;
    for (int i = 0; i < STATS_METRIC_COUNT && n > 0; i++)
      if (strlen(metrics[i].name) == n && memcmp(metrics[i].name, p, n) == 0)
        found = i;
    if (found < 0) {
      *bad = n == 0 ? "must be a comma-separated list of metrics"
                    : "names a metric this endpoint does not have";
      return false;
    }
    *mask |= UINT32_C(1) << found;
    p += n;
    if (*p == '\0')
      return true;
  }
}

void stats_view_metric_names(struct jsonout *j, uint32_t mask)
{
  jsonout_begin_array(j);
  for (int i = 0; i < STATS_METRIC_COUNT; i++)
    if (mask & (UINT32_C(1) << i))
      jsonout_string(j, metrics[i].name);
  jsonout_end_array(j);
}

void stats_view_date(struct jsonout *j, const char *key, int64_t day)
{
  char text[CLOCK_DATE_SIZE];
  clock_format_date(day, text);
  jsonout_field_string(j, key, text);
}

void stats_view_head(struct jsonout *j, const struct db_stats_head *h, bool window)
{
  jsonout_field_time_or_null(j, "as_of", h->as_of);
  if (window) {
    stats_view_date(j, "from", h->from);
    stats_view_date(j, "to", h->to);
  }
}

void stats_view_service(struct jsonout *j, int64_t writers, int64_t converted,
                        const struct db_stats_sums *s)
{
  jsonout_field_int(j, "cs_buyers", writers);
  jsonout_field_int(j, "cs_converted", converted);
  stats_view_ratio(j, "inquiry_conversion_rate", converted, writers);
  jsonout_field_int(j, "cs_rounds", s->cs_rounds);
  jsonout_field_int(j, "rounds_3min", s->cs_rounds_3min);
  stats_view_ratio(j, "reply_3min_rate", s->cs_rounds_3min, s->cs_rounds);
  stats_view_ratio(j, "avg_response_secs", s->cs_response_secs, s->cs_rounds);
}

/* ------------------------------------------------------------------ */
/* CSV */

static void yuan_cell(struct csv *c, int64_t cents)
{
  char text[32];
  snprintf(text, sizeof text, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
  csv_cell(c, text);
}

static void metric_cell(struct csv *c, const struct metric *m, const struct db_stats_sums *s)
{
  int64_t num = column(s, m->num), den = m->den == NO_DEN ? 0 : column(s, m->den);
  char text[32];
  if (m->den != NO_DEN && den <= 0) {
    csv_cell(c, NULL);
    return;
  }
  switch (m->kind) {
  case KIND_COUNT:
    csv_cell_int(c, num);
    break;
  case KIND_MONEY:
    yuan_cell(c, num);
    break;
  case KIND_MONEY_RATIO:
    yuan_cell(c, half_up(num, den, 1));
    break;
  case KIND_RATE: {
    int64_t v = half_up(num, den, 10000); /* the JSON's figure, as a percentage */
    snprintf(text, sizeof text, "%lld.%02lld%%", (long long)(v / 100), (long long)(v % 100));
    csv_cell(c, text);
    break;
  }
  case KIND_SECS:
    decimal4(half_up(num, den, 10000), text);
    csv_cell(c, text);
    break;
  }
}

void stats_view_csv_header(struct csv *c, uint32_t mask)
{
  csv_cell(c, "日期");
  for (int i = 0; i < STATS_METRIC_COUNT; i++)
    if (mask & (UINT32_C(1) << i))
      csv_cell(c, metrics[i].zh);
  csv_end_row(c);
}

void stats_view_csv_row(struct csv *c, int64_t day, const struct db_stats_sums *s, uint32_t mask)
{
  char date[CLOCK_DATE_SIZE];
  clock_format_date(day, date);
  csv_cell(c, date);
  for (int i = 0; i < STATS_METRIC_COUNT; i++)
    if (mask & (UINT32_C(1) << i))
      metric_cell(c, &metrics[i], s);
  csv_end_row(c);
}
