/* A shop's funds flows (资金流水) and its signed statement:
 *   GET /v1/shops/{id}/funds/flows          a page of flows, newest first
 *   GET /v1/shops/{id}/funds/statement.csv  the statement of a time window
 *   GET /v1/platform/statement-key          the key statements verify with
 * A flow row is one side of a transfer seen from one of the shop's
 * accounts: money in or out, and the account's balance right after it.
 * The statement streams like the order export (one batch of rows held at a
 * time, each batch its own query) and signs its bytes as they go out; its
 * last line is the signature (sign.h), so a merchant can show anyone that
 * the platform issued it. */
#include "clock.h"
#include "csv.h"
#include "cursor.h"
#include "funds_statement.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATEMENT_BLOCK (64 * 1024)
/* The flows' cursor letter: f, by (transfer id, money in first) down. */
#define FLOWS_CURSOR 'f'

static const char *const account_names[] = {"pending",   "available", "deposit",
                                            "promotion", "debt",      NULL};
static const char *const account_zh[] = {"待结算", "可提现", "保证金", "推广账户", "欠款"};

/* What a merchant sees as the type of a flow, and the ledger kinds
 * (ledger_transfers.kind) each stands for. A settlement is order income on
 * both sides (out of pending, into available); a fee given back with a
 * refund is a service fee coming in; paying debt off is the clawback's
 * money being recovered. */
struct flow_type {
  const char *name, *zh;
  const char *kinds; /* a text[] literal for the filter */
};
static const struct flow_type flow_types[] = {
    {"order_income", "订单收入", "{payment,platform_discount,settlement}"},
    {"service_fee", "技术服务费", "{service_fee,fee_return}"},
    {"refund", "退款", "{refund}"},
    {"clawback", "退款追回", "{clawback,debt_repayment}"},
    {"withdrawal", "提现", "{withdrawal}"},
    {"withdrawal_returned", "提现退回", "{withdrawal_returned}"},
    {"topup", "充值", "{topup}"},
    {"promotion", "推广扣费", "{promotion_click}"},
    {"adjustment", "调账", "{adjustment}"},
};
#define FLOW_TYPES (sizeof flow_types / sizeof flow_types[0])
/* flow_types' names, for the type parameter. */
static const char *const type_names[] = {
    "order_income",        "service_fee", "refund",    "clawback",   "withdrawal",
    "withdrawal_returned", "topup",       "promotion", "adjustment", NULL,
};

/* The type of a ledger kind: the entry whose list names it. */
static const struct flow_type *type_of(const char *kind)
{
  size_t n = strlen(kind);
  for (size_t i = 0; i < FLOW_TYPES; i++) {
    const char *k = flow_types[i].kinds;
    for (const char *p = strstr(k, kind); p != NULL; p = strstr(p + 1, kind))
      if ((p[-1] == '{' || p[-1] == ',') && (p[n] == '}' || p[n] == ','))
        return &flow_types[i];
  }
  log_error("ledger kind \"%s\" has no flow type", kind);
  return &flow_types[FLOW_TYPES - 1];
}

static int account_index(const char *kind)
{
  for (int i = 0; account_names[i] != NULL; i++)
    if (strcmp(account_names[i], kind) == 0)
      return i;
  return 0;
}

/* The id each cause links a flow to, by the name the reply gives it. */
static const char *const link_names[][2] = {
    {"after_sale", "after_sale_id"},
    {"withdrawal", "withdrawal_id"},
    {"topup", "topup_id"},
    {"adjustment", "adjustment_id"},
};
#define LINKS (sizeof link_names / sizeof link_names[0])

static enum http_step window_check(struct http_request *rq, bool has_from, int64_t from,
                                   bool has_to, int64_t to)
{
  if (has_from && has_to && to <= from)
    return HTTP_STEP_OF(reply_problem(rq, PROBLEM_INVALID_FIELD,
                                      "one or more parameters are invalid",
                                      json_pack("{s:[{s:s, s:s}]}", "errors", "field", "to",
                                                "message", "must be later than from")));
  return HTTP_STEP_OK;
}

/* ------------------------------------------------------------------ */
/* The flows page */

