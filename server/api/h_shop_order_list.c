/* A shop's orders by filters, as a page or as a whole:
 *   GET /v1/shops/{id}/orders             a page, with the tabs' counts
 *   GET /v1/shops/{id}/orders/export.csv  every matching order, as CSV
 * Both take the same filters (status tab, created range, search, sort).
 * The export streams: it reads DB_EXPORT_BATCH rows at a time by keyset,
 * each batch one query on the thread's own connection (the response
 * callback runs on the connection's thread; no transaction spans two
 * batches), and holds one batch of CSV text at a time, so a million orders
 * cost what a thousand cost in memory. */
#include "clock.h"
#include "csv.h"
#include "cursor.h"
#include "handlers.h"
#include "log.h"
#include "mask.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "shop_orders.h"
#include "tenancy.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_BLOCK  (64 * 1024)
#define FILTER_Q_MAX  64                     /* characters of a search */
#define FILTER_Q_SIZE (4 * FILTER_Q_MAX + 1) /* bytes, in UTF-8 */

/* In enum db_order_tab's order. */
static const char *const tab_names[] = {
    "all", "unpaid", "to_ship", "shipped", "completed", "after_sales", "closed", NULL,
};
/* In enum db_order_sort's order; the cursor letter of each ordering. */
static const char *const sort_names[] = {"created_at", "-created_at", "paid_at", "-paid_at", NULL};
static const char cursor_kinds[] = "cCpP";
static const char *const lang_names[] = {"en", "zh-CN", NULL};
/* The review filter: only held orders can be asked for. */
static const char *const review_names[] = {"under_review", NULL};

/* The filters both routes take, as they were read. */
struct filter_args {
  int tab, sort, review;
  bool has_sort, has_review;
  const char *q;
};

// clang-format off
#define FILTER_PARAMS(a, f) \
  QUERY_ENUM("status", &(a)->tab, tab_names), \
  QUERY_TIME("created_from", &(f)->created_from, .present = &(f)->has_created_from), \
  QUERY_TIME("created_to", &(f)->created_to, .present = &(f)->has_created_to), \
  QUERY_TEXT("q", &(a)->q, 0, FILTER_Q_MAX), \
  QUERY_ENUM("sort", &(a)->sort, sort_names, .present = &(a)->has_sort), \
  QUERY_ENUM("review", &(a)->review, review_names, .present = &(a)->has_review)
// clang-format on

/* Completes the filter after query_read: defaults and the checks that
 * span parameters. */
static enum http_step filter_finish(struct http_request *rq, const struct filter_args *a,
                                    struct db_order_filter *f)
{
  f->shop_id = rq->ids[0];
  f->tab = (enum db_order_tab)a->tab;
  /* To ship: the oldest paid first, as they are due; else the newest. */
  f->sort = a->has_sort                ? (enum db_order_sort)a->sort
            : f->tab == DB_TAB_TO_SHIP ? DB_SORT_PAID_ASC
                                       : DB_SORT_CREATED_DESC;
  f->q = a->q != NULL && a->q[0] != '\0' ? a->q : NULL;
  f->held = a->has_review;
  if (f->has_created_from && f->has_created_to && f->created_to <= f->created_from)
    return HTTP_STEP_OF(reply_problem(rq, PROBLEM_INVALID_FIELD,
                                      "one or more parameters are invalid",
                                      json_pack("{s:[{s:s, s:s}]}", "errors", "field", "created_to",
                                                "message", "must be later than created_from")));
  return HTTP_STEP_OK;
}

/* A page of the list, under one ordering (the cursor's key). */
struct sorted_page {
  struct page page;
  enum db_order_sort sort;
};

static void page_add(const struct db_order *o, void *arg)
{
  struct sorted_page *sp = arg;
  if (!page_row(&sp->page))
    return;
  view_order(&sp->page.out, o, true);
  sp->page.last = (struct cursor){db_order_sort_key(sp->sort, o->created_at, o->paid_at), o->id};
}

