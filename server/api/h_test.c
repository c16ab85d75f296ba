/* Test-mode routes (MERCHANTD_TEST_MODE=1 only; the router hides them
 * otherwise): freeze the clock, run background jobs now, stream a reply. */
#include "clock.h"
#include "handlers.h"
#include "jobs.h"
#include "jsonin.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <stdlib.h>
#include <string.h>

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

/* What a streamed reply has left to send. */
struct test_stream {
  uint64_t left;
};

static ssize_t test_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct test_stream *s = cls;
  if (s->left == 0)
    return MHD_CONTENT_READER_END_OF_STREAM;
  size_t n = s->left < max ? (size_t)s->left : max;
  memset(buf, 'x', n);
  s->left -= n;
  return (ssize_t)n;
}

/* POST /v1/test/stream?bytes=N: N bytes of text through a content reader,
 * the way the CSV export and the event stream reply, on a route that takes
 * an Idempotency-Key: what such a reply does to the request's transaction
 * is tested against it. */
enum MHD_Result h_test_stream(struct http_request *rq)
{
  int64_t bytes = 1024;
  const struct query_param params[] = {
      QUERY_INT("bytes", &bytes, 0, INT64_C(1) << 30),
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct test_stream *s = malloc(sizeof *s);
  if (s == NULL)
    return MHD_NO;
  s->left = (uint64_t)bytes;
  struct MHD_Response *resp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, test_stream_read, s, free);
  if (resp == NULL) {
    free(s);
    return MHD_NO;
  }
  MHD_add_response_header(resp, "X-Request-Id", rq->request_id);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  rq->status = MHD_HTTP_OK;
  enum MHD_Result ret = MHD_queue_response(rq->conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  return ret;
}
