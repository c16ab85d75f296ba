/* /livez, /readyz and /metrics, for load balancers and Prometheus. */
#include "clock.h"
#include "events.h"
#include "funds_check.h"
#include "handlers.h"
#include "metrics.h"
#include "migrate.h"
#include "reply.h"

#include <stdio.h>

enum MHD_Result h_ops_livez(struct http_request *rq)
{
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

/* Ready when PostgreSQL answers and its schema is exactly what this binary
 * was built for. */
enum MHD_Result h_ops_readyz(struct http_request *rq)
{
  struct migrate_state ms;
  enum db_status st = migrate_state_get(&ms);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (ms.pending > 0 || ms.functions_stale > 0 || ms.mismatch || ms.unknown ||
      ms.functions_unknown) {
    char detail[128];
    snprintf(detail, sizeof detail, "%s",
             ms.mismatch || ms.unknown || ms.functions_unknown
                 ? "the database schema does not match this build"
                 : "database migrations or SQL function files are pending");
    return reply_problem_retry(rq, PROBLEM_NOT_READY, detail, 5);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "ready"));
}

enum MHD_Result h_ops_metrics(struct http_request *rq)
{
  int64_t active = -1;
  if (db_sessions_active(clock_now_us(), &active) < DB_NONE)
    active = -1;
  /* The latest funds reconciliation, whichever instance or command ran it
   * (left out until there has been one). */
  int64_t differences = -1, checked_at = -1;
  if (db_funds_check_last(&differences, &checked_at) != DB_ONE)
    differences = checked_at = -1;
  const struct metrics_gauge gauges[] = {
      {"merchantd_sessions_active", "Live, unexpired login sessions (all instances).", active},
      {"merchantd_event_streams_open", "Event streams (GET /v1/events) open on this instance.",
       events_open_streams()},
      {"merchantd_funds_check_failures",
       "Differences the latest funds check found (0: the ledger reconciles).", differences},
      {"merchantd_funds_check_last_run_timestamp_seconds",
       "When the latest funds check ran, in seconds since the epoch.",
       checked_at < 0 ? -1 : checked_at / CLOCK_US_PER_SEC},
  };
  size_t len;
  char *text = metrics_render(gauges, sizeof gauges / sizeof gauges[0], &len);
  if (text == NULL)
    return MHD_NO;
  return reply_text_steal(rq, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", NULL, text,
                          len);
}
