#include "letters.h"

#include "db_internal.h"

/* The select list of a letter, over "l"; read_letter reads it from column c.
 * LETTER_BODY is the same with the body. */
#define LETTER_COLUMNS                                                                             \
  "l.id, l.kind, l.title, l.summary, l.order_count, ts_to_us(l.delivered_at),"                     \
  " ts_to_us(l.read_at)"
#define LETTER_NCOLUMNS 7
#define LETTER_BODY     LETTER_COLUMNS ", l.body"

_Static_assert(DB_LETTERS_PAGE_MAX + 1 == 101, "PAGE's inner LIMIT is DB_LETTERS_PAGE_MAX + 1");

/* 0 for SQL NULL. */
static int64_t int64_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

static void read_letter(const PGresult *res, int r, int c, bool with_body, struct db_letter *l)
{
  l->id = db_get_int64(res, r, c);
  l->kind = PQgetvalue(res, r, c + 1);
  l->title = PQgetvalue(res, r, c + 2);
  l->summary = PQgetvalue(res, r, c + 3);
  l->order_count = db_get_int64(res, r, c + 4);
  l->delivered_at = db_get_int64(res, r, c + 5);
  l->read_at = int64_or_zero(res, r, c + 6);
  l->body = with_body ? PQgetvalue(res, r, c + LETTER_NCOLUMNS) : NULL;
}

/* The page: the shop's unread count and, when the page is not empty, one
 * row per letter (a single row of NULL letter columns otherwise). The inner
 * LIMIT is a constant and the real one ($5) is applied outside, as in
 * db/shop_orders.c, so that the generic plan keeps the index scan. */
#define PAGE(unread_filter)                                                                        \
  DB_STMT(5, "SELECT k.unread, " LETTER_COLUMNS " FROM shops s CROSS JOIN LATERAL"                 \
             " (SELECT coalesce(sum(c.n), 0)::bigint AS unread FROM shop_order_counts c"           \
             " WHERE c.shop_id = s.id AND c.tab = 'unread_letters') k"                             \
             " LEFT JOIN LATERAL (SELECT * FROM letters l WHERE l.shop_id = s.id" unread_filter    \
             " AND (l.delivered_at, l.id) < (us_to_ts($3), $4)"                                    \
             " ORDER BY l.delivered_at DESC, l.id DESC LIMIT 101) l ON true"                       \
             " WHERE s.id = $1 AND s.merchant_id = $2 LIMIT $5")

struct page_rows {
  db_letter_fn fn;
  void *arg;
  int64_t *unread;
};

static void page_row(const PGresult *res, int r, void *arg)
{
  struct page_rows *rows = arg;
  *rows->unread = db_get_int64(res, r, 0);
  if (PQgetisnull(res, r, 1))
    return;
  struct db_letter l;
  read_letter(res, r, 1, false, &l);
  rows->fn(&l, rows->arg);
}

enum db_status db_letters_page(const struct db_letter_page *p, db_letter_fn fn, void *arg,
                               int64_t *unread)
{
  static struct db_stmt all = PAGE(""), unread_only = PAGE(" AND l.read_at IS NULL");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], kb[DB_INT64_SIZE], ib[DB_INT64_SIZE],
      lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(sb, p->shop_id), db_param_int64(mb, p->merchant_id),
                          db_param_int64(kb, p->after_key), db_param_int64(ib, p->after_id),
                          db_param_int64(lb, p->limit)};
  struct page_rows rows = {fn, arg, unread};
  *unread = 0;
  return db_each_row(p->unread_only ? &unread_only : &all, params, page_row, &rows);
}

struct letter_rows {
  db_letter_fn fn;
  db_letter_line_fn line_fn;
  void *arg;
};

