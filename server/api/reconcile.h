/* The funds reconciliation, as the nightly job and `merchantd funds check`
 * run it: every check of db/funds_check.h, timed, and the run recorded so
 * that /metrics reports the latest whichever instance or command ran it. */
#ifndef MERCHANTD_RECONCILE_H
#define MERCHANTD_RECONCILE_H

#include "funds_check.h"

#include <stdint.h>

/* Runs the checks (fn sees each difference), then records the run as
 * source ("job" or "cli"). Returns the checks' status; *differences counts
 * what they found. */
enum db_status reconcile_run(const char *source, db_funds_difference_fn fn, void *arg,
                             int64_t *differences);

#endif
