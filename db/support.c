#include "support.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The select list of a support conversation, over "v" (conversation_view
 * or conversation_fresh), "s" (its shop), "ma" (its merchant) and "st"
 * (its claimer, LEFT JOIN). */
#define SUPPORT_COLUMNS                                                                            \
  "v.id, v.shop_id, v.merchant_id, v.staff_id, s.name, ma.display_name, st.display_name,"          \
  " CASE WHEN v.closed_at IS NOT NULL THEN 'closed' WHEN v.staff_id IS NOT NULL THEN 'claimed'"    \
  " WHEN v.waiting_since IS NOT NULL THEN 'queued' ELSE 'open' END, v.last_message_id,"            \
  " v.last_type, v.last_sender, v.last_preview, ts_to_us(v.last_created_at),"                      \
  " ts_to_us(v.last_activity_at), v.merchant_unread, v.staff_unread, v.awaiting_reply,"            \
  " ts_to_us(v.waiting_since), ts_to_us(v.claimed_at), ts_to_us(v.closed_at),"                     \
  " ts_to_us(v.created_at), v.merchant_read_up_to, v.staff_read_up_to"
#define SUPPORT_JOINS                                                                              \
  " JOIN shops s ON s.id = v.shop_id JOIN accounts ma ON ma.id = v.merchant_id"                    \
  " LEFT JOIN accounts st ON st.id = v.staff_id"

static int64_t int64_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

static void read_support(const PGresult *res, int r, int c, struct db_support *v)
{
  v->id = db_get_int64(res, r, c);
  v->shop_id = db_get_int64(res, r, c + 1);
  v->merchant_id = db_get_int64(res, r, c + 2);
  v->staff_id = int64_or_zero(res, r, c + 3);
  v->shop_name = PQgetvalue(res, r, c + 4);
  v->merchant_name = PQgetvalue(res, r, c + 5);
  v->staff_name = PQgetvalue(res, r, c + 6);
  v->status = PQgetvalue(res, r, c + 7);
  v->last_message_id = int64_or_zero(res, r, c + 8);
  v->last_type = PQgetvalue(res, r, c + 9);
  v->last_sender = PQgetvalue(res, r, c + 10);
  v->last_preview = PQgetvalue(res, r, c + 11);
  v->last_created_at = int64_or_zero(res, r, c + 12);
  v->last_activity_at = db_get_int64(res, r, c + 13);
  v->merchant_unread = db_get_int64(res, r, c + 14);
  v->staff_unread = db_get_int64(res, r, c + 15);
  v->awaiting_reply = db_get_bool(res, r, c + 16);
  v->waiting_since = int64_or_zero(res, r, c + 17);
  v->claimed_at = int64_or_zero(res, r, c + 18);
  v->closed_at = int64_or_zero(res, r, c + 19);
  v->created_at = db_get_int64(res, r, c + 20);
  v->merchant_read_up_to = int64_or_zero(res, r, c + 21);
  v->staff_read_up_to = int64_or_zero(res, r, c + 22);
}

/* Rows of a result code, maybe "created", then (on "ok") a conversation. */
struct result_rows {
  char *code;
  bool *created; /* may be NULL */
  db_support_fn fn;
  void *arg;
};

static void result_row(const PGresult *res, int r, void *arg)
{
  struct result_rows *rows = arg;
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  if (rows->created != NULL)
    *rows->created = db_get_bool(res, r, 1);
  if (strcmp(rows->code, "ok") != 0 || PQgetisnull(res, r, 2))
    return;
  struct db_support v;
  read_support(res, r, 2, &v);
  rows->fn(&v, rows->arg);
}

/* conversation_fresh reads the row with a snapshot taken after the
 * function that changed it ran, in the same round trip. */
#define FRESH(id)                                                                                  \
  " LEFT JOIN LATERAL (SELECT * FROM conversation_fresh(" id ")) v ON true"                        \
  " LEFT JOIN shops s ON s.id = v.shop_id LEFT JOIN accounts ma ON ma.id = v.merchant_id"          \
  " LEFT JOIN accounts st ON st.id = v.staff_id"

enum db_status db_support_open(int64_t merchant_id, int64_t shop_id, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], bool *created, db_support_fn fn,
                               void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT r.result, r.created, " SUPPORT_COLUMNS
                 " FROM support_open($1, $2, us_to_ts($3)) r" FRESH("r.conversation_id"));
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id),
                     db_param_int64(nb, now)};
  struct result_rows rows = {code, created, fn, arg};
  code[0] = '\0';
  *created = false;
  return db_each_row(&q, p, result_row, &rows);
}

/* A staff member's action on a support conversation: the SQL function
 * fn_(staff, conversation, now) returns its result code, and on 'ok' the
 * conversation is read back as it is after the action. */
