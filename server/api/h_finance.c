/* The platform's finance desk (staff with finance):
 *   GET  /v1/platform/funds/withdrawals/pending        awaiting approval, oldest first
 *   POST /v1/platform/funds/withdrawals/{id}/approve
 *   POST /v1/platform/funds/withdrawals/{id}/reject    {"reason"}
 *   POST /v1/platform/funds/adjustments                {"shop_id", "account", "platform_account",
 *                                                       "direction", "amount_cents", "reason"}
 *   GET  /v1/platform/funds/adjustments                ?status, newest first
 *   POST /v1/platform/funds/adjustments/{id}/approve   by another staff member (four eyes)
 *   POST /v1/platform/funds/adjustments/{id}/reject    {"reason"}
 *   GET  /v1/platform/funds/audit                      ?shop_id&object&object_id, newest first
 * Each decision is in funds_audit with who made it; the rules (who may
 * decide, what state) are the SQL functions'. */
#include "clock.h"
#include "config.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "payouts.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <stdio.h>
#include <string.h>

#define PENDING_CURSOR     'p'
#define ADJUSTMENTS_CURSOR 'a'
#define AUDIT_CURSOR       'u'
#define ADJUSTMENT_MAX     INT64_C(100000000000)
#define REASON_MAX         500

/* {"reason"}: required, 1 to 500 characters. */
static enum http_step read_reason(struct http_request *rq, const char **reason)
{
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("reason", reason, 1, REASON_MAX, JSONIN_REQUIRED, .check = jsonin_not_blank),
  };
  return jsonin_read(rq, fields, JSONIN_COUNT(fields));
}

static void write_withdrawal(const struct db_withdrawal *w, void *arg)
{
  view_withdrawal(arg, w);
}

enum MHD_Result h_finance_withdrawals_pending(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, PENDING_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_withdrawals_awaiting(after.id, (int)limit + 1, view_withdrawal_row, &pg);
  return page_reply_read(rq, &pg, st, PENDING_CURSOR);
}

/* A decision's reply: the object written, or the code's problem. */
static enum MHD_Result decided(struct http_request *rq, enum db_status st, const char *code,
                               struct jsonout *out, const char *missing)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0 && out->len > 0)
    return reply_jsonout(rq, MHD_HTTP_OK, out);
  jsonout_free(out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0 || strcmp(code, "ok") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, missing, NULL);
  if (strcmp(code, "invalid_state") == 0)
    return reply_problem(rq, PROBLEM_INVALID_STATE, "it was decided already", NULL);
  return reply_problem_code(rq, code, NULL);
}

#define NO_PENDING_WITHDRAWAL "no withdrawal awaiting approval has this id"

enum MHD_Result h_finance_withdrawal_approve(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_withdrawal_approve(rq->session.account.id, rq->ids[0], clock_now_us(),
                                            code, write_withdrawal, &out);
  return decided(rq, st, code, &out, NO_PENDING_WITHDRAWAL);
}

enum MHD_Result h_finance_withdrawal_reject(struct http_request *rq)
{
  const char *reason = NULL;
  enum http_step step = read_reason(rq, &reason);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_withdrawal_cancel(0, 0, rq->ids[0], rq->session.account.id, reason,
                                           clock_now_us(), code, write_withdrawal, &out);
  return decided(rq, st, code, &out, NO_PENDING_WITHDRAWAL);
}

static const char *account_problem(const char *s)
{
  return strcmp(s, "available") == 0 || strcmp(s, "deposit") == 0 || strcmp(s, "promotion") == 0
             ? NULL
             : "must be \"available\", \"deposit\" or \"promotion\"";
}

static const char *platform_account_problem(const char *s)
{
  return strcmp(s, "fee_revenue") == 0 || strcmp(s, "platform_promotion") == 0
             ? NULL
             : "must be \"fee_revenue\" or \"platform_promotion\"";
}

