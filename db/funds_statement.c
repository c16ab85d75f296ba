#include "funds_statement.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* One side of an account's transfers with ids in (lo, hi], as flow rows:
 * the credit side (money in, in = true) or the debit side. ORDER BY and
 * LIMIT inside each branch keep every walk on its (account, id) index,
 * from the bound it starts at, however deep (0027_funds_statement.sql
 * tells the planner how many accounts there are, so that it does not walk
 * the primary key instead). */
#define FLOW_SIDE(side, in, lo, hi, filter, order, limit)                                          \
  "(SELECT t.id, " in " AS in_, a.kind AS account, t.kind, t.amount_cents,"                        \
  " t." side "_balance_after AS balance_after, t.cause, t.cause_id, t.created_at"                  \
  " FROM ledger_transfers t WHERE t." side "_account_id = a.id AND t.id > " lo                     \
  " AND t.id <= " hi filter " ORDER BY t.id " order " LIMIT " limit ")"
/* The flows page's type filter: $4, a text[] of ledger kinds, or NULL. */
#define FLOW_KINDS " AND ($4::text[] IS NULL OR t.kind = ANY ($4::text[]))"

/* The columns of a flow row over a subquery f of FLOW_SIDE rows, in
 * read_flow's order, and the joins naming the order each concerns. */
#define FLOW_COLUMNS                                                                               \
  "f.id, f.in_, f.account, f.kind, f.amount_cents, f.balance_after, f.cause, f.cause_id,"          \
  " coalesce(o.order_sn, ao.order_sn), ts_to_us(f.created_at)"
#define FLOW_LINKS                                                                                 \
  " LEFT JOIN orders o ON f.cause IN ('order', 'review_close') AND o.id = f.cause_id"              \
  " LEFT JOIN after_sales af ON f.cause = 'after_sale' AND af.id = f.cause_id"                     \
  " LEFT JOIN orders ao ON ao.id = af.order_id"
#define FLOW_NCOLUMNS 10

static void read_flow(const PGresult *res, int r, int c, struct db_flow *f)
{
  f->transfer_id = db_get_int64(res, r, c);
  f->in = db_get_bool(res, r, c + 1);
  f->account = PQgetvalue(res, r, c + 2);
  f->kind = PQgetvalue(res, r, c + 3);
  f->amount_cents = db_get_int64(res, r, c + 4);
  f->balance_after = db_get_int64(res, r, c + 5);
  f->cause = PQgetvalue(res, r, c + 6);
  f->cause_id = db_get_int64(res, r, c + 7);
  f->order_sn = db_get_text(res, r, c + 8);
  f->created_at = db_get_int64(res, r, c + 9);
}

struct flow_rows {
  db_flow_fn fn;
  void *arg;
};

static void flow_row(const PGresult *res, int r, void *arg)
{
  struct flow_rows *fr = arg;
  if (PQgetisnull(res, r, 0))
    return; /* the owned shop's one row when the page is empty */
  struct db_flow f;
  read_flow(res, r, 0, &f);
  fr->fn(&f, fr->arg);
}

enum db_status db_funds_flows_page(int64_t merchant_id, const struct db_flow_filter *f,
                                   db_flow_fn fn, void *arg)
{
  /* $1 shop, $2 merchant, $3 account kind or NULL, $4 ledger kinds or
   * NULL, $5 from, $6 to (microseconds or NULL), $7 and $8 the highest id
   * a credit and a debit row may have after the cursor, $9 the rows. The
   * time window becomes ids (lo, hi] per account; the shop's row comes
   * back even when no flow does, so an empty page is told from a shop
   * that is not the merchant's. */
  // clang-format off
  static struct db_stmt q = DB_STMT(9,
      "SELECT " FLOW_COLUMNS " FROM shops s LEFT JOIN LATERAL ("
        "SELECT x.* FROM ledger_accounts a"
        " CROSS JOIN LATERAL ledger_position(a.id, us_to_ts($5)) p0"
        " CROSS JOIN LATERAL ledger_position(a.id, us_to_ts($6)) p1"
        " CROSS JOIN LATERAL (SELECT p0.transfer_id AS lo, CASE WHEN $6::bigint IS NULL"
        " THEN 9223372036854775807 ELSE p1.transfer_id END AS hi) w"
        " CROSS JOIN LATERAL ("
          FLOW_SIDE("credit", "true", "w.lo", "least(w.hi, $7::bigint)", FLOW_KINDS, "DESC", "$9")
          " UNION ALL "
          FLOW_SIDE("debit", "false", "w.lo", "least(w.hi, $8::bigint)", FLOW_KINDS, "DESC", "$9")
        ") x"
        " WHERE a.shop_id = s.id AND ($3::text IS NULL OR a.kind = $3::text)"
        " ORDER BY x.id DESC, x.in_ DESC LIMIT $9) f ON true"
      FLOW_LINKS
      " WHERE s.id = $1 AND s.merchant_id = $2 ORDER BY f.id DESC, f.in_ DESC");
  // clang-format on
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], fb[DB_INT64_SIZE], tb[DB_INT64_SIZE],
      cb[DB_INT64_SIZE], db[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  /* After the row (id, in) of the cursor, newest first with money in
   * before money out: credit rows below id; debit rows below id, or at it
   * when the cursor's row was the credit side of that transfer. */
  int64_t credit_hi = INT64_MAX, debit_hi = INT64_MAX;
  if (f->has_after) {
    credit_hi = f->after_id - 1;
    debit_hi = f->after_in ? f->after_id : f->after_id - 1;
  }
  const char *p[] = {db_param_int64(sb, f->shop_id),
                     db_param_int64(mb, merchant_id),
                     f->account,
                     f->kinds,
                     f->has_from ? db_param_int64(fb, f->from) : NULL,
                     f->has_to ? db_param_int64(tb, f->to) : NULL,
                     db_param_int64(cb, credit_hi),
                     db_param_int64(db, debit_hi),
                     db_param_int64(lb, f->limit)};
  struct flow_rows fr = {fn, arg};
  enum db_status st = db_each_row(&q, p, flow_row, &fr);
  return st == DB_MANY ? DB_ONE : st;
}

