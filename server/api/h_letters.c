/* A shop's in-app letters about the review of its orders (站内信):
 *   GET  /v1/shops/{id}/letters?unread=&limit=&cursor=  newest first
 *   GET  /v1/shops/{id}/letters/{id}                    with its orders
 *   POST /v1/shops/{id}/letters/{id}/read               the read marker
 *   GET  /v1/shops/{id}/letters/{id}/attachment.csv     its orders as CSV
 * Letters exist once the delivery job has delivered them (see jobs.c and
 * migrations/0004_letters.sql). Every query names the calling merchant next
 * to the shop, so another merchant's shop or letter answers 404 in the same
 * round trip. */
#include "clock.h"
#include "csv.h"
#include "cursor.h"
#include "handlers.h"
#include "letters.h"
#include "query.h"
#include "reply.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cursor letter of the list's one ordering (see cursor.h). */
#define CURSOR_LETTERS 'l'
/* The attachment can be downloaded this long after delivery. */
#define ATTACHMENT_DAYS 7
#define ATTACHMENT_US   ((int64_t)ATTACHMENT_DAYS * 86400 * CLOCK_US_PER_SEC)

/* What the letter callbacks write into. */
struct letter_out {
  int64_t shop_id, now;
  json_t *letter; /* detail and read: the letter */
  json_t *items;  /* list: the letters; detail: the orders */
  bool failed;    /* a JSON value could not be made */
  /* The list: limit letters, the row after them only tells that there is a
   * next page, which starts after the last letter shown. */
  int64_t limit, n;
  bool more;
  struct cursor last;
  /* The attachment: */
  struct csv text;
  const char *kind; /* borrowed while the query's rows are read */
  bool expired;
};

static json_t *view_letter(const struct letter_out *out, const struct db_letter *l)
{
  int64_t expires = l->delivered_at + ATTACHMENT_US;
  char url[96];
  snprintf(url, sizeof url, "/v1/shops/%lld/letters/%lld/attachment.csv", (long long)out->shop_id,
           (long long)l->id);
  json_t *j = json_pack(
      "{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:{s:s, s:o, s:b}}", "id", (json_int_t)l->id, "kind",
      l->kind, "title", l->title, "summary", l->summary, "order_count", (json_int_t)l->order_count,
      "delivered_at", view_time(l->delivered_at), "read_at", view_time_or_null(l->read_at),
      "attachment", "url", url, "expires_at", view_time(expires), "expired", out->now >= expires);
  if (j != NULL && l->body != NULL && json_object_set_new(j, "body", json_string(l->body)) != 0) {
    json_decref(j);
    j = NULL;
  }
  return j;
}

static void add_letter(const struct db_letter *l, void *arg)
{
  struct letter_out *out = arg;
  if (out->n == out->limit) {
    out->more = true;
    return;
  }
  if (json_array_append_new(out->items, view_letter(out, l)) != 0)
    out->failed = true;
  out->n++;
  out->last = (struct cursor){l->delivered_at, l->id};
}

static void set_letter(const struct db_letter *l, void *arg)
{
  struct letter_out *out = arg;
  out->letter = view_letter(out, l);
  out->failed = out->failed || out->letter == NULL;
}

static json_t *text_or_null(const char *s)
{
  return s != NULL ? json_string(s) : json_null();
}

/* must_ship tells a result letter's orders apart: released ones are to be
 * shipped, closed ones (refunded) not; null in other letters. */
static json_t *must_ship(const struct db_letter_line *d)
{
  if (strcmp(d->action, "close") == 0)
    return json_false();
  if (strcmp(d->action, "release") == 0 || strcmp(d->action, "auto_release") == 0)
    return json_true();
  return json_null();
}

static void add_line(const struct db_letter_line *d, void *arg)
{
  struct letter_out *out = arg;
  json_t *j = json_pack(
      "{s:I, s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "order_id",
      (json_int_t)d->order_id, "order_sn", d->order_sn, "buyer_name", d->buyer_name, "items_cents",
      (json_int_t)d->items_cents, "total_cents", (json_int_t)d->total_cents, "action", d->action,
      "must_ship", must_ship(d), "reason", text_or_null(d->reason), "note", text_or_null(d->note),
      "deadline", view_time_or_null(d->deadline), "acted_at", view_time(d->acted_at));
  if (json_array_append_new(out->items, j) != 0)
    out->failed = true;
}

/* The reply for a letter query that found nothing (DB_NONE), failed, or
 * whose reply could not be made (DB_ONE). */
static enum MHD_Result letter_problem(struct http_request *rq, enum db_status st)
{
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such letter in this shop", NULL);
  return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
}

enum MHD_Result h_letters_list(struct http_request *rq)
{
  bool unread = false;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor = NULL;
  const struct query_param params[] = {
      QUERY_BOOL("unread", &unread),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  struct cursor after = {DB_LETTERS_KEY_MAX, INT64_MAX};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, CURSOR_LETTERS, cursor, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  /* A cursor is opaque but not signed: keep its time within what
   * PostgreSQL can represent. */
  if (after.key < 0 || after.key > DB_LETTERS_KEY_MAX)
    after.key = after.key < 0 ? 0 : DB_LETTERS_KEY_MAX;

  struct letter_out out = {
      .shop_id = rq->ids[0], .now = clock_now_us(), .items = json_array(), .limit = limit};
  if (out.items == NULL)
    return MHD_NO;
  struct db_letter_page p = {rq->session.account.id, rq->ids[0], unread, after.key, after.id,
                             (int)limit + 1}; /* one more row tells that a next page exists */
  int64_t unread_count = 0;
  enum db_status st = db_letters_page(&p, add_letter, &out, &unread_count);
  if (st <= DB_NONE || out.failed) {
    json_decref(out.items);
    if (st == DB_NONE)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
    return letter_problem(rq, st);
  }
  char next[CURSOR_TEXT_SIZE];
  if (out.more)
    cursor_encode(CURSOR_LETTERS, &out.last, next);
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:o, s:s?, s:I}", "items", out.items, "next_cursor",
                                    out.more ? next : NULL, "unread", (json_int_t)unread_count));
}

