#include "chat_search.h"

#include "db_internal.h"

#include <stddef.h>

_Static_assert(DB_CHAT_SEARCH_SNIPPET == 60, "the statement's snippet width is 60");

struct hit_rows {
  db_chat_hit_fn fn;
  void *arg;
};

static void hit_row(const PGresult *res, int r, void *arg)
{
  struct hit_rows *rows = arg;
  struct db_chat_hit h = {
      .id = db_get_int64(res, r, 0),
      .conversation_id = db_get_int64(res, r, 1),
      .sender = PQgetvalue(res, r, 2),
      .sender_id = PQgetisnull(res, r, 3) ? 0 : db_get_int64(res, r, 3),
      .type = PQgetvalue(res, r, 4),
      .text = PQgetvalue(res, r, 5),
      .created_at = db_get_int64(res, r, 6),
      .buyer_id = db_get_int64(res, r, 7),
      .buyer_name = PQgetvalue(res, r, 8),
      .snippet = PQgetvalue(res, r, 9),
      .match_start = db_get_int64(res, r, 10),
      .match_length = db_get_int64(res, r, 11),
  };
  rows->fn(&h, rows->arg);
}

/* The snippet is w = max(60, length of the query) characters of the text,
 * the match centred in it where the text allows. position() over the
 * lower-cased text counts characters as in the text (lower() maps character
 * to character). */
enum db_status db_chat_search(const struct db_chat_search *s, db_chat_hit_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      7, "SELECT m.id, m.conversation_id, m.sender, m.sender_id, m.type, m.body,"
         " ts_to_us(m.created_at), c.buyer_id, a.display_name,"
         " substr(m.body, h.s, h.w), h.p - h.s, h.l"
         " FROM chat_search($1, $2, $3, us_to_ts($4), us_to_ts($5), $6, $7) f (id)"
         " JOIN messages m ON m.id = f.id"
         " JOIN conversations c ON c.id = m.conversation_id"
         " JOIN accounts a ON a.id = c.buyer_id"
         " CROSS JOIN LATERAL (SELECT position(lower($2) IN lower(m.body)) AS p,"
         " char_length($2) AS l, greatest(60, char_length($2)) AS w) k"
         " CROSS JOIN LATERAL (SELECT k.p, k.l, k.w, greatest(1, least(k.p - (k.w - k.l) / 2,"
         " char_length(m.body) - k.w + 1)) AS s) h"
         " ORDER BY m.id DESC");
  char sb[DB_INT64_SIZE], bb[DB_INT64_SIZE], fb[DB_INT64_SIZE], tb[DB_INT64_SIZE],
      ib[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *params[] = {db_param_int64(sb, s->shop_id),
                          s->query,
                          s->buyer_id != 0 ? db_param_int64(bb, s->buyer_id) : NULL,
                          s->has_from ? db_param_int64(fb, s->from) : NULL,
                          s->has_to ? db_param_int64(tb, s->to) : NULL,
                          db_param_int64(ib, s->before_id),
                          db_param_int64(lb, s->limit)};
  struct hit_rows rows = {fn, arg};
  return db_replica_each_row(DB_READ_CHAT_SEARCH, &q, params, hit_row, &rows);
}
