/* The reconciliation of the funds ledger, shared by `merchantd funds check`
 * and the nightly funds_check job: one SQL function per invariant
 * (db/sql/funds_check_*.sql), each run as one statement so that it sees
 * one snapshot while postings go on, each returning a row per difference. */
#ifndef MERCHANTD_DB_FUNDS_CHECK_H
#define MERCHANTD_DB_FUNDS_CHECK_H

#include "db.h"

#include <stdint.h>

/* A difference: the check that found it (trial_balance, balances,
 * running_balances, held, pending, settlements, holds), what it concerns
 * and what differs. */
typedef void (*db_funds_difference_fn)(const char *check, const char *subject, const char *detail,
                                       void *arg);

/* Runs every check, calling fn for each difference; *differences counts
 * them. DB_NONE when every check ran, or the first failure (the checks
 * after it do not run). */
enum db_status db_funds_check(db_funds_difference_fn fn, void *arg, int64_t *differences);

/* Records a run (source "job" or "cli") for the metric. */
enum db_status db_funds_check_record(int64_t now, const char *source, int64_t differences,
                                     int64_t duration_ms);

/* The latest run: DB_ONE with its differences and time (microseconds),
 * DB_NONE when there has been none. */
enum db_status db_funds_check_last(int64_t *differences, int64_t *checked_at);

#endif
