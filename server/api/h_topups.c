/* Top-ups: a shop pays money in to its deposit (保证金) or promotion
 * account through the payment provider.
 *   POST /v1/shops/{id}/funds/topups                   {"account", "amount_cents"}
 *   GET  /v1/shops/{id}/funds/topups                   newest first
 *   GET  /v1/shops/{id}/funds/topups/{id}
 *   POST /v1/shops/{id}/funds/topups/{id}/sandbox-pay  the sandbox's payer pays
 *   POST /v1/payments/webhooks/{provider}              the provider's signed events
 * A top-up is only a promise until the provider's signed confirmation
 * arrives: only then does it post (topup_confirm, event topup:<id>), once,
 * whatever is delivered again. The sandbox delivers its confirmation
 * through the very path a webhook takes, signature check included. */
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "payouts.h"
#include "payprovider.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOPUPS_CURSOR    't'
#define TOPUP_MAX_CENTS  INT64_C(10000000000) /* a hundred million yuan */
#define NOT_FOUND_DETAIL "no such top-up in this shop"

static const char *account_problem(const char *s)
{
  return strcmp(s, "deposit") == 0 || strcmp(s, "promotion") == 0
             ? NULL
             : "must be \"deposit\" or \"promotion\"";
}

static void write_topup(const struct db_topup *t, void *arg)
{
  view_topup(arg, t);
}

/* The top-up written, or why there is none. */
static enum MHD_Result topup_reply(struct http_request *rq, enum db_status st, unsigned status,
                                   struct jsonout *out, const char *missing)
{
  if (st < DB_NONE || out->len == 0) {
    jsonout_free(out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, missing, NULL);
  }
  return reply_jsonout(rq, status, out);
}

enum MHD_Result h_topups_create(struct http_request *rq)
{
  const char *account = NULL;
  int64_t amount = 0;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("account", &account, 1, 16, JSONIN_REQUIRED, .check = account_problem),
      JSONIN_INT("amount_cents", &amount, 1, TOPUP_MAX_CENTS, JSONIN_REQUIRED),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  const struct payprovider *provider = payprovider_default();
  char ref[PAYPROVIDER_REF_SIZE];
  provider->topup_ref(ref);
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_topup_create(rq->session.account.id, rq->ids[0], account, amount,
                                      provider->name, ref, clock_now_us(), write_topup, &out);
  return topup_reply(rq, st, MHD_HTTP_CREATED, &out, "no such shop");
}

static void write_page_row(const struct db_topup *t, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, t->id))
    view_topup(&pg->out, t);
}

