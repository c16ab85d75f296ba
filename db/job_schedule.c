#include "job_schedule.h"

#include "db_internal.h"

enum db_status db_job_claim(const char *name, int64_t now, int64_t interval_us, bool force)
{
  /* ON CONFLICT DO UPDATE locks the row: of two instances racing for a due
   * job, the second re-checks the WHERE against the first's update. */
  static struct db_stmt q =
      DB_STMT(4, "INSERT INTO job_schedule AS j (name, next_run_at, last_run_at)"
                 " VALUES ($1, us_to_ts($2 + $3::bigint), us_to_ts($2))"
                 " ON CONFLICT (name) DO UPDATE"
                 " SET next_run_at = EXCLUDED.next_run_at, last_run_at = EXCLUDED.last_run_at"
                 " WHERE j.next_run_at <= us_to_ts($2) OR $4::boolean");
  char nowb[DB_INT64_SIZE], intb[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){name, db_param_int64(nowb, now),
                                     db_param_int64(intb, interval_us), force ? "true" : "false"});
}

enum db_status db_job_finished(const char *name, int64_t duration_ms)
{
  static struct db_stmt q =
      DB_STMT(2, "UPDATE job_schedule SET last_duration_ms = $2 WHERE name = $1");
  char db[DB_INT64_SIZE];
  return db_run(&q, (const char *[]){name, db_param_int64(db, duration_ms)});
}
