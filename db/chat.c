#include "chat.h"

#include "db_internal.h"
#include "orders_read.h"

#include <stdio.h>
#include <string.h>

_Static_assert(DB_CHAT_PAGE_MAX + 1 == 101, "the inner LIMITs below are DB_CHAT_PAGE_MAX + 1");

/* The select list of a conversation, over "v" (conversation_view or
 * conversation_fresh); read_conversation reads it from column c. */
#define CONV_COLUMNS                                                                               \
  "v.id, v.shop_id, v.merchant_id, v.buyer_id, v.buyer_name, v.last_message_id, v.last_type,"      \
  " v.last_sender, v.last_preview, ts_to_us(v.last_created_at), ts_to_us(v.last_activity_at),"     \
  " v.merchant_unread, v.buyer_unread, v.awaiting_reply, ts_to_us(v.created_at), v.kind,"          \
  " v.staff_id, v.staff_unread, v.merchant_read_up_to, v.buyer_read_up_to, v.staff_read_up_to"

/* The select list of a message, over "m"; read_message reads it from c. */
#define MESSAGE_COLUMNS                                                                            \
  "m.id, m.conversation_id, m.sender, m.sender_id, m.type, m.body, m.card,"                        \
  " ts_to_us(m.created_at)"

/* 0 for SQL NULL. */
static int64_t int64_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

static void read_conversation(const PGresult *res, int r, int c, struct db_conversation *v)
{
  v->id = db_get_int64(res, r, c);
  v->shop_id = db_get_int64(res, r, c + 1);
  v->merchant_id = db_get_int64(res, r, c + 2);
  v->buyer_id = int64_or_zero(res, r, c + 3);
  v->buyer_name = PQgetvalue(res, r, c + 4);
  v->last_message_id = int64_or_zero(res, r, c + 5);
  v->last_type = PQgetvalue(res, r, c + 6);
  v->last_sender = PQgetvalue(res, r, c + 7);
  v->last_preview = PQgetvalue(res, r, c + 8);
  v->last_created_at = int64_or_zero(res, r, c + 9);
  v->last_activity_at = db_get_int64(res, r, c + 10);
  v->merchant_unread = db_get_int64(res, r, c + 11);
  v->buyer_unread = db_get_int64(res, r, c + 12);
  v->awaiting_reply = db_get_bool(res, r, c + 13);
  v->created_at = db_get_int64(res, r, c + 14);
  v->kind = PQgetvalue(res, r, c + 15);
  v->staff_id = int64_or_zero(res, r, c + 16);
  v->staff_unread = db_get_int64(res, r, c + 17);
  v->merchant_read_up_to = db_get_int64(res, r, c + 18);
  v->buyer_read_up_to = db_get_int64(res, r, c + 19);
  v->staff_read_up_to = db_get_int64(res, r, c + 20);
}

static void read_message(const PGresult *res, int r, int c, struct db_message *m)
{
  m->id = db_get_int64(res, r, c);
  m->conversation_id = db_get_int64(res, r, c + 1);
  m->sender = PQgetvalue(res, r, c + 2);
  m->sender_id = int64_or_zero(res, r, c + 3);
  m->type = PQgetvalue(res, r, c + 4);
  m->body = PQgetvalue(res, r, c + 5);
  m->card = db_get_text(res, r, c + 6);
  m->created_at = db_get_int64(res, r, c + 7);
}

/* Rows that start with a result code, then (on "ok") a conversation. */
struct conv_rows {
  char *code;
  bool *created; /* may be NULL */
  db_conversation_fn fn;
  void *arg;
};

static void conv_result_row(const PGresult *res, int r, void *arg)
{
  struct conv_rows *rows = arg;
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  if (rows->created != NULL)
    *rows->created = db_get_bool(res, r, 1);
  if (strcmp(rows->code, "ok") != 0 || PQgetisnull(res, r, 2))
    return;
  struct db_conversation v;
  read_conversation(res, r, 2, &v);
  rows->fn(&v, rows->arg);
}

