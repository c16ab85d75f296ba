/* The merchant's side of after-sales: a shop's requests, and approving,
 * rejecting and reshipping one. The rules (refunds never above what was
 * paid, the order closing once fully refunded, the 15-day reship window)
 * live in the SQL functions these call; a decision answers with the request
 * as it now stands. */
#include "after_sales.h"
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "logistics.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "tenancy.h"

#include <string.h>

/* The cursor kind of the after-sales list (newest first, by id). */
#define AFTER_SALES_CURSOR 'a'

static void write_after_sale(struct jsonout *j, const struct db_after_sale *a)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", a->id);
  jsonout_field_int(j, "order_id", a->order_id);
  jsonout_field_string(j, "order_sn", a->order_sn);
  jsonout_key(j, "buyer");
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", a->buyer_id);
  jsonout_field_string(j, "name", a->buyer_name);
  jsonout_end_object(j);
  jsonout_field_string(j, "type", a->type);
  jsonout_field_string(j, "reason", a->reason);
  jsonout_field_int(j, "amount_cents", a->amount_cents);
  jsonout_field_string(j, "status", a->status);
  jsonout_field_string(j, "reject_reason", a->reject_reason);
  jsonout_key(j, "logistics");
  if (a->carrier != NULL) {
    jsonout_begin_object(j);
    jsonout_field_string(j, "carrier", a->carrier);
    jsonout_field_string(j, "tracking_no", a->tracking_no);
    jsonout_end_object(j);
  } else {
    jsonout_null(j);
  }
  jsonout_field_time(j, "created_at", a->created_at);
  jsonout_field_time_or_null(j, "decided_at", a->decided_at);
  jsonout_field_time_or_null(j, "reshipped_at", a->reshipped_at);
  jsonout_field_time_or_null(j, "reship_deadline", a->reship_deadline);
  jsonout_end_object(j);
}

static void add_item(const struct db_after_sale *a, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, a->id))
    write_after_sale(&pg->out, a);
}

enum MHD_Result h_after_sales_list(struct http_request *rq)
{
  static const char *const statuses[] = {"requested", "approved",  "rejected",
                                         "refunded",  "reshipped", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, INT64_MAX}; /* no cursor: from the newest */
  enum http_step step =
      query_status_page(rq, statuses, &status, AFTER_SALES_CURSOR, &limit, &after);
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_after_sales_list(rq->ids[0], status >= 0 ? statuses[status] : NULL,
                                          after.id, limit + 1, add_item, &pg);
  return page_reply_read(rq, &pg, st, AFTER_SALES_CURSOR);
}

static void write_one(const struct db_after_sale *a, void *arg)
{
  write_after_sale(arg, a);
}

/* Answers a decision: the request as it now stands, or its result code.
 * The SQL function's invalid_field can only mean an unknown carrier, since
 * the tracking number's format was checked here already. */
static enum MHD_Result decided(struct http_request *rq, enum db_status st, const char *result,
                               struct jsonout *body)
{
  if (st >= DB_NONE && strcmp(result, "ok") == 0)
    return reply_jsonout(rq, MHD_HTTP_OK, body);
  jsonout_free(body);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(result, "not_found") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such after-sales request in this shop", NULL);
  if (strcmp(result, "invalid_field") == 0)
    return logistics_reply_unknown_carrier(rq);
  return reply_problem_code(rq, result, NULL);
}

enum MHD_Result h_after_sales_approve(struct http_request *rq)
{
  char result[DB_RESULT_CODE_SIZE];
  struct jsonout body = JSONOUT_INIT;
  enum db_status st = db_after_sale_approve(rq->session.account.id, rq->ids[0], rq->ids[1],
                                            clock_now_us(), result, write_one, &body);
  return decided(rq, st, result, &body);
}

enum MHD_Result h_after_sales_reject(struct http_request *rq)
{
  const char *reason = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("reason", &reason, 1, 500, JSONIN_REQUIRED, .check = jsonin_not_blank),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char result[DB_RESULT_CODE_SIZE];
  struct jsonout body = JSONOUT_INIT;
  enum db_status st = db_after_sale_reject(rq->session.account.id, rq->ids[0], rq->ids[1], reason,
                                           clock_now_us(), result, write_one, &body);
  return decided(rq, st, result, &body);
}

enum MHD_Result h_after_sales_reship(struct http_request *rq)
{
  const char *carrier = NULL, *tracking_no = NULL;
  enum http_step step = logistics_read(rq, &carrier, &tracking_no);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char result[DB_RESULT_CODE_SIZE];
  struct jsonout body = JSONOUT_INIT;
  enum db_status st = db_after_sale_reship(rq->session.account.id, rq->ids[0], rq->ids[1], carrier,
                                           tracking_no, clock_now_us(), result, write_one, &body);
  return decided(rq, st, result, &body);
}
