/* Paid promotion (migrations/0042_promotions.sql, docs/promotion.md):
 * plans and their keywords, buyer product search, the keyword auction of a
 * search, clicks and their billing, and the impression signing key. */
#ifndef MERCHANTD_DB_PROMOTIONS_H
#define MERCHANTD_DB_PROMOTIONS_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

#define DB_PROMOTION_KEY_SIZE 32

/* A plan's JSON (promotion_plan_json); NULL for SQL NULL. */
typedef void db_promotion_json_fn(const char *json, void *arg);
typedef void db_promotion_row_fn(int64_t id, const char *json, void *arg);

/* What a create (plan_id 0) or a change writes. Unset members keep the
 * plan's: product_id 0, name NULL, budget -1, !has_starts, !has_ends (or
 * clear_end to remove ends_at), keywords_json NULL (else a JSON array of
 * {"word", "bid_cents"} replacing every keyword). */
struct db_promotion_write {
  int64_t merchant_id, shop_id, plan_id, product_id;
  const char *name;
  int64_t budget_cents;
  bool has_starts, has_ends, clear_end;
  int64_t starts_at, ends_at;
  const char *keywords_json;
};

/* promotion_plan_write. code: "ok" (fn gets the plan), "not_found",
 * "invalid_product", "invalid_field" (ends_at not after starts_at),
 * "duplicate_in_batch" (a word twice). */
enum db_status db_promotion_plan_write(const struct db_promotion_write *w, int64_t now,
                                       char code[DB_RESULT_CODE_SIZE], db_promotion_json_fn *fn,
                                       void *arg);

/* One plan of a shop of the merchant. DB_NONE: no such plan. */
enum db_status db_promotion_plan_get(int64_t merchant_id, int64_t shop_id, int64_t plan_id,
                                     int64_t now, db_promotion_json_fn *fn, void *arg);

/* A page of the shop's plans, newest first (id below before_id; 0: from
 * the newest). DB_NONE: no such shop of the merchant. */
enum db_status db_promotion_plans_page(int64_t merchant_id, int64_t shop_id, int64_t before_id,
                                       int limit, int64_t now, db_promotion_row_fn *fn, void *arg);

/* Pauses or resumes a plan; fn gets it. DB_NONE: no such plan. */
enum db_status db_promotion_plan_pause(int64_t merchant_id, int64_t shop_id, int64_t plan_id,
                                       bool paused, int64_t now, db_promotion_json_fn *fn,
                                       void *arg);

/* A product of a search, organic or promoted. Strings valid only during
 * the callback. */
struct db_search_hit {
  int64_t id, shop_id;
  const char *title;
  int64_t price_cents, sales_30d;
  int64_t sort_key; /* organic: the cursor's key */
  /* Promoted only: */
  int64_t impression_id, plan_id, cost_cents;
};
typedef void db_search_hit_fn(const struct db_search_hit *h, void *arg);

/* Organic results (product_search): sort is relevance, sales, price or
 * -price; after the hit (key, id) when has_cursor. */
enum db_status db_product_search(const char *query, const char *sort, bool has_cursor, int64_t key,
                                 int64_t id, int limit, int64_t now, db_search_hit_fn *fn,
                                 void *arg);

/* Moves products.sales_30d to the 30 days ending today (product_sales_roll,
 * a job): changed is how many products it changed, 0 when the window was
 * already today's. */
enum db_status db_product_sales_roll(int64_t now, int64_t *changed);

/* The auction of a query (promotion_auction): at most slots winners, in
 * slot order, each counted as an impression. */
enum db_status db_promotion_auction(const char *query, int slots, int64_t now, db_search_hit_fn *fn,
                                    void *arg);

/* A verified click (promotion_click). code: "ok", "duplicate" (outcome is
 * the first click's), "not_found". outcome: charged, repeat_click,
 * daily_click_cap, budget_exhausted, insufficient_funds, not_serving. */
enum db_status db_promotion_click(int64_t impression_id, int64_t plan_id, int64_t price_cents,
                                  const char *visitor, int64_t buyer_id, int cap, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], char outcome[DB_RESULT_CODE_SIZE],
                                  int64_t *charged_cents);

/* The platform's impression key: the stored one, or fresh (32 bytes) when
 * none is stored yet. */
enum db_status db_promotion_key(const unsigned char fresh[DB_PROMOTION_KEY_SIZE], int64_t now,
                                unsigned char key[DB_PROMOTION_KEY_SIZE]);

/* The report of a shop of the merchant, or of its plan plan_id (0: every
 * plan), per day or per week (Monday to Sunday) of MERCHANTD_TZ, days since
 * 1970-01-01 from..to (promotion_report). code "ok": fn gets the report's
 * JSON, or with csv a JSON array of rows of CSV cells; "not_found": no such
 * shop of the merchant or plan of the shop. */
enum db_status db_promotion_report(int64_t merchant_id, int64_t shop_id, int64_t plan_id, bool week,
                                   int64_t from, int64_t to, int64_t now, bool csv,
                                   char code[DB_RESULT_CODE_SIZE], db_promotion_json_fn *fn,
                                   void *arg);

/* The report letters' job (promotion_report_letters): at a delivery hour
 * of zone, yesterday's and last week's reports as letters to the shops with
 * activity, once per period; *written is how many letters. */
enum db_status db_promotion_report_letters(int64_t now, const char *zone, int64_t *written);

#endif
