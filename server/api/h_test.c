/* Test-mode routes (MERCHANTD_TEST_MODE=1 only; the router hides them
 * otherwise): freeze the clock, run background jobs now. */
#include "clock.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonin.h"
#include "reply.h"
#include "view.h"

enum MHD_Result h_test_clock_set(struct http_request *rq)
{
  int64_t now = 0;
  json_t *given = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TIME("now", &now, JSONIN_REQUIRED | JSONIN_NULLABLE, .json = &given),
  };
  enum http_step step = jsonin_read(rq, fields, 1);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  bool frozen = !json_is_null(given);
  if (frozen)
    clock_freeze(now);
  else
    clock_unfreeze();
  return reply_json_steal(
      rq, MHD_HTTP_OK, json_pack("{s:o, s:b}", "now", view_time(clock_now_us()), "frozen", frozen));
}

enum MHD_Result h_test_jobs_run(struct http_request *rq)
{
  if (!jobs_run_all())
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, "a background job failed", NULL);
  return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "done"));
}