#define STAFF_ACTION(fn_)                                                                          \
  "SELECT r.r, NULL, " SUPPORT_COLUMNS " FROM " fn_                                                \
  "($1, $2, us_to_ts($3)) r (r)" FRESH("CASE WHEN r.r = 'ok' THEN $2::bigint END")

static enum db_status staff_action(struct db_stmt *q, int64_t staff_id, int64_t conversation_id,
                                   int64_t now, char code[DB_RESULT_CODE_SIZE], db_support_fn fn,
                                   void *arg)
{
  char sb[DB_INT64_SIZE], cb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, staff_id), db_param_int64(cb, conversation_id),
                     db_param_int64(nb, now)};
  struct result_rows rows = {code, NULL, fn, arg};
  code[0] = '\0';
  return db_each_row(q, p, result_row, &rows);
}

enum db_status db_support_claim(int64_t staff_id, int64_t conversation_id, int64_t now,
                                char code[DB_RESULT_CODE_SIZE], db_support_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(3, STAFF_ACTION("support_claim"));
  return staff_action(&q, staff_id, conversation_id, now, code, fn, arg);
}

enum db_status db_support_close(int64_t staff_id, int64_t conversation_id, int64_t now,
                                char code[DB_RESULT_CODE_SIZE], db_support_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(3, STAFF_ACTION("support_close"));
  return staff_action(&q, staff_id, conversation_id, now, code, fn, arg);
}

struct page_rows {
  db_support_fn fn;
  void *arg;
};

/* A row of a list; the shop list's rows have the conversation after a
 * leading column (NULL columns: the shop has none on this page). */
static void page_row(const PGresult *res, int r, void *arg)
{
  struct page_rows *rows = arg;
  if (PQgetisnull(res, r, 0))
    return;
  struct db_support v;
  read_support(res, r, 0, &v);
  rows->fn(&v, rows->arg);
}

enum db_status db_support_page(const struct db_support_page *p, db_support_fn fn, void *arg)
{
  /* Each walks its partial index of 0037 by keyset. */
  static struct db_stmt queue =
      DB_STMT(3, "SELECT " SUPPORT_COLUMNS " FROM conversation_view v" SUPPORT_JOINS
                 " WHERE v.kind = 'support' AND v.staff_id IS NULL AND v.closed_at IS NULL"
                 " AND v.waiting_since IS NOT NULL AND (v.waiting_since, v.id) > (us_to_ts($1), $2)"
                 " ORDER BY v.waiting_since, v.id LIMIT $3");
  static struct db_stmt mine =
      DB_STMT(4, "SELECT " SUPPORT_COLUMNS " FROM conversation_view v" SUPPORT_JOINS
                 " WHERE v.kind = 'support' AND v.staff_id = $4"
                 " AND (v.last_activity_at, v.id) < (us_to_ts($1), $2)"
                 " ORDER BY v.last_activity_at DESC, v.id DESC LIMIT $3");
  /* Ownership folded in: no row when the shop is not the merchant's. */
  static struct db_stmt shop = DB_STMT(
      5, "SELECT x.* FROM shops o LEFT JOIN LATERAL (SELECT " SUPPORT_COLUMNS
         " FROM conversation_view v" SUPPORT_JOINS " WHERE v.kind = 'support' AND v.shop_id = o.id"
         " AND (v.last_activity_at, v.id) < (us_to_ts($1), $2)"
         " ORDER BY v.last_activity_at DESC, v.id DESC LIMIT $3) x ON true"
         " WHERE o.id = $4 AND o.merchant_id = $5");
  char kb[DB_INT64_SIZE], ib[DB_INT64_SIZE], lb[DB_INT64_SIZE], ab[DB_INT64_SIZE],
      sb[DB_INT64_SIZE];
  const char *params[5] = {db_param_int64(kb, p->key), db_param_int64(ib, p->id),
                           db_param_int64(lb, p->limit)};
  struct db_stmt *q = &queue;
  if (p->list == DB_SUPPORT_MINE) {
    q = &mine;
    params[3] = db_param_int64(ab, p->account_id);
  } else if (p->list == DB_SUPPORT_SHOP) {
    q = &shop;
    params[3] = db_param_int64(sb, p->shop_id);
    params[4] = db_param_int64(ab, p->account_id);
  }
  struct page_rows rows = {fn, arg};
  enum db_status st = db_each_row(q, params, page_row, &rows);
  if (p->list != DB_SUPPORT_SHOP && st == DB_NONE)
    return DB_ONE; /* an empty list */
  return st == DB_MANY ? DB_ONE : st;
}

enum db_status db_support_release(int64_t staff_id, int64_t conversation_id, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_support_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(3, STAFF_ACTION("support_release"));
  return staff_action(&q, staff_id, conversation_id, now, code, fn, arg);
}