static void write_counts(struct jsonout *j, const struct db_order_counts *c)
{
  jsonout_key(j, "counts");
  jsonout_begin_object(j);
  jsonout_field_int(j, "unpaid", c->unpaid);
  jsonout_field_int(j, "to_ship", c->to_ship);
  jsonout_field_int(j, "shipped", c->shipped);
  jsonout_field_int(j, "completed", c->completed);
  jsonout_field_int(j, "after_sales", c->after_sales);
  jsonout_field_int(j, "closed", c->closed);
  jsonout_field_int(j, "under_review", c->under_review);
  jsonout_field_int(j, "all", c->unpaid + c->to_ship + c->shipped + c->completed + c->closed);
  jsonout_end_object(j);
}

enum MHD_Result h_shop_order_list_get(struct http_request *rq)
{
  struct filter_args a = {DB_TAB_ALL, 0, 0, false, false, NULL};
  struct db_order_filter f = {0};
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor = NULL;
  const struct query_param params[] = {FILTER_PARAMS(&a, &f), QUERY_LIMIT(&limit),
                                       QUERY_CURSOR(&cursor)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step == HTTP_STEP_OK)
    step = filter_finish(rq, &a, &f);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct cursor after = {0, 0};
  step = query_cursor(rq, cursor_kinds[f.sort], cursor, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  f.has_after = cursor != NULL;
  f.after_key = after.key;
  f.after_id = after.id;
  f.limit = (int)limit + 1; /* one more row tells whether a next page exists */

  struct sorted_page sp = {.sort = f.sort};
  page_begin(&sp.page, limit);
  struct db_order_counts counts;
  enum db_status st = db_shop_orders_page(rq->session.account.id, &f, page_add, &sp, &counts);
  if (st <= DB_NONE) {
    jsonout_free(&sp.page.out);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  page_end(&sp.page, cursor_kinds[f.sort]);
  write_counts(&sp.page.out, &counts);
  jsonout_end_object(&sp.page.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &sp.page.out);
}

/* The export's columns, by language. */
enum { LANG_EN, LANG_ZH };
#define EXPORT_COLUMNS 17
static const char *const export_header[2][EXPORT_COLUMNS] = {
    {"order_sn", "created_at", "paid_at", "shipped_at", "status", "buyer", "items", "items_cents",
     "total_cents", "refunded_cents", "carrier", "tracking_no", "address", "receiver", "phone",
     "merchant_note", "review_status"},
    {"订单号", "下单时间", "付款时间", "发货时间", "订单状态", "买家", "商品", "商品金额(分)",
     "实付金额(分)", "已退款(分)", "快递公司", "快递单号", "收货地址", "收货人", "联系电话",
     "商家备注", "审核状态"},
};

/* A status as the Chinese export shows it. */
static const char *status_zh(const char *status)
{
  static const char *const names[][2] = {
      {"unpaid", "待付款"},    {"paid", "待发货"},   {"shipped", "已发货"},
      {"completed", "已完成"}, {"closed", "已关闭"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i][0], status) == 0)
      return names[i][1];
  return status;
}

/* A review status as the export shows it; empty when never reviewed. */
static const char *review_cell(const char *review_status, int lang)
{
  static const char *const names[][2] = {
      {"under_review", "订单审核中"},
      {"released", "审核通过"},
      {"closed", "审核关闭"},
  };
  if (review_status == NULL)
    return "";
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i][0], review_status) == 0)
      return names[i][lang == LANG_ZH];
  return review_status;
}

/* A stream in progress; lives as long as the MHD response. */
struct export
{
  int64_t merchant_id;
  struct db_order_filter f; /* f.has_after moves on with every batch */
  char q[FILTER_Q_SIZE];    /* the query string does not outlive the request */
  int lang;
  struct csv text; /* the CSV not yet handed to MHD */
  size_t sent;     /* of text.len */
  size_t rows;     /* in the current batch */
  bool done;       /* the last batch has been read */
};

static void time_cell(struct csv *c, int64_t us)
{
  char text[CLOCK_RFC3339_SIZE];
  if (us != 0)
    clock_format(us, text);
  csv_cell(c, us != 0 ? text : NULL);
}

