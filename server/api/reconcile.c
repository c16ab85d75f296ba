#include "reconcile.h"

#include "clock.h"
#include "log.h"

enum db_status reconcile_run(const char *source, db_funds_difference_fn fn, void *arg,
                             int64_t *differences)
{
  int64_t now = clock_now_us(), started = clock_mono_us();
  enum db_status st = db_funds_check(fn, arg, differences);
  if (st < DB_NONE)
    return st;
  /* A run that could not be recorded still found what it found; the
   * metric then shows the run before it. */
  if (db_funds_check_record(now, source, *differences, (clock_mono_us() - started) / 1000) <
      DB_NONE)
    log_warn("could not record the funds check run");
  return st;
}
