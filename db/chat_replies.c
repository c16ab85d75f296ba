#include "chat_replies.h"

#include "db_internal.h"

#include <stdio.h>

#define QUICK_REPLY_COLUMNS                                                                        \
  "q.id, q.text, q.group_name, q.position, ts_to_us(q.created_at), ts_to_us(q.updated_at)"

struct quick_reply_rows {
  db_quick_reply_fn fn;
  void *arg;
};

/* Hands one row to the callback; a shop without quick replies is one row
 * of NULLs (the shop exists, the list is empty). */
static void quick_reply_row(const PGresult *res, int r, void *arg)
{
  struct quick_reply_rows *rows = arg;
  if (PQgetisnull(res, r, 0))
    return;
  struct db_quick_reply q = {
      .id = db_get_int64(res, r, 0),
      .text = PQgetvalue(res, r, 1),
      .group = PQgetvalue(res, r, 2),
      .position = db_get_int64(res, r, 3),
      .created_at = db_get_int64(res, r, 4),
      .updated_at = db_get_int64(res, r, 5),
  };
  rows->fn(&q, rows->arg);
}

enum db_status db_quick_replies_of_shop(int64_t merchant_id, int64_t shop_id, db_quick_reply_fn fn,
                                        void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT " QUICK_REPLY_COLUMNS " FROM shops s"
                 " LEFT JOIN quick_replies q ON q.shop_id = s.id AND q.deleted_at IS NULL"
                 " WHERE s.id = $1 AND s.merchant_id = $2 ORDER BY q.group_name, q.position, q.id");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  struct quick_reply_rows rows = {fn, arg};
  return db_each_row(&q, p, quick_reply_row, &rows);
}

struct add_out {
  char *code;
  int64_t *id;
};

static void read_add(const PGresult *res, void *arg)
{
  struct add_out *out = arg;
  snprintf(out->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 0));
  if (!PQgetisnull(res, 0, 1))
    *out->id = db_get_int64(res, 0, 1);
}

enum db_status db_quick_reply_add(int64_t merchant_id, int64_t shop_id, const char *text,
                                  const char *group, int64_t position, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], int64_t *id)
{
  static struct db_stmt q =
      DB_STMT(7, "SELECT code, id FROM quick_reply_add($1, $2, $3, $4, $5::integer, $6::integer,"
                 " us_to_ts($7))");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE], pb[DB_INT64_SIZE], xb[DB_INT64_SIZE],
      nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id),
                     db_param_int64(sb, shop_id),
                     text,
                     group,
                     db_param_int64(pb, position),
                     db_param_int64(xb, DB_QUICK_REPLIES_CEILING),
                     db_param_int64(nb, now)};
  struct add_out out = {code, id};
  code[0] = '\0';
  return db_query_row(&q, p, read_add, &out);
}

enum db_status db_quick_reply_update(int64_t merchant_id, int64_t shop_id, int64_t id,
                                     const char *text, const char *group, int64_t position,
                                     int64_t now, db_quick_reply_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(7, "UPDATE quick_replies q SET text = coalesce($4::text, q.text),"
                 " group_name = coalesce($5::text, q.group_name),"
                 " position = CASE WHEN $6::integer < 0 THEN q.position ELSE $6::integer END,"
                 " updated_at = us_to_ts($7)"
                 " FROM shops s WHERE q.id = $3 AND q.shop_id = $1 AND q.deleted_at IS NULL"
                 " AND s.id = q.shop_id AND s.merchant_id = $2 RETURNING " QUICK_REPLY_COLUMNS);
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], ib[DB_INT64_SIZE], pb[DB_INT64_SIZE],
      nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id),
                     db_param_int64(mb, merchant_id),
                     db_param_int64(ib, id),
                     text,
                     group,
                     db_param_int64(pb, position < 0 ? -1 : position),
                     db_param_int64(nb, now)};
  struct quick_reply_rows rows = {fn, arg};
  return db_each_row(&q, p, quick_reply_row, &rows);
}

enum db_status db_quick_reply_delete(int64_t merchant_id, int64_t shop_id, int64_t id, int64_t now)
{
  static struct db_stmt q =
      DB_STMT(4, "UPDATE quick_replies q SET deleted_at = us_to_ts($4), updated_at = us_to_ts($4)"
                 " FROM shops s WHERE q.id = $3 AND q.shop_id = $1 AND q.deleted_at IS NULL"
                 " AND s.id = q.shop_id AND s.merchant_id = $2");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], ib[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id),
                     db_param_int64(ib, id), db_param_int64(nb, now)};
  return db_run(&q, p);
}

struct auto_reply_call {
  db_auto_reply_fn fn;
  void *arg;
};

static void read_auto_reply(const PGresult *res, void *arg)
{
  struct auto_reply_call *call = arg;
  struct db_auto_reply a = {
      .greeting = db_get_text(res, 0, 0),
      .keyword_rules = PQgetvalue(res, 0, 1),
      .away_message = db_get_text(res, 0, 2),
      .away_hours = PQgetvalue(res, 0, 3),
  };
  call->fn(&a, call->arg);
}

enum db_status db_auto_reply_get(int64_t merchant_id, int64_t shop_id, db_auto_reply_fn fn,
                                 void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT a.greeting, coalesce(a.keyword_rules, '[]')::text, a.away_message,"
                 " coalesce(a.away_hours, '[]')::text"
                 " FROM shops s LEFT JOIN auto_replies a ON a.shop_id = s.id"
                 " WHERE s.id = $1 AND s.merchant_id = $2");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id), db_param_int64(mb, merchant_id)};
  struct auto_reply_call call = {fn, arg};
  return db_query_row(&q, p, read_auto_reply, &call);
}

/* One statement: the first PUT of a shop inserts its row (parts not given
 * start off), later ones update only the parts given. */
enum db_status db_auto_reply_put(int64_t merchant_id, int64_t shop_id,
                                 const struct db_auto_reply_change *c, int64_t now,
                                 db_auto_reply_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      10, "INSERT INTO auto_replies AS a"
          " (shop_id, greeting, keyword_rules, away_message, away_hours, updated_at)"
          " SELECT s.id, $4::text, coalesce($6::jsonb, '[]'), $8::text,"
          " coalesce($9::jsonb, '[]'), us_to_ts($10)"
          " FROM shops s WHERE s.id = $1 AND s.merchant_id = $2"
          " ON CONFLICT (shop_id) DO UPDATE SET"
          " greeting = CASE WHEN $3::boolean THEN excluded.greeting ELSE a.greeting END,"
          " keyword_rules = CASE WHEN $5::boolean THEN excluded.keyword_rules"
          " ELSE a.keyword_rules END,"
          " away_message = CASE WHEN $7::boolean THEN excluded.away_message"
          " ELSE a.away_message END,"
          " away_hours = CASE WHEN $7::boolean THEN excluded.away_hours ELSE a.away_hours END,"
          " updated_at = excluded.updated_at"
          " RETURNING a.greeting, a.keyword_rules::text, a.away_message, a.away_hours::text");
  char sb[DB_INT64_SIZE], mb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, shop_id),
                     db_param_int64(mb, merchant_id),
                     c->set_greeting ? "t" : "f",
                     c->set_greeting ? c->greeting : NULL,
                     c->set_rules ? "t" : "f",
                     c->set_rules ? c->keyword_rules : NULL,
                     c->set_away ? "t" : "f",
                     c->set_away ? c->away_message : NULL,
                     c->set_away ? c->away_hours : NULL,
                     db_param_int64(nb, now)};
  struct auto_reply_call call = {fn, arg};
  return db_query_row(&q, p, read_auto_reply, &call);
}
