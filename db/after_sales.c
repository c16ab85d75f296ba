#include "after_sales.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The select list of every after-sales query, over "after_sales a" and
 * "orders o"; read_after_sale reads it starting at a given column. The
 * 15 days of the reship deadline are after_sale_reship's. */
#define AFTER_SALE_COLUMNS                                                                         \
  "a.id, a.order_id, o.order_sn, a.buyer_id, o.buyer_name, a.type, a.reason, a.amount_cents,"      \
  " a.status, a.reject_reason, a.carrier, a.tracking_no, ts_to_us(a.created_at),"                  \
  " ts_to_us(a.decided_at), ts_to_us(a.reshipped_at),"                                             \
  " CASE WHEN a.type = 'reship' AND a.status = 'approved'"                                         \
  " THEN ts_to_us(a.decided_at + interval '15 days') END"

/* 0 for SQL NULL. */
static int64_t int64_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

static void read_after_sale(const PGresult *res, int r, int c, struct db_after_sale *a)
{
  a->id = db_get_int64(res, r, c++);
  a->order_id = db_get_int64(res, r, c++);
  a->order_sn = PQgetvalue(res, r, c++);
  a->buyer_id = db_get_int64(res, r, c++);
  a->buyer_name = PQgetvalue(res, r, c++);
  a->type = PQgetvalue(res, r, c++);
  a->reason = PQgetvalue(res, r, c++);
  a->amount_cents = db_get_int64(res, r, c++);
  a->status = PQgetvalue(res, r, c++);
  a->reject_reason = db_get_text(res, r, c++);
  a->carrier = db_get_text(res, r, c++);
  a->tracking_no = db_get_text(res, r, c++);
  a->created_at = int64_or_zero(res, r, c++);
  a->decided_at = int64_or_zero(res, r, c++);
  a->reshipped_at = int64_or_zero(res, r, c++);
  a->reship_deadline = int64_or_zero(res, r, c);
}

enum db_status db_after_sales_list(int64_t shop_id, const char *status, int64_t before_id,
                                   int64_t limit, db_after_sale_fn fn, void *arg)
{
  /* Keyset pages on (shop_id, id), or (shop_id, status, id) for a tab. */
  static struct db_stmt all = DB_STMT(3, "SELECT " AFTER_SALE_COLUMNS
                                         " FROM after_sales a JOIN orders o ON o.id = a.order_id"
                                         " WHERE a.shop_id = $1 AND a.id < $2"
                                         " ORDER BY a.id DESC LIMIT $3");
  static struct db_stmt one_status = DB_STMT(
      4, "SELECT " AFTER_SALE_COLUMNS " FROM after_sales a JOIN orders o ON o.id = a.order_id"
         " WHERE a.shop_id = $1 AND a.status = $4 AND a.id < $2"
         " ORDER BY a.id DESC LIMIT $3");
  char shopb[DB_INT64_SIZE], beforeb[DB_INT64_SIZE], limitb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(shopb, shop_id), db_param_int64(beforeb, before_id),
                     db_param_int64(limitb, limit), status};
  PGresult *res;
  enum db_status st = db_exec(status != NULL ? &one_status : &all, p, &res);
  if (st < DB_NONE)
    return st;
  for (int r = 0; r < PQntuples(res); r++) {
    struct db_after_sale a;
    read_after_sale(res, r, 0, &a);
    fn(&a, arg);
  }
  PQclear(res);
  return st;
}

struct decision {
  char *result;
  db_after_sale_fn fn;
  void *arg;
};

static void read_decision(const PGresult *res, void *arg)
{
  struct decision *d = arg;
  const char *result = db_get_text(res, 0, 0);
  snprintf(d->result, DB_RESULT_CODE_SIZE, "%s", result != NULL ? result : "");
  if (strcmp(d->result, "ok") != 0 || PQgetisnull(res, 0, 1))
    return;
  struct db_after_sale a;
  read_after_sale(res, 0, 1, &a);
  d->fn(&a, d->arg);
}

/* One statement for the three decisions: shop_after_sale_decide checks the
 * shop's owner, decides, and returns the row as the decision left it. */
static enum db_status decide(int64_t merchant_id, int64_t shop_id, int64_t id, const char *action,
                             const char *reason, const char *carrier, const char *tracking_no,
                             int64_t now, char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                             void *arg)
{
  static struct db_stmt q =
      DB_STMT(8, "SELECT d.result, " AFTER_SALE_COLUMNS
                 " FROM shop_after_sale_decide($1, $2, $3, $4, $5, $6, $7, us_to_ts($8)) d"
                 " CROSS JOIN LATERAL (SELECT (d.decided).*) a"
                 " LEFT JOIN orders o ON o.id = a.order_id");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], ib[DB_INT64_SIZE], nowb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id),
                     db_param_int64(sb, shop_id),
                     db_param_int64(ib, id),
                     action,
                     reason,
                     carrier,
                     tracking_no,
                     db_param_int64(nowb, now)};
  struct decision d = {result, fn, arg};
  result[0] = '\0';
  return db_query_row(&q, p, read_decision, &d);
}

enum db_status db_after_sale_approve(int64_t merchant_id, int64_t shop_id, int64_t id, int64_t now,
                                     char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                                     void *arg)
{
  return decide(merchant_id, shop_id, id, "approve", NULL, NULL, NULL, now, result, fn, arg);
}

enum db_status db_after_sale_reject(int64_t merchant_id, int64_t shop_id, int64_t id,
                                    const char *reason, int64_t now,
                                    char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                                    void *arg)
{
  return decide(merchant_id, shop_id, id, "reject", reason, NULL, NULL, now, result, fn, arg);
}

enum db_status db_after_sale_reship(int64_t merchant_id, int64_t shop_id, int64_t id,
                                    const char *carrier, const char *tracking_no, int64_t now,
                                    char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                                    void *arg)
{
  return decide(merchant_id, shop_id, id, "reship", NULL, carrier, tracking_no, now, result, fn,
                arg);
}