/* Every row repeats the letter; the first hands it on, each its line. */
static void letter_row(const PGresult *res, int r, void *arg)
{
  struct letter_rows *rows = arg;
  if (r == 0) {
    struct db_letter l;
    read_letter(res, r, 0, true, &l);
    rows->fn(&l, rows->arg);
  }
  int c = LETTER_NCOLUMNS + 1;
  if (rows->line_fn == NULL || PQgetisnull(res, r, c))
    return;
  struct db_letter_line d = {
      .order_id = db_get_int64(res, r, c),
      .order_sn = PQgetvalue(res, r, c + 1),
      .buyer_name = PQgetvalue(res, r, c + 2),
      .items_cents = db_get_int64(res, r, c + 3),
      .total_cents = db_get_int64(res, r, c + 4),
      .action = PQgetvalue(res, r, c + 5),
      .reason = db_get_text(res, r, c + 6),
      .note = db_get_text(res, r, c + 7),
      .deadline = int64_or_zero(res, r, c + 8),
      .acted_at = db_get_int64(res, r, c + 9),
  };
  rows->line_fn(&d, rows->arg);
}

/* attachment: the CSV attachment's read, which may run on the replica
 * (db_replica_exec); the letter page itself reads the primary, which has
 * the read mark the merchant may just have set. */
static enum db_status letter_get(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                                 db_letter_fn fn, db_letter_line_fn line_fn, void *arg,
                                 bool attachment)
{
  static struct db_stmt q = DB_STMT(
      3, "SELECT " LETTER_BODY ", d.order_id, d.order_sn, d.buyer_name, d.items_cents,"
         " d.total_cents, d.action, d.reason, d.note, ts_to_us(d.deadline), ts_to_us(d.acted_at)"
         " FROM letters l JOIN shops s ON s.id = l.shop_id AND s.merchant_id = $1"
         " LEFT JOIN LATERAL letter_lines(l.id) d ON true WHERE l.id = $3 AND l.shop_id = $2");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                          db_param_int64(lb, letter_id)};
  struct letter_rows rows = {fn, line_fn, arg};
  enum db_status st =
      attachment ? db_replica_each_row(DB_READ_LETTER_ATTACHMENT, &q, params, letter_row, &rows)
                 : db_each_row(&q, params, letter_row, &rows);
  return st == DB_MANY ? DB_ONE : st;
}

enum db_status db_letter_get(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                             db_letter_fn fn, db_letter_line_fn line_fn, void *arg)
{
  return letter_get(merchant_id, shop_id, letter_id, fn, line_fn, arg, false);
}

enum db_status db_letter_attachment(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                                    db_letter_fn fn, db_letter_line_fn line_fn, void *arg)
{
  return letter_get(merchant_id, shop_id, letter_id, fn, line_fn, arg, true);
}

static void read_row(const PGresult *res, int r, void *arg)
{
  struct letter_rows *rows = arg;
  struct db_letter l;
  read_letter(res, r, 0, true, &l);
  rows->fn(&l, rows->arg);
}

enum db_status db_letter_mark_read(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                                   int64_t now, db_letter_fn fn, void *arg)
{
  /* coalesce rather than "WHERE read_at IS NULL": of two concurrent reads
   * the second, once the first commits, re-reads the row and keeps the
   * first read_at, and still returns the letter. */
  static struct db_stmt q =
      DB_STMT(4, "UPDATE letters l SET read_at = coalesce(l.read_at, us_to_ts($4)) FROM shops s"
                 " WHERE l.id = $3 AND l.shop_id = $2 AND s.id = l.shop_id AND s.merchant_id = $1"
                 " RETURNING " LETTER_BODY);
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], lb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                          db_param_int64(lb, letter_id), db_param_int64(nb, now)};
  struct letter_rows rows = {fn, NULL, arg};
  return db_each_row(&q, params, read_row, &rows);
}

static void read_count(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_letters_deliver(int64_t now, const char *zone, int limit, int64_t *delivered)
{
  static struct db_stmt q = DB_STMT(3, "SELECT letters_deliver(us_to_ts($1), $2, $3)");
  char nb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(nb, now), zone, db_param_int64(lb, limit)};
  *delivered = 0;
  return db_query_row(&q, params, read_count, delivered);
}
