/* The rollup worker of the data pages (docs/data.md): folding what changed
 * since the last fold, rebuilding from the raw rows, checking that the two
 * agree and pruning what the pages no longer read. The SQL is in
 * db/sql/stats_*.sql; the reads of the data pages are in stats_read.h. */
#ifndef MERCHANTD_DB_STATS_H
#define MERCHANTD_DB_STATS_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* One fold at `now` (microseconds): DB_ONE with *as_of, the instant the
 * figures are complete to, or 0 when another fold or a rebuild was running
 * (it takes in the same writes; this one does not wait for it). */
enum db_status db_stats_fold(int64_t now, int64_t *as_of);

/* Starts rebuilding the rollups of shop_id (0: every shop) from the day
 * `from` ("YYYY-MM-DD", NULL: its first day with data) to today; the steps
 * do the work. *busy when another rebuild is in progress (step it to its
 * end first); not when the one in progress covers this one. The first
 * fold ever starts one of every shop by itself. */
enum db_status db_stats_rebuild_start(int64_t shop_id, const char *from, int64_t now, bool *busy);

/* Rebuilds the next day of the rebuild in progress, in a transaction of
 * its own: day gets it ("YYYY-MM-DD"), or "" when none is in progress. */
enum db_status db_stats_rebuild_step(int64_t now, char day[11]);

/* A difference between the rollups and a rebuild: the rollup table and
 * the row, as the incremental rollups had it or as the rebuild made it. */
typedef void (*db_stats_difference_fn)(const char *rollup, const char *difference, void *arg);

/* Compares the rollups with a rebuild made in a transaction that is then
 * rolled back, calling fn for each differing row; *differences counts
 * them. *settled false: writes committed above the watermark (an older
 * transaction still ran), nothing was compared, try again; DB_SOFT_ERROR:
 * a fold elsewhere ran at the same time, try again. */
enum db_status db_stats_check(int64_t now, db_stats_difference_fn fn, void *arg, bool *settled,
                              int64_t *differences);

/* Deletes minute buckets and per-day state past their retention;
 * *deleted counts the rows. */
enum db_status db_stats_prune(int64_t now, int64_t *deleted);

#endif