static void flow_json(const struct db_flow *f, void *arg)
{
  struct page *pg = arg;
  if (!page_row(pg))
    return;
  struct jsonout *j = &pg->out;
  jsonout_begin_object(j);
  jsonout_field_int(j, "transfer_id", f->transfer_id);
  jsonout_field_string(j, "account", f->account);
  jsonout_field_string(j, "type", type_of(f->kind)->name);
  jsonout_field_string(j, "direction", f->in ? "in" : "out");
  jsonout_field_int(j, "amount_cents", f->amount_cents);
  jsonout_field_int(j, "balance_after_cents", f->balance_after);
  jsonout_key(j, "order_sn");
  if (f->order_sn != NULL)
    jsonout_string(j, f->order_sn);
  else
    jsonout_null(j);
  for (size_t i = 0; i < LINKS; i++) {
    jsonout_key(j, link_names[i][1]);
    if (strcmp(f->cause, link_names[i][0]) == 0)
      jsonout_int(j, f->cause_id);
    else
      jsonout_null(j);
  }
  jsonout_field_time(j, "created_at", f->created_at);
  jsonout_end_object(j);
  /* Both sides of a transfer can be on the page: the cursor's id says
   * which it was (2 money in, 1 money out; cursor ids are positive). */
  pg->last = (struct cursor){f->transfer_id, f->in ? 2 : 1};
}

enum MHD_Result h_funds_statement_flows(struct http_request *rq)
{
  struct db_flow_filter f = {.shop_id = rq->ids[0]};
  int account = 0, type = 0;
  bool has_account = false, has_type = false;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor = NULL;
  const struct query_param params[] = {
      QUERY_ENUM("account", &account, account_names, .present = &has_account),
      QUERY_ENUM("type", &type, type_names, .present = &has_type),
      QUERY_TIME("from", &f.from, .present = &f.has_from),
      QUERY_TIME("to", &f.to, .present = &f.has_to),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step == HTTP_STEP_OK)
    step = window_check(rq, f.has_from, f.from, f.has_to, f.to);
  struct cursor after = {0, 0};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, FLOWS_CURSOR, cursor, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (cursor != NULL && after.id > 2)
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", "cursor", "message",
                                   "is not a cursor of this list"));
  f.account = has_account ? account_names[account] : NULL;
  f.kinds = has_type ? flow_types[type].kinds : NULL;
  f.has_after = cursor != NULL;
  f.after_id = after.key;
  f.after_in = after.id == 2;
  f.limit = (int)limit + 1; /* one more row tells whether a next page exists */

  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_funds_flows_page(rq->session.account.id, &f, flow_json, &pg);
  if (st <= DB_NONE) {
    jsonout_free(&pg.out);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply(rq, &pg, FLOWS_CURSOR);
}

/* ------------------------------------------------------------------ */
/* The statement */

enum { LANG_EN, LANG_ZH };
static const char *const lang_names[] = {"en", "zh-CN", NULL};

#define FLOW_COLUMNS 12
static const char *const flow_header[2][FLOW_COLUMNS] = {
    {"transfer_id", "time", "account", "type", "direction", "amount_cents", "balance_after_cents",
     "order_sn", "after_sale_id", "withdrawal_id", "topup_id", "adjustment_id"},
    {"流水号", "时间", "账户", "类型", "收支", "金额(分)", "余额(分)", "订单号", "售后单号",
     "提现单号", "充值单号", "调账单号"},
};
static const char *const meta_header[2][5] = {
    {"shop_id", "from", "to", "generated_at", "key_id"},
    {"店铺ID", "开始时间", "结束时间", "生成时间", "签名密钥"},
};
static const char *const balance_header[2][3] = {
    {"account", "opening_balance_cents", "closing_balance_cents"},
    {"账户", "期初余额(分)", "期末余额(分)"},
};

