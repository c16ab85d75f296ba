/* The job schedule table. */
#ifndef MERCHANTD_DB_JOB_SCHEDULE_H
#define MERCHANTD_DB_JOB_SCHEDULE_H

#include "db.h"

#include <stdint.h>

/* Claims the job when it is due at `now` (or has never run) and moves its
 * next run to now + interval_us. DB_ONE: claimed; DB_NONE: not due or
 * claimed by another instance. force claims it whatever the schedule. */
enum db_status db_job_claim(const char *name, int64_t now, int64_t interval_us, bool force);
enum db_status db_job_finished(const char *name, int64_t duration_ms);

#endif