static void read_account(const PGresult *res, int r, void *arg)
{
  if (r >= DB_STATEMENT_ACCOUNTS)
    return;
  struct db_statement_account *a = (struct db_statement_account *)arg + r;
  a->id = db_get_int64(res, r, 0);
  snprintf(a->kind, sizeof a->kind, "%s", PQgetvalue(res, r, 1));
  a->open_id = db_get_int64(res, r, 2);
  a->open_balance = db_get_int64(res, r, 3);
  a->close_id = db_get_int64(res, r, 4);
  a->close_balance = db_get_int64(res, r, 5);
  /* A clock moved back could put to's position before from's: the window
   * is then empty rather than negative. */
  if (a->close_id < a->open_id) {
    a->close_id = a->open_id;
    a->close_balance = a->open_balance;
  }
}

enum db_status db_funds_statement_accounts(int64_t merchant_id, int64_t shop_id, bool has_from,
                                           int64_t from, int64_t to,
                                           struct db_statement_account out[DB_STATEMENT_ACCOUNTS],
                                           int *n)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT a.id, a.kind, p0.transfer_id, p0.balance, p1.transfer_id, p1.balance"
                 " FROM shops s JOIN ledger_accounts a ON a.shop_id = s.id"
                 " CROSS JOIN LATERAL ledger_position(a.id, us_to_ts($3)) p0"
                 " CROSS JOIN LATERAL ledger_position(a.id, us_to_ts($4)) p1"
                 " WHERE s.id = $1 AND s.merchant_id = $2"
                 " ORDER BY array_position(ARRAY['pending', 'available', 'deposit', 'promotion',"
                 " 'debt'], a.kind)");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], fb[DB_INT64_SIZE], tb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id),
                     has_from ? db_param_int64(fb, from) : NULL, db_param_int64(tb, to)};
  memset(out, 0, sizeof *out * DB_STATEMENT_ACCOUNTS);
  enum db_status st = db_each_row(&q, p, read_account, out);
  *n = 0;
  if (st == DB_MANY || st == DB_ONE) {
    while (*n < DB_STATEMENT_ACCOUNTS && out[*n].id != 0)
      (*n)++;
    return DB_MANY;
  }
  return st;
}

static void batch_row(const PGresult *res, int r, void *arg)
{
  struct flow_rows *fr = arg;
  struct db_flow f;
  read_flow(res, r, 0, &f);
  fr->fn(&f, fr->arg);
}

enum db_status db_funds_statement_batch(int64_t merchant_id, int64_t shop_id, int64_t account_id,
                                        int64_t after_id, int64_t until_id, int limit,
                                        db_flow_fn fn, void *arg)
{
  // clang-format off
  static struct db_stmt q = DB_STMT(6,
      "SELECT " FLOW_COLUMNS " FROM (SELECT x.* FROM ledger_accounts a"
        " JOIN shops s ON s.id = a.shop_id AND s.id = $2 AND s.merchant_id = $3"
        " CROSS JOIN LATERAL ("
          FLOW_SIDE("credit", "true", "$4::bigint", "$5::bigint", "", "ASC", "$6")
          " UNION ALL "
          FLOW_SIDE("debit", "false", "$4::bigint", "$5::bigint", "", "ASC", "$6")
        ") x"
        " WHERE a.id = $1 ORDER BY x.id LIMIT $6) f"
      FLOW_LINKS
      " ORDER BY f.id");
  // clang-format on
  char ab[DB_INT64_SIZE], sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], fb[DB_INT64_SIZE],
      ub[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ab, account_id),  db_param_int64(sb, shop_id),
                     db_param_int64(mb, merchant_id), db_param_int64(fb, after_id),
                     db_param_int64(ub, until_id),    db_param_int64(lb, limit)};
  struct flow_rows fr = {fn, arg};
  return db_each_row(&q, p, batch_row, &fr);
}