/* A statement in progress; lives as long as the MHD response. */
struct statement {
  int64_t merchant_id, shop_id;
  int lang;
  struct db_statement_account accounts[DB_STATEMENT_ACCOUNTS];
  int naccounts;
  int current;      /* the account being written */
  int64_t after_id; /* its last row written */
  size_t rows;      /* in the current batch */
  struct csv text;  /* the text not yet handed to MHD, already signed */
  size_t sent;      /* of text.len */
  struct sign_stream sig;
  const struct sign_key *key;
  bool signed_off; /* the signature line is in text: nothing follows */
};

static void time_cell(struct csv *c, bool has, int64_t us)
{
  char text[CLOCK_RFC3339_SIZE];
  if (has)
    clock_format(us, text);
  csv_cell(c, has ? text : NULL);
}

static void id_cell(struct csv *c, bool has, int64_t id)
{
  if (has)
    csv_cell_int(c, id);
  else
    csv_cell(c, NULL);
}

static void statement_row(const struct db_flow *f, void *arg)
{
  struct statement *s = arg;
  struct csv *c = &s->text;
  bool zh = s->lang == LANG_ZH;
  const struct flow_type *t = type_of(f->kind);
  csv_cell_int(c, f->transfer_id);
  time_cell(c, true, f->created_at);
  csv_cell(c, zh ? account_zh[account_index(f->account)] : f->account);
  csv_cell(c, zh ? t->zh : t->name);
  csv_cell(c, f->in ? (zh ? "收入" : "in") : (zh ? "支出" : "out"));
  csv_cell_int(c, f->amount_cents);
  csv_cell_int(c, f->balance_after);
  csv_cell(c, f->order_sn);
  for (size_t i = 0; i < LINKS; i++)
    id_cell(c, strcmp(f->cause, link_names[i][0]) == 0, f->cause_id);
  csv_end_row(c);
  s->rows++;
  s->after_id = f->transfer_id;
}

/* Appends the next batch of the current account (moving to the next
 * account when it is done) and signs it. A failure is logged. */
static enum db_status statement_batch(struct statement *s)
{
  size_t from = s->text.len;
  const struct db_statement_account *a = &s->accounts[s->current];
  s->rows = 0;
  enum db_status st = db_funds_statement_batch(s->merchant_id, s->shop_id, a->id, s->after_id,
                                               a->close_id, DB_STATEMENT_BATCH, statement_row, s);
  if (st >= DB_NONE && s->text.failed)
    st = DB_HARD_ERROR;
  if (st < DB_NONE) {
    log_error("could not write the statement of shop %lld: %s", (long long)s->shop_id,
              s->text.failed ? "out of memory" : "query failed");
    return st;
  }
  if (s->rows < DB_STATEMENT_BATCH && ++s->current < s->naccounts)
    s->after_id = s->accounts[s->current].open_id;
  sign_stream_update(&s->sig, s->text.data + from, s->text.len - from);
  return st;
}

/* MHD's content reader: hands out the pending text, reading a batch when
 * it runs out, and the signature line after the last. */