enum MHD_Result h_topups_list(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, TOPUPS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_topups_page(rq->session.account.id, rq->ids[0], after.id, (int)limit + 1,
                                     write_page_row, &pg);
  if (st <= DB_NONE) {
    jsonout_free(&pg.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply(rq, &pg, TOPUPS_CURSOR);
}

enum MHD_Result h_topups_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_topup_get(rq->session.account.id, rq->ids[0], rq->ids[1], write_topup, &out);
  return topup_reply(rq, st, MHD_HTTP_OK, &out, NOT_FOUND_DETAIL);
}

/* One event from a provider: the signature first (nothing of the event is
 * believed before it checks out), then the event, then its posting. The
 * reply says what became of it; a provider retries on anything but 2xx. */
static enum MHD_Result take_event(struct http_request *rq, const struct payprovider *provider,
                                  const char *signature, const char *body, size_t len,
                                  json_t *event)
{
  switch (provider->verify(signature, body, len, clock_now_us())) {
  case PAYPROVIDER_SIGNATURE_OK:
    break;
  case PAYPROVIDER_SIGNATURE_NO_SECRET:
    return reply_problem(rq, PROBLEM_NOT_READY, "no webhook secret is configured", NULL);
  case PAYPROVIDER_SIGNATURE_STALE:
    return reply_problem(rq, PROBLEM_SIGNATURE_EXPIRED,
                         "the signature's timestamp is more than 5 minutes from now", NULL);
  default:
    return reply_problem(rq, PROBLEM_INVALID_SIGNATURE, "the signature does not verify", NULL);
  }
  const char *id = NULL, *type = NULL, *ref = NULL;
  int64_t amount = 0;
  const struct jsonin_field fields[] = {
      JSONIN_BYTES("id", &id, 1, 64, JSONIN_REQUIRED),
      JSONIN_BYTES("type", &type, 1, 64, JSONIN_REQUIRED),
      JSONIN_BYTES("reference", &ref, 1, PAYPROVIDER_REF_SIZE - 1, JSONIN_REQUIRED),
      JSONIN_INT("amount_cents", &amount, 1, TOPUP_MAX_CENTS, JSONIN_REQUIRED),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(&e, event, fields, JSONIN_COUNT(fields));
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (strcmp(type, "topup.succeeded") != 0)
    return reply_json_steal(rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "ignored"));
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  jsonout_begin_object(&out);
  jsonout_key(&out, "topup");
  size_t empty = out.len;
  enum db_status st =
      db_topup_confirm(provider->name, id, ref, amount, clock_now_us(), code, write_topup, &out);
  bool posted = strcmp(code, "ok") == 0;
  if (st < DB_NONE || out.len == empty || !(posted || strcmp(code, "duplicate") == 0)) {
    jsonout_free(&out);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    if (strcmp(code, "amount_mismatch") == 0)
      return reply_problem(rq, PROBLEM_INVALID_FIELD, "the amount is not the top-up's",
                           json_pack("{s:[{s:s, s:s}]}", "errors", "field", "amount_cents",
                                     "message", "does not match the top-up's amount"));
    if (strcmp(code, "not_found") == 0)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no top-up has this reference", NULL);
    return reply_problem_code(rq, code, "this event was taken before; nothing was posted");
  }
  /* posted: this event confirmed it; already: an earlier event had. */
  jsonout_field_string(&out, "status", posted ? "posted" : "already_confirmed");
  jsonout_end_object(&out);
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

enum MHD_Result h_topups_webhook(struct http_request *rq)
{
  const struct payprovider *provider = payprovider_find(rq->file);
  if (provider == NULL)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such payment provider", NULL);
  return take_event(rq, provider, http_header(rq, provider->signature_header), rq->body,
                    rq->body_len, rq->json);
}

/* What the sandbox's payer remembers: the top-up to pay. */
struct to_pay {
  bool found, sandbox;
  char ref[PAYPROVIDER_REF_SIZE];
  int64_t amount;
};

static void remember_topup(const struct db_topup *t, void *arg)
{
  struct to_pay *p = arg;
  p->found = true;
  p->sandbox = strcmp(t->provider, "sandbox") == 0;
  snprintf(p->ref, sizeof p->ref, "%s", t->provider_ref);
  p->amount = t->amount_cents;
}

/* The sandbox's payer pays: the sandbox then sends its signed confirmation
 * as any provider would, and merchantd takes it through take_event, the
 * webhook's own path (signature, window, replay, posting). */
enum MHD_Result h_topups_sandbox_pay(struct http_request *rq)
{
  struct to_pay p = {0};
  enum db_status st =
      db_topup_get(rq->session.account.id, rq->ids[0], rq->ids[1], remember_topup, &p);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (!p.found)
    return reply_problem(rq, PROBLEM_NOT_FOUND, NOT_FOUND_DETAIL, NULL);
  if (!p.sandbox)
    return reply_problem(rq, PROBLEM_INVALID_STATE, "this top-up is not the sandbox's", NULL);
  unsigned char r[12];
  char id[2 * sizeof r + 5];
  randombytes_buf(r, sizeof r);
  memcpy(id, "evt_", 4);
  sodium_bin2hex(id + 4, sizeof id - 4, r, sizeof r);
  json_t *event = json_pack("{s:s, s:s, s:s, s:I}", "id", id, "type", "topup.succeeded",
                            "reference", p.ref, "amount_cents", (json_int_t)p.amount);
  char *body = event != NULL ? json_dumps(event, JSON_COMPACT) : NULL;
  char signature[PAYPROVIDER_SIGNATURE_SIZE];
  enum MHD_Result ret;
  if (body == NULL)
    ret = MHD_NO;
  else if (!payprovider_sandbox_sign(body, strlen(body), clock_now_us(), signature))
    ret = reply_problem(rq, PROBLEM_NOT_READY, "no webhook secret is configured", NULL);
  else
    ret = take_event(rq, payprovider_find("sandbox"), signature, body, strlen(body), event);
  free(body);
  json_decref(event);
  return ret;
}
