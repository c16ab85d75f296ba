/* Visitor events (migrations/0030_data.sql, docs/data.md "Visitor
 * events"): storing a batch of views, and the daily partitions of
 * page_views that hold them. */
#ifndef MERCHANTD_DB_PAGE_VIEWS_H
#define MERCHANTD_DB_PAGE_VIEWS_H

#include "db.h"

#include <stdint.h>

/* The most views one call stores. */
#define DB_PAGE_VIEWS_BATCH_MAX 100

/* The outcome of one view of a batch: result is "stored", "duplicate" or
 * the reason it was refused ("at_out_of_window", "unknown_shop",
 * "unknown_product"), valid only during the call. */
typedef void (*db_page_view_result_fn)(int64_t index, const char *result, void *arg);

/* Checks and stores the views of views_json in one statement (the SQL
 * function views_ingest), creating the partitions of their days when
 * they are missing. account_id: the signed-in buyer, 0 for an anonymous
 * visitor (each view then names its visitor_id). views_json: [{"shop_id",
 * "product_id" (or null), "visitor_id" (or null), "at" (microseconds),
 * "source"}]. fn gets each view's outcome, in order. */
enum db_status db_page_views_ingest(int64_t account_id, const char *views_json, int64_t now,
                                    db_page_view_result_fn fn, void *arg);

/* Creates the missing partitions of the MERCHANTD_TZ days from the day of
 * from to the day of to (microseconds); *created says how many. */
enum db_status db_page_views_partitions_ensure(int64_t from, int64_t to, int64_t *created);

/* Drops the partitions wholly before the instant before; *dropped says how
 * many. */
enum db_status db_page_views_partitions_drop(int64_t before, int64_t *dropped);

#endif