enum db_status db_conversation_open(int64_t buyer_id, int64_t shop_id, int64_t now,
                                    char code[DB_RESULT_CODE_SIZE], bool *created,
                                    db_conversation_fn fn, void *arg)
{
  /* conversation_fresh reads the row (and a greeting an auto-reply trigger
   * may have added) with a snapshot taken after conversation_open ran. */
  static struct db_stmt q =
      DB_STMT(3, "SELECT r.result, r.created, " CONV_COLUMNS
                 " FROM conversation_open($1, $2, us_to_ts($3)) r"
                 " LEFT JOIN LATERAL conversation_fresh(r.conversation_id) v ON true");
  char bb[DB_INT64_SIZE], sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, buyer_id), db_param_int64(sb, shop_id),
                     db_param_int64(nb, now)};
  struct conv_rows rows = {code, created, fn, arg};
  code[0] = '\0';
  *created = false;
  return db_each_row(&q, p, conv_result_row, &rows);
}

/* Shop list rows: the three counts, then a conversation (NULL columns when
 * the page is empty). */
struct page_rows {
  db_conversation_fn fn;
  void *arg;
  struct db_conversation_counts *counts;
};

static void shop_page_row(const PGresult *res, int r, void *arg)
{
  struct page_rows *rows = arg;
  rows->counts->all = db_get_int64(res, r, 0);
  rows->counts->unread = db_get_int64(res, r, 1);
  rows->counts->unreplied = db_get_int64(res, r, 2);
  if (PQgetisnull(res, r, 3))
    return;
  struct db_conversation v;
  read_conversation(res, r, 3, &v);
  rows->fn(&v, rows->arg);
}

// clang-format off
#define COUNT(tab) "coalesce(sum(k.n) FILTER (WHERE k.tab = '" tab "'), 0)::bigint"
/* The shop's page with its counts, ownership folded in ($2): no row when
 * the shop is not the merchant's. The filters repeat the predicates of
 * 0005's partial indexes, so each list walks its own index by keyset; the
 * shop's support conversations (kind support) are not in these lists. */
#define SHOP_PAGE(filter) \
  DB_STMT(5, "SELECT k.*, " CONV_COLUMNS " FROM shops s CROSS JOIN LATERAL" \
             " (SELECT " COUNT("conversations") " AS a, " COUNT("unread_conversations") " AS u, " \
             COUNT("unreplied_conversations") " AS w FROM shop_order_counts k WHERE k.shop_id = s.id) k" \
             " LEFT JOIN LATERAL (SELECT * FROM conversation_view v WHERE v.shop_id = s.id" \
             " AND v.kind = 'buyer'" filter \
             " AND (v.last_activity_at, v.id) < (us_to_ts($3), $4)" \
             " ORDER BY v.last_activity_at DESC, v.id DESC LIMIT 101) v ON true" \
             " WHERE s.id = $1 AND s.merchant_id = $2 LIMIT $5")
// clang-format on

enum db_status db_shop_conversations_page(const struct db_conversation_page *p,
                                          db_conversation_fn fn, void *arg,
                                          struct db_conversation_counts *counts)
{
  static struct db_stmt stmts[] = {
      [DB_CONVERSATIONS_ALL] = SHOP_PAGE(""),
      [DB_CONVERSATIONS_UNREAD] = SHOP_PAGE(" AND v.merchant_unread > 0"),
      [DB_CONVERSATIONS_UNREPLIED] = SHOP_PAGE(" AND v.awaiting_reply"),
  };
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], kb[DB_INT64_SIZE], ib[DB_INT64_SIZE],
      lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(sb, p->shop_id), db_param_int64(mb, p->account_id),
                          db_param_int64(kb, p->before_key), db_param_int64(ib, p->before_id),
                          db_param_int64(lb, p->limit)};
  struct page_rows rows = {fn, arg, counts};
  memset(counts, 0, sizeof *counts);
  enum db_status st = db_each_row(&stmts[p->filter], params, shop_page_row, &rows);
  return st == DB_MANY ? DB_ONE : st;
}

