#include "stats_view.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void expect(struct jsonout *j, const char *want)
{
  size_t len;
  char *text = jsonout_take(j, &len);
  CHECK(text != NULL && strcmp(text, want) == 0);
  if (text != NULL && strcmp(text, want) != 0)
    fprintf(stderr, "  got:  %s\n  want: %s\n", text, want);
  free(text);
}

static void ratio(int64_t num, int64_t den, const char *want)
{
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_ratio(&j, "r", num, den);
  jsonout_end_object(&j);
  char text[64];
  snprintf(text, sizeof text, "{\"r\":%s}", want);
  expect(&j, text);
}

static void money_ratio(int64_t num, int64_t den, const char *want)
{
  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  stats_view_money_ratio(&j, "m", num, den);
  jsonout_end_object(&j);
  char text[64];
  snprintf(text, sizeof text, "{\"m\":%s}", want);
  expect(&j, text);
}

/* Ratios: four decimals rounded half up, as short JSON numbers; a zero
 * denominator is null. Money ratios: whole fen, half up. */
static void ratios(void)
{
  ratio(3, 7, "0.4286");
  ratio(1, 3, "0.3333");
  ratio(2, 3, "0.6667");
  ratio(1, 8, "0.125");
  ratio(1, 2, "0.5");
  ratio(7, 7, "1");
  ratio(0, 5, "0");
  ratio(1, 20000, "0.0001"); /* 0.00005: half up */
  ratio(1, 20001, "0");
  ratio(3, 2, "1.5");
  ratio(960, 3, "320");
  ratio(1000, 3, "333.3333");
  ratio(5, 0, "null");
  ratio(INT64_C(9000000000000), 1, "9000000000000");
  money_ratio(5, 2, "3");
  money_ratio(7, 3, "2");
  money_ratio(1370, 10, "137");
  money_ratio(10259, 10, "1026");
  money_ratio(0, 4, "0");
  money_ratio(100, 0, "null");
}

static void metrics(void)
{
  uint32_t mask = 0;
  const char *bad = NULL;
  CHECK(stats_view_parse_metrics("visitors,gmv_cents", &mask, &bad));
  CHECK(mask == ((UINT32_C(1) << STATS_VISITORS) | (UINT32_C(1) << STATS_GMV_CENTS)));
  CHECK(stats_view_parse_metrics("coupon_discount_cents", &mask, &bad));
  CHECK(mask == UINT32_C(1) << STATS_COUPON_DISCOUNT_CENTS);
  const char *refused[] = {"",           ",",
                           "gmv_cents,", ",gmv_cents",
                           "gmv",        "gmv_cents,,orders",
                           "GMV_CENTS",  "gmv_cents orders"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    bad = NULL;
    CHECK(!stats_view_parse_metrics(refused[i], &mask, &bad) && bad != NULL);
  }

  /* Names in the order of the metrics, whatever the order asked. */
  struct jsonout j = JSONOUT_INIT;
  stats_view_metric_names(&j, (UINT32_C(1) << STATS_VISITORS) | (UINT32_C(1) << STATS_ORDERS));
  expect(&j, "[\"orders\",\"visitors\"]");

  struct db_stats_read_sums s = {.gmv_cents = 12345, .buyers = 3, .uv = 7};
  jsonout_begin_object(&j);
  stats_view_metrics(&j, &s,
                     (UINT32_C(1) << STATS_GMV_CENTS) | (UINT32_C(1) << STATS_CONVERSION_RATE) |
                         (UINT32_C(1) << STATS_UV_VALUE_CENTS) |
                         (UINT32_C(1) << STATS_REPLY_3MIN_RATE));
  jsonout_end_object(&j);
  expect(&j, "{\"gmv_cents\":12345,\"conversion_rate\":0.4286,\"uv_value_cents\":1764,"
             "\"reply_3min_rate\":null}");
}

/* The CSV: yuan with two decimals, rates in percent, empty for null. */
static void csv_rows(void)
{
  struct csv c = CSV_INIT;
  uint32_t mask = (UINT32_C(1) << STATS_GMV_CENTS) | (UINT32_C(1) << STATS_AVG_ORDER_VALUE_CENTS) |
                  (UINT32_C(1) << STATS_CONVERSION_RATE) |
                  (UINT32_C(1) << STATS_AVG_RESPONSE_SECS) | (UINT32_C(1) << STATS_REFUNDS);
  stats_view_csv_header(&c, mask);
  struct db_stats_read_sums s = {.gmv_cents = 12345, .buyers = 3, .uv = 7, .refunds = 2};
  stats_view_csv_row(&c, 20783, &s, mask);
  struct db_stats_read_sums t = {
      .gmv_cents = 5, .buyers = 2, .cs_rounds = 3, .cs_response_secs = 1000};
  stats_view_csv_row(&c, 20784, &t, mask);
  const char *want = "日期,成交金额(元),客单价(元),成交转化率,退款单数,平均人工响应时长(秒)\r\n"
                     "2026-11-26,123.45,41.15,42.86%,2,\r\n"
                     "2026-11-27,0.05,0.03,,0,333.3333\r\n";
  CHECK(!c.failed && c.len == strlen(want) && memcmp(c.data, want, c.len) == 0);
  if (c.len != strlen(want) || memcmp(c.data, want, c.len) != 0)
    fprintf(stderr, "  got:  %.*s\n  want: %s\n", (int)c.len, c.data, want);
  csv_free(&c);
}

int main(void)
{
  ratios();
  metrics();
  csv_rows();
  return unit_report("stats_view");
}