static const char *direction_problem(const char *s)
{
  return strcmp(s, "credit") == 0 || strcmp(s, "debit") == 0 ? NULL
                                                             : "must be \"credit\" or \"debit\"";
}

static void write_adjustment(const struct db_adjustment *a, void *arg)
{
  view_adjustment(arg, a);
}

enum MHD_Result h_finance_adjustments_create(struct http_request *rq)
{
  struct db_adjustment a = {0};
  const struct jsonin_field fields[] = {
      JSONIN_INT("shop_id", &a.shop_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_TEXT("account", &a.account, 1, 16, JSONIN_REQUIRED, .check = account_problem),
      JSONIN_TEXT("platform_account", &a.platform_account, 1, 32, JSONIN_REQUIRED,
                  .check = platform_account_problem),
      JSONIN_TEXT("direction", &a.direction, 1, 8, JSONIN_REQUIRED, .check = direction_problem),
      JSONIN_INT("amount_cents", &a.amount_cents, 1, ADJUSTMENT_MAX, JSONIN_REQUIRED),
      JSONIN_TEXT("reason", &a.reason, 1, REASON_MAX, JSONIN_REQUIRED, .check = jsonin_not_blank),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_adjustment_create(rq->session.account.id, &a, config.adjustment_approval_cents,
                           clock_now_us(), code, write_adjustment, &out);
  if (st >= DB_NONE && strcmp(code, "ok") == 0 && out.len > 0)
    return reply_jsonout(rq, MHD_HTTP_CREATED, &out);
  return decided(rq, st, code, &out, "no such shop");
}

static void write_adjustment_row(const struct db_adjustment *a, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, a->id))
    view_adjustment(&pg->out, a);
}

enum MHD_Result h_finance_adjustments_list(struct http_request *rq)
{
  static const char *const statuses[] = {"pending_approval", "posted", "rejected", NULL};
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step =
      query_status_page(rq, statuses, &status, ADJUSTMENTS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_adjustments_page(status >= 0 ? statuses[status] : NULL, after.id,
                                          (int)limit + 1, write_adjustment_row, &pg);
  return page_reply_read(rq, &pg, st, ADJUSTMENTS_CURSOR);
}

static enum MHD_Result adjustment_decide(struct http_request *rq, bool approve, const char *reason)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_adjustment_decide(rq->session.account.id, rq->ids[0], approve, reason,
                                           clock_now_us(), code, write_adjustment, &out);
  return decided(rq, st, code, &out, "no such adjustment");
}

enum MHD_Result h_finance_adjustment_approve(struct http_request *rq)
{
  return adjustment_decide(rq, true, NULL);
}

enum MHD_Result h_finance_adjustment_reject(struct http_request *rq)
{
  const char *reason = NULL;
  enum http_step step = read_reason(rq, &reason);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  return adjustment_decide(rq, false, reason);
}

static void write_audit_row(const struct db_audit_entry *e, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, e->id))
    view_audit_entry(&pg->out, e);
}

enum MHD_Result h_finance_audit(struct http_request *rq)
{
  static const char *const objects[] = {"withdrawal", "adjustment", "bank_account", "topup", NULL};
  int object = -1;
  int64_t shop_id = 0, object_id = 0, limit = QUERY_LIMIT_DEFAULT;
  const char *cursor_text = NULL;
  const struct query_param params[] = {
      QUERY_INT("shop_id", &shop_id, 1, INT64_MAX),
      QUERY_ENUM("object", &object, objects),
      QUERY_INT("object_id", &object_id, 1, INT64_MAX),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor_text),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  struct cursor after = {0, 0};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, AUDIT_CURSOR, cursor_text, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_funds_audit_page(shop_id, object >= 0 ? objects[object] : NULL, object_id,
                                          after.id, (int)limit + 1, write_audit_row, &pg);
  return page_reply_read(rq, &pg, st, AUDIT_CURSOR);
}