static void buyer_page_row(const PGresult *res, int r, void *arg)
{
  struct page_rows *rows = arg;
  struct db_conversation v;
  read_conversation(res, r, 0, &v);
  rows->fn(&v, rows->arg);
}

enum db_status db_buyer_conversations_page(const struct db_conversation_page *p,
                                           db_conversation_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT " CONV_COLUMNS " FROM conversation_view v WHERE v.buyer_id = $1"
                 " AND (v.last_activity_at, v.id) < (us_to_ts($2), $3)"
                 " ORDER BY v.last_activity_at DESC, v.id DESC LIMIT $4");
  char bb[DB_INT64_SIZE], kb[DB_INT64_SIZE], ib[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(bb, p->account_id), db_param_int64(kb, p->before_key),
                          db_param_int64(ib, p->before_id), db_param_int64(lb, p->limit)};
  struct page_rows rows = {fn, arg, NULL};
  return db_each_row(&q, params, buyer_page_row, &rows);
}

struct message_rows {
  const struct db_message_page *page;
  db_message_fn fn;
  void *arg;
  bool *more;
};

/* The query returns up to limit + 1 messages in ascending order: the one
 * beyond the page is the oldest (older pages) or the newest (newer ones). */
static void page_message_row(const PGresult *res, int r, void *arg)
{
  struct message_rows *rows = arg;
  int64_t total = db_get_int64(res, r, 1);
  if (total == 0)
    return; /* the conversation has no message in the window */
  if (total > rows->page->limit) {
    *rows->more = true;
    if (rows->page->newer ? r == total - 1 : r == 0)
      return;
  }
  struct db_message m;
  read_message(res, r, 2, &m);
  rows->fn(&m, rows->arg);
}

// clang-format off
/* The window's messages and how many there are, ownership folded in ($2,
 * and $5: staff previewing the support queue may read an unclaimed support
 * conversation): no row when the conversation is not the caller's, one row of NULL
 * message columns when the window is empty. */
#define MESSAGE_PAGE(cmp, order) \
  DB_STMT(5, "SELECT c.id, count(m.id) OVER (), " MESSAGE_COLUMNS \
             " FROM conversations c LEFT JOIN LATERAL" \
             " (SELECT * FROM messages m WHERE m.conversation_id = c.id AND m.id " cmp " $3" \
             " ORDER BY m.id " order " LIMIT $4) m ON true" \
             " WHERE c.id = $1 AND (c.merchant_id = $2 OR c.buyer_id = $2 OR c.staff_id = $2" \
             " OR ($5 AND c.kind = 'support' AND c.staff_id IS NULL))" \
             " ORDER BY m.id")
// clang-format on

enum db_status db_messages_page(const struct db_message_page *p, db_message_fn fn, void *arg,
                                bool *more)
{
  static struct db_stmt older = MESSAGE_PAGE("<", "DESC"), newer = MESSAGE_PAGE(">", "ASC");
  char cb[DB_INT64_SIZE], ab[DB_INT64_SIZE], bb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(cb, p->conversation_id), db_param_int64(ab, p->caller),
                          db_param_int64(bb, p->bound), db_param_int64(lb, p->limit + 1),
                          p->preview ? "true" : "false"};
  struct message_rows rows = {p, fn, arg, more};
  *more = false;
  enum db_status st = db_each_row(p->newer ? &newer : &older, params, page_message_row, &rows);
  return st == DB_MANY ? DB_ONE : st;
}

/* message_send's row: result, field, then the message's id, sender, body,
 * card and created_at. */
struct send_rows {
  char *code, *field;
  const struct db_message *draft; /* conversation, sender id and type */
  db_message_fn fn;
  void *arg;
};

static void send_row(const PGresult *res, int r, void *arg)
{
  struct send_rows *rows = arg;
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  snprintf(rows->field, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 1));
  if (strcmp(rows->code, "ok") != 0)
    return;
  struct db_message m = *rows->draft;
  m.id = db_get_int64(res, r, 2);
  m.sender = PQgetvalue(res, r, 3);
  m.body = PQgetvalue(res, r, 4);
  m.card = db_get_text(res, r, 5);
  m.created_at = db_get_int64(res, r, 6);
  rows->fn(&m, rows->arg);
}

