/* A shop's bank account and its withdrawals (提现), the merchant's side:
 *   PUT  /v1/shops/{id}/funds/bank-account           {"holder", "bank", "account_no"}
 *   GET  /v1/shops/{id}/funds/bank-account           the number masked
 *   POST /v1/shops/{id}/funds/withdrawals            {"amount_cents"}, Idempotency-Key required
 *   GET  /v1/shops/{id}/funds/withdrawals            newest first
 *   GET  /v1/shops/{id}/funds/withdrawals/{id}
 *   POST /v1/shops/{id}/funds/withdrawals/{id}/cancel while requested
 * The account number is sealed here (datakey) before it reaches the
 * database and is never written to a reply or the log; the payout job
 * opens it only to hand it to the provider. */
#include "clock.h"
#include "config.h"
#include "datakey.h"
#include "handlers.h"
#include "idempotency.h"
#include "jsonin.h"
#include "page.h"
#include "payout_job.h"
#include "payouts.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#define WITHDRAWALS_CURSOR 'w'
#define WITHDRAWAL_MAX     INT64_C(100000000000) /* a billion yuan */
#define ACCOUNT_NO_MIN     8
#define ACCOUNT_NO_MAX     30
#define NOT_FOUND_DETAIL   "no such withdrawal in this shop"

/* Names have no control characters: they are printed on payout orders. */
static const char *name_problem(const char *s)
{
  for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
    if (*c < 0x20 || *c == 0x7f)
      return "must not contain control characters";
  return jsonin_not_blank(s);
}

static const char *account_no_problem(const char *s)
{
  return s[strspn(s, "0123456789")] == '\0' ? NULL : "must be digits only";
}

static void write_bank_account(const struct db_bank_account *b, void *arg)
{
  view_bank_account(arg, b);
}

enum MHD_Result h_withdrawals_bank_account_put(struct http_request *rq)
{
  const char *holder = NULL, *bank = NULL, *account_no = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("holder", &holder, 1, 64, JSONIN_REQUIRED, .check = name_problem),
      JSONIN_TEXT("bank", &bank, 1, 64, JSONIN_REQUIRED, .check = name_problem),
      JSONIN_BYTES("account_no", &account_no, ACCOUNT_NO_MIN, ACCOUNT_NO_MAX, JSONIN_REQUIRED,
                   .check = account_no_problem),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!datakey_ready())
    return reply_problem(rq, PROBLEM_NOT_READY, "no data key is configured", NULL);
  struct db_bank_account b = {.holder = holder, .bank = bank};
  char key_id[DATAKEY_ID_SIZE], ad[PAYOUT_JOB_AD_SIZE], last4[5];
  size_t len = strlen(account_no);
  snprintf(last4, sizeof last4, "%s", account_no + len - 4);
  payout_job_account_ad(rq->ids[0], ad);
  datakey_seal((const unsigned char *)account_no, len, ad, key_id, b.nonce, b.box);
  b.box_len = len + DATAKEY_TAG_SIZE;
  b.key_id = key_id;
  b.last4 = last4;
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_bank_account_put(rq->session.account.id, rq->ids[0], &b, clock_now_us(),
                                          write_bank_account, &out);
  if (st <= DB_NONE) {
    jsonout_free(&out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

enum MHD_Result h_withdrawals_bank_account_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_bank_account_get(rq->session.account.id, rq->ids[0], write_bank_account, &out);
  if (st <= DB_NONE || out.len == 0) {
    jsonout_free(&out);
    return st < DB_NONE
               ? reply_db_error(rq, st)
               : reply_problem(rq, PROBLEM_NOT_FOUND,
                               st == DB_NONE ? "no such shop" : "no bank account yet", NULL);
  }
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

static void write_withdrawal(const struct db_withdrawal *w, void *arg)
{
  view_withdrawal(arg, w);
}

/* The withdrawal written (with status), or why there is none. */
static enum MHD_Result withdrawal_reply(struct http_request *rq, enum db_status st,
                                        const char *code, unsigned status, struct jsonout *out)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0 && out->len > 0)
    return reply_jsonout(rq, status, out);
  jsonout_free(out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0 || strcmp(code, "ok") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, NOT_FOUND_DETAIL, NULL);
  return reply_problem_code(rq, code, NULL);
}

enum MHD_Result h_withdrawals_create(struct http_request *rq)
{
  int64_t amount = 0;
  const struct jsonin_field fields[] = {
      JSONIN_INT("amount_cents", &amount, 1, WITHDRAWAL_MAX, JSONIN_REQUIRED),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  /* A withdrawal moves money out: a client that lost the reply must be able
   * to ask again without asking twice. */
  if (http_header(rq, IDEMPOTENCY_KEY_HEADER) == NULL)
    return reply_problem(rq, PROBLEM_IDEMPOTENCY_KEY_REQUIRED,
                         "send an Idempotency-Key header with a withdrawal", NULL);
  const struct db_withdrawal_rules rules = {
      .minimum_cents = config.withdrawal_min_cents,
      .approval_over_cents = config.withdrawal_approval_cents,
      .daily_limit = (int)config.withdrawal_daily_limit,
      .time_zone = config.time_zone,
  };
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_withdrawal_request(rq->session.account.id, rq->ids[0], amount, &rules,
                                            clock_now_us(), code, write_withdrawal, &out);
  if (st >= DB_NONE && strcmp(code, "below_minimum") == 0) {
    jsonout_free(&out);
    char message[64];
    snprintf(message, sizeof message, "must be at least %lld", config.withdrawal_min_cents);
    return reply_problem(
        rq, PROBLEM_INVALID_FIELD, "the amount is below the minimum withdrawal",
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", "amount_cents", "message", message));
  }
  if (st >= DB_NONE && strcmp(code, "not_found") == 0) {
    jsonout_free(&out);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return withdrawal_reply(rq, st, code, MHD_HTTP_CREATED, &out);
}

enum MHD_Result h_withdrawals_list(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, WITHDRAWALS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_withdrawals_page(rq->session.account.id, rq->ids[0], after.id,
                                          (int)limit + 1, view_withdrawal_row, &pg);
  if (st <= DB_NONE) {
    jsonout_free(&pg.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply(rq, &pg, WITHDRAWALS_CURSOR);
}

enum MHD_Result h_withdrawals_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_withdrawal_get(rq->session.account.id, rq->ids[0], rq->ids[1], write_withdrawal, &out);
  return withdrawal_reply(rq, st, "ok", MHD_HTTP_OK, &out);
}

enum MHD_Result h_withdrawals_cancel(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_withdrawal_cancel(rq->session.account.id, rq->ids[0], rq->ids[1], 0,
                                           "canceled by the merchant", clock_now_us(), code,
                                           write_withdrawal, &out);
  if (st >= DB_NONE && strcmp(code, "invalid_state") == 0) {
    jsonout_free(&out);
    return reply_problem(rq, PROBLEM_INVALID_STATE,
                         "only a withdrawal not yet submitted can be canceled", NULL);
  }
  return withdrawal_reply(rq, st, code, MHD_HTTP_OK, &out);
}