enum MHD_Result h_letters_get(struct http_request *rq)
{
  struct letter_out out = {.shop_id = rq->ids[0], .now = clock_now_us(), .items = json_array()};
  if (out.items == NULL)
    return MHD_NO;
  enum db_status st =
      db_letter_get(rq->session.account.id, rq->ids[0], rq->ids[1], set_letter, add_line, &out);
  if (st <= DB_NONE || out.failed) {
    json_decref(out.letter);
    json_decref(out.items);
    return letter_problem(rq, st);
  }
  json_object_set_new(out.letter, "orders", out.items);
  return reply_json_steal(rq, MHD_HTTP_OK, out.letter);
}

enum MHD_Result h_letters_read(struct http_request *rq)
{
  struct letter_out out = {.shop_id = rq->ids[0], .now = clock_now_us()};
  enum db_status st = db_letter_mark_read(rq->session.account.id, rq->ids[0], rq->ids[1], out.now,
                                          set_letter, &out);
  if (st <= DB_NONE || out.failed) {
    json_decref(out.letter);
    return letter_problem(rq, st);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, out.letter);
}

/* The attachment's columns, by kind of letter. A result letter's first
 * column tells whether the order must be shipped (需发货) or was closed and
 * refunded (无需发货). Amounts in fen, times RFC 3339 UTC as in the orders
 * export. */
static const char *const hold_header[] = {
    "订单号", "买家",         "商品金额(分)", "实付金额(分)", "禁止发货原因",
    "备注",   "审核截止时间", "禁止发货时间", NULL,
};
static const char *const result_header[] = {
    "是否需发货", "订单号", "买家", "商品金额(分)", "实付金额(分)", "退款金额(分)",
    "审核结果",   "原因",   "备注", "处理时间",     NULL,
};
static const char *const extend_header[] = {
    "订单号", "买家", "商品金额(分)", "实付金额(分)", "延期说明", "审核截止时间", "延期时间", NULL,
};

static void time_cell(struct csv *c, int64_t us)
{
  char text[CLOCK_RFC3339_SIZE];
  if (us != 0)
    clock_format(us, text);
  csv_cell(c, us != 0 ? text : NULL);
}

static const char *outcome_zh(const char *action)
{
  if (strcmp(action, "close") == 0)
    return "订单关闭并全额退款";
  if (strcmp(action, "auto_release") == 0)
    return "审核超时自动通过";
  return "审核通过";
}

/* The header row, once the letter's kind is known (the first row). */
static void csv_letter(const struct db_letter *l, void *arg)
{
  struct letter_out *out = arg;
  out->expired = out->now >= l->delivered_at + ATTACHMENT_US;
  if (out->expired)
    return;
  out->kind = l->kind;
  const char *const *header = strcmp(l->kind, "hold") == 0     ? hold_header
                              : strcmp(l->kind, "result") == 0 ? result_header
                                                               : extend_header;
  csv_bom(&out->text);
  for (int i = 0; header[i] != NULL; i++)
    csv_cell(&out->text, header[i]);
  csv_end_row(&out->text);
}

static void csv_line(const struct db_letter_line *d, void *arg)
{
  struct letter_out *out = arg;
  struct csv *c = &out->text;
  if (out->expired)
    return;
  bool closed = strcmp(d->action, "close") == 0;
  if (strcmp(out->kind, "result") == 0)
    csv_cell(c, closed ? "无需发货" : "需发货");
  csv_cell(c, d->order_sn);
  csv_cell(c, d->buyer_name);
  csv_cell_int(c, d->items_cents);
  csv_cell_int(c, d->total_cents);
  if (strcmp(out->kind, "hold") == 0) {
    csv_cell(c, d->reason);
    csv_cell(c, d->note);
    time_cell(c, d->deadline);
  } else if (strcmp(out->kind, "result") == 0) {
    csv_cell_int(c, closed ? d->total_cents : 0);
    csv_cell(c, outcome_zh(d->action));
    csv_cell(c, d->reason);
    csv_cell(c, d->note);
  } else {
    csv_cell(c, d->note);
    time_cell(c, d->deadline);
  }
  time_cell(c, d->acted_at);
  csv_end_row(c);
}

enum MHD_Result h_letters_attachment(struct http_request *rq)
{
  struct letter_out out = {.shop_id = rq->ids[0], .now = clock_now_us(), .text = CSV_INIT};
  enum db_status st = db_letter_attachment(rq->session.account.id, rq->ids[0], rq->ids[1],
                                           csv_letter, csv_line, &out);
  if (st <= DB_NONE || out.text.failed || out.expired) {
    csv_free(&out.text);
    if (st == DB_ONE && out.expired)
      return reply_problem(rq, PROBLEM_ATTACHMENT_EXPIRED,
                           "the attachment could be downloaded for 7 days after the letter was "
                           "delivered",
                           NULL);
    return letter_problem(rq, st);
  }
  char filename[64];
  snprintf(filename, sizeof filename, "letter-%lld.csv", (long long)rq->ids[1]);
  return reply_text_steal(rq, MHD_HTTP_OK, "text/csv; charset=utf-8", filename, out.text.data,
                          out.text.len);
}