enum db_status db_message_send(int64_t caller, int64_t conversation_id,
                               const struct db_message_draft *d, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], char field[DB_RESULT_CODE_SIZE],
                               db_message_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(9, "SELECT r.result, r.field, r.message_id, r.sender, r.body, r.card,"
                 " ts_to_us(r.created_at) FROM message_send($1, $2, $3, $4, $5, $6::bigint[], $7,"
                 " us_to_ts($8), $9) r");
  char ab[DB_INT64_SIZE], cb[DB_INT64_SIZE], qb[DB_INT64_SIZE], ob[DB_INT64_SIZE],
      nb[DB_INT64_SIZE], ib[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ab, caller),
                     db_param_int64(cb, conversation_id),
                     d->type,
                     d->body,
                     d->quick_reply_id > 0 ? db_param_int64(qb, d->quick_reply_id) : NULL,
                     d->product_ids,
                     d->order_id > 0 ? db_param_int64(ob, d->order_id) : NULL,
                     db_param_int64(nb, now),
                     d->image_id > 0 ? db_param_int64(ib, d->image_id) : NULL};
  struct db_message draft = {
      .conversation_id = conversation_id, .sender_id = caller, .type = d->type};
  struct send_rows rows = {code, field, &draft, fn, arg};
  code[0] = field[0] = '\0';
  return db_each_row(&q, p, send_row, &rows);
}

enum db_status db_conversation_mark_read(int64_t caller, int64_t conversation_id, int64_t up_to,
                                         int64_t now, char code[DB_RESULT_CODE_SIZE],
                                         db_conversation_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      4, "SELECT r.r, NULL, " CONV_COLUMNS " FROM conversation_read($1, $2, $3, us_to_ts($4)) r (r)"
         " LEFT JOIN LATERAL conversation_fresh(CASE WHEN r.r = 'ok' THEN $2::bigint END) v"
         " ON true");
  char ab[DB_INT64_SIZE], cb[DB_INT64_SIZE], ub[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ab, caller), db_param_int64(cb, conversation_id),
                     db_param_int64(ub, up_to), db_param_int64(nb, now)};
  struct conv_rows rows = {code, NULL, fn, arg};
  code[0] = '\0';
  return db_each_row(&q, p, conv_result_row, &rows);
}

struct order_page_rows {
  db_order_fn fn;
  void *arg;
};

static void order_page_row(const PGresult *res, int r, void *arg)
{
  struct order_page_rows *rows = arg;
  if (!db_get_bool(res, r, 0))
    return; /* the buyer has no order in the window */
  struct db_order o;
  db_order_read(res, r, 1, &o);
  rows->fn(&o, rows->arg);
}

enum db_status db_conversation_orders_page(int64_t merchant_id, int64_t conversation_id,
                                           int64_t before_id, int limit, db_order_fn fn, void *arg)
{
  /* The buyer's orders by the (buyer_id, id) index, those of other shops
   * filtered out: a buyer's orders are few next to a shop's. */
  static struct db_stmt q = DB_STMT(
      4, "SELECT o.id IS NOT NULL, " DB_ORDER_COLUMNS " FROM conversations c LEFT JOIN LATERAL"
         " (SELECT * FROM orders o WHERE o.buyer_id = c.buyer_id AND o.shop_id = c.shop_id"
         " AND o.id < $3 ORDER BY o.id DESC LIMIT $4) o ON true"
         " WHERE c.id = $1 AND c.merchant_id = $2 AND c.kind = 'buyer'");
  char cb[DB_INT64_SIZE], mb[DB_INT64_SIZE], bb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(cb, conversation_id), db_param_int64(mb, merchant_id),
                          db_param_int64(bb, before_id), db_param_int64(lb, limit)};
  struct order_page_rows rows = {fn, arg};
  enum db_status st = db_each_row(&q, params, order_page_row, &rows);
  return st == DB_MANY ? DB_ONE : st;
}
