/* Background jobs. Each job has a schedule row in PostgreSQL; an instance
 * runs a due job only after winning a conditional update of that row, so
 * several instances never run the same job twice. */
#ifndef MERCHANTD_JOBS_H
#define MERCHANTD_JOBS_H

#include <stdbool.h>

/* What must be ready before requests come, run once on the calling thread
 * at start: the partitions of page_views around today. False when it
 * failed (the server still serves; the job tries again). */
bool jobs_prepare(void);
/* Starts the thread that looks for due jobs every config.job_interval_seconds. */
bool jobs_start(void);
void jobs_stop(void);
/* Runs every job now, on the calling thread, whatever its schedule says
 * (test mode). False when a job failed. */
bool jobs_run_all(void);

#endif
