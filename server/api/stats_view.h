/* The data pages' figures (docs/data.md) from the rollups' sums: the one
 * place where a metric is computed from summed columns and written, as
 * JSON or as a CSV cell. Every ratio is Σ numerator / Σ denominator, null
 * when the denominator is 0; rates and seconds are numbers rounded half up
 * to four decimals, money ratios integer fen rounded half up. */
#ifndef MERCHANTD_STATS_VIEW_H
#define MERCHANTD_STATS_VIEW_H

#include "csv.h"
#include "jsonout.h"
#include "stats_read.h"

#include <stdbool.h>
#include <stdint.h>

/* The metrics of a day, an hour or a period, in the order replies list
 * them; a set of them is a mask of 1 << enum stats_metric. */
enum stats_metric {
  STATS_GMV_CENTS,
  STATS_ORDERS,
  STATS_BUYERS,
  STATS_AVG_ORDER_VALUE_CENTS,
  STATS_VISITORS,
  STATS_PAGE_VIEWS,
  STATS_CONVERSION_RATE,
  STATS_UV_VALUE_CENTS,
  STATS_REFUND_CENTS,
  STATS_REFUNDS,
  STATS_CS_BUYERS,
  STATS_CS_ROUNDS,
  STATS_REPLY_3MIN_RATE,
  STATS_AVG_RESPONSE_SECS,
  STATS_INQUIRY_CONVERSION_RATE,
  STATS_SHIPPED,
  STATS_AVG_SHIP_SECS,
  STATS_SHIPPED_24H_RATE,
  STATS_SHIPPED_48H_RATE,
  STATS_COUPON_CLAIMS,
  STATS_COUPON_ORDERS,
  STATS_COUPON_GMV_CENTS,
  STATS_COUPON_DISCOUNT_CENTS,
  STATS_METRIC_COUNT
};
#define STATS_ALL_METRICS ((UINT32_C(1) << STATS_METRIC_COUNT) - 1)

/* A comma-separated list of metric names into a mask; false (and *bad
 * pointing at a static message) when a name is unknown or empty. */
bool stats_view_parse_metrics(const char *text, uint32_t *mask, const char **bad);
/* The names of the mask's metrics, as a JSON array. */
void stats_view_metric_names(struct jsonout *j, uint32_t mask);

/* The metrics of the mask as fields of the open object. */
void stats_view_metrics(struct jsonout *j, const struct db_stats_sums *s, uint32_t mask);
/* As an object: key {metrics}. */
void stats_view_metrics_object(struct jsonout *j, const char *key, const struct db_stats_sums *s);

/* Ratios: num / den rounded half up to four decimals (null when den is 0). */
void stats_view_ratio(struct jsonout *j, const char *key, int64_t num, int64_t den);
/* Money ratios: num / den fen rounded half up (null when den is 0). */
void stats_view_money_ratio(struct jsonout *j, const char *key, int64_t num, int64_t den);

/* A date (days since 1970-01-01) as "YYYY-MM-DD". */
void stats_view_date(struct jsonout *j, const char *key, int64_t day);
/* as_of (null when never folded), from and to. */
void stats_view_head(struct jsonout *j, const struct db_stats_head *h, bool window);

/* Customer service figures: writers and converted (distinct over the
 * period) with the rounds of s. */
void stats_view_service(struct jsonout *j, int64_t writers, int64_t converted,
                        const struct db_stats_sums *s);

/* The daily CSV: its header row (日期 and the mask's metrics, zh-CN) and a
 * day's row: money in yuan with two decimals, rates as percentages, an
 * undefined ratio an empty cell. */
void stats_view_csv_header(struct csv *c, uint32_t mask);
void stats_view_csv_row(struct csv *c, int64_t day, const struct db_stats_sums *s, uint32_t mask);

#endif