/* db_export_fn: one order as one CSV row. */
static void export_row(const struct db_export_order *o, void *arg)
{
  struct export *e = arg;
  struct csv *c = &e->text;
  csv_cell(c, o->order_sn);
  time_cell(c, o->created_at);
  time_cell(c, o->paid_at);
  time_cell(c, o->shipped_at);
  csv_cell(c, e->lang == LANG_ZH ? status_zh(o->status) : o->status);
  csv_cell(c, o->buyer_name);
  csv_cell(c, o->items);
  csv_cell_int(c, o->items_cents);
  csv_cell_int(c, o->total_cents);
  csv_cell_int(c, o->refunded_cents);
  csv_cell(c, o->carrier);
  csv_cell(c, o->tracking_no);
  /* A held order's receiver is masked and its street left out, as in the
   * order's JSON (view_order). */
  bool hidden = db_review_held(o->review_status);
  char address[2048], name[MASK_SIZE], phone[MASK_SIZE];
  snprintf(address, sizeof address, "%s%s%s", o->region, hidden ? "" : " ",
           hidden ? "" : o->addr_detail);
  if (hidden) {
    mask_name(o->addr_name, name);
    mask_phone(o->addr_phone, phone);
  }
  csv_cell(c, address);
  csv_cell(c, hidden ? name : o->addr_name);
  csv_cell(c, hidden ? phone : o->addr_phone);
  csv_cell(c, o->merchant_note);
  csv_cell(c, review_cell(o->review_status, e->lang));
  csv_end_row(c);
  e->rows++;
  e->f.has_after = true;
  e->f.after_key = db_order_sort_key(e->f.sort, o->created_at, o->paid_at);
  e->f.after_id = o->id;
}

/* Reads the next batch into the text; a failure is logged. */
static enum db_status export_batch(struct export *e)
{
  e->rows = 0;
  enum db_status st = db_shop_orders_export_batch(e->merchant_id, &e->f, export_row, e);
  if (st >= DB_NONE && e->text.failed)
    st = DB_HARD_ERROR;
  if (st < DB_NONE) {
    log_error("could not export the orders of shop %lld: %s", (long long)e->f.shop_id,
              e->text.failed ? "out of memory" : "query failed");
    return st;
  }
  e->done = e->rows < (size_t)e->f.limit;
  return st;
}

/* MHD's content reader: hands out the pending text, reading a batch when
 * it runs out. Never returns 0, which would make MHD poll again at once. */
static ssize_t export_read(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct export *e = cls;
  while (e->sent == e->text.len) {
    if (e->done)
      return MHD_CONTENT_READER_END_OF_STREAM;
    csv_clear(&e->text);
    e->sent = 0;
    if (export_batch(e) < DB_NONE)
      return MHD_CONTENT_READER_END_WITH_ERROR;
  }
  size_t n = e->text.len - e->sent;
  if (n > max)
    n = max;
  memcpy(buf, e->text.data + e->sent, n);
  e->sent += n;
  return (ssize_t)n;
}

static void export_free(void *cls)
{
  struct export *e = cls;
  csv_free(&e->text);
  free(e);
}

static enum MHD_Result export_reply(struct http_request *rq, struct export *e)
{
  char filename[48];
  snprintf(filename, sizeof filename, "orders-%lld.csv", (long long)e->f.shop_id);
  return reply_stream(rq, "text/csv; charset=utf-8", filename, EXPORT_BLOCK, export_read, e,
                      export_free);
}

enum MHD_Result h_shop_order_list_csv(struct http_request *rq)
{
  struct filter_args a = {DB_TAB_ALL, 0, 0, false, false, NULL};
  struct export *e = calloc(1, sizeof *e);
  if (e == NULL)
    return MHD_NO;
  const struct query_param params[] = {FILTER_PARAMS(&a, &e->f),
                                       QUERY_ENUM("lang", &e->lang, lang_names)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step == HTTP_STEP_OK)
    step = filter_finish(rq, &a, &e->f);
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK) {
    export_free(e);
    return http_step_result(step);
  }
  e->merchant_id = rq->session.account.id;
  e->f.limit = DB_EXPORT_BATCH;
  if (e->f.q != NULL) {
    snprintf(e->q, sizeof e->q, "%s", e->f.q);
    e->f.q = e->q;
  }
  /* The header, then the first batch while an error can still be a proper
   * reply; later failures can only cut the stream short. */
  csv_bom(&e->text);
  for (int i = 0; i < EXPORT_COLUMNS; i++)
    csv_cell(&e->text, export_header[e->lang][i]);
  csv_end_row(&e->text);
  enum db_status st = export_batch(e);
  if (st < DB_NONE) {
    export_free(e);
    return reply_db_error(rq, st);
  }
  return export_reply(rq, e);
}