static ssize_t statement_read(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct statement *s = cls;
  (void)pos;
  while (s->sent == s->text.len) {
    if (s->signed_off)
      return MHD_CONTENT_READER_END_OF_STREAM;
    csv_clear(&s->text);
    s->sent = 0;
    if (s->current < s->naccounts) {
      if (statement_batch(s) < DB_NONE)
        return MHD_CONTENT_READER_END_WITH_ERROR;
      continue;
    }
    char line[SIGN_LINE_SIZE];
    size_t n = sign_stream_line(&s->sig, s->key, line);
    if (n == 0 || s->text.cap < n) {
      /* csv_clear kept the last batch's buffer, far larger than a line;
       * without one the stream ends unsigned, which verification refuses. */
      log_error("could not sign the statement of shop %lld", (long long)s->shop_id);
      return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    memcpy(s->text.data, line, n);
    s->text.len = n;
    s->signed_off = true;
  }
  size_t n = s->text.len - s->sent;
  if (n > max)
    n = max;
  memcpy(buf, s->text.data + s->sent, n);
  s->sent += n;
  return (ssize_t)n;
}

static void statement_free(void *cls)
{
  struct statement *s = cls;
  csv_free(&s->text);
  sodium_memzero(&s->sig, sizeof s->sig);
  free(s);
}

/* The head of the file: the window, then each account's opening and
 * closing balances, then the rows' header. */
static void statement_head(struct statement *s, bool has_from, int64_t from, int64_t to,
                           int64_t now)
{
  struct csv *c = &s->text;
  const char *const *h;
  csv_bom(c);
  h = meta_header[s->lang];
  for (int i = 0; i < 5; i++)
    csv_cell(c, h[i]);
  csv_end_row(c);
  csv_cell_int(c, s->shop_id);
  time_cell(c, has_from, from);
  time_cell(c, true, to);
  time_cell(c, true, now);
  csv_cell(c, s->key->id);
  csv_end_row(c);
  csv_end_row(c);
  h = balance_header[s->lang];
  for (int i = 0; i < 3; i++)
    csv_cell(c, h[i]);
  csv_end_row(c);
  for (int i = 0; i < s->naccounts; i++) {
    const struct db_statement_account *a = &s->accounts[i];
    csv_cell(c, s->lang == LANG_ZH ? account_zh[account_index(a->kind)] : a->kind);
    csv_cell_int(c, a->open_balance);
    csv_cell_int(c, a->close_balance);
    csv_end_row(c);
  }
  csv_end_row(c);
  h = flow_header[s->lang];
  for (int i = 0; i < FLOW_COLUMNS; i++)
    csv_cell(c, h[i]);
  csv_end_row(c);
}

enum MHD_Result h_funds_statement_csv(struct http_request *rq)
{
  bool has_from = false, has_to = false;
  int64_t from = 0, to = 0, now = clock_now_us();
  struct statement *s = calloc(1, sizeof *s);
  if (s == NULL)
    return MHD_NO;
  const struct query_param params[] = {
      QUERY_TIME("from", &from, .present = &has_from),
      QUERY_TIME("to", &to, .present = &has_to),
      QUERY_ENUM("lang", &s->lang, lang_names),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step == HTTP_STEP_OK)
    step = window_check(rq, has_from, from, has_to, to);
  if (step != HTTP_STEP_OK) {
    statement_free(s);
    return http_step_result(step);
  }
  s->key = sign_platform();
  if (s->key == NULL) {
    statement_free(s);
    return reply_problem(rq, PROBLEM_STATEMENT_UNAVAILABLE,
                         "no statement key is configured (MERCHANTD_STATEMENT_KEY_FILE)", NULL);
  }
  if (!has_to)
    to = now;
  s->merchant_id = rq->session.account.id;
  s->shop_id = rq->ids[0];
  enum db_status st = db_funds_statement_accounts(s->merchant_id, s->shop_id, has_from, from, to,
                                                  s->accounts, &s->naccounts);
  if (st <= DB_NONE) {
    statement_free(s);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  /* The head and the first batch while a failure can still be a proper
   * reply; later failures can only cut the stream short, and a cut
   * statement has no signature line. */
  sign_stream_init(&s->sig);
  statement_head(s, has_from, from, to, now);
  sign_stream_update(&s->sig, s->text.data, s->text.len);
  s->after_id = s->accounts[0].open_id;
  if (s->naccounts > 0 && (st = statement_batch(s)) < DB_NONE) {
    statement_free(s);
    return reply_db_error(rq, st);
  }
  char filename[64];
  snprintf(filename, sizeof filename, "statement-%lld.csv", (long long)s->shop_id);
  return reply_stream(rq, "text/csv; charset=utf-8", filename, STATEMENT_BLOCK, statement_read, s,
                      statement_free);
}

enum MHD_Result h_funds_statement_key(struct http_request *rq)
{
  const struct sign_key *k = sign_platform();
  if (k == NULL)
    return reply_problem(rq, PROBLEM_STATEMENT_UNAVAILABLE,
                         "no statement key is configured (MERCHANTD_STATEMENT_KEY_FILE)", NULL);
  char pk[SIGN_PUBLIC_B64_SIZE];
  sign_key_public_b64(k, pk);
  return reply_json_steal(
      rq, MHD_HTTP_OK,
      json_pack("{s:s, s:s, s:s}", "algorithm", "ed25519ph", "key_id", k->id, "public_key", pk));
}
