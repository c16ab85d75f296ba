#include "community.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* A function whose body is always NULL (a deletion). */
static void ignore_json(const char *json, void *arg)
{
  (void)json;
  (void)arg;
}

/* Rows of (id, key, json); a row of NULLs (an empty page joined to what
 * says the list exists) is skipped. */
struct rows {
  db_community_row_fn *fn;
  void *arg;
};

static void keyed_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  if (PQgetisnull(res, r, 0))
    return;
  rows->fn(db_get_int64(res, r, 0), PQgetisnull(res, r, 1) ? 0 : db_get_int64(res, r, 1),
           PQgetvalue(res, r, 2), rows->arg);
}

enum db_status db_community_article_write(int64_t id, int64_t author_id, const char *kind,
                                          const char *body_json, const char *html, int64_t now,
                                          char code[DB_RESULT_CODE_SIZE], db_community_json_fn *fn,
                                          void *arg)
{
  static struct db_stmt q = DB_STMT(
      6,
      "SELECT result, body FROM community_article_write($1, $2, $3, $4::jsonb, $5, us_to_ts($6))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {id > 0 ? db_param_int64(ib, id) : NULL,
                     db_param_int64(ab, author_id),
                     kind,
                     body_json,
                     html,
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_community_article_get(int64_t id, int64_t now, db_community_json_fn *fn,
                                        void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT community_article_json(a, NULL, 'staff', us_to_ts($2))"
                 " FROM community_articles a WHERE a.id = $1");
  char ib[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(nb, now)};
  return db_query_json(&q, p, fn, arg);
}

enum db_status db_community_articles_page(const char *status, int64_t before, int limit,
                                          int64_t now, db_community_row_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT a.id, 0, community_article_json(a, NULL, 'staff', us_to_ts($4))"
                 " FROM community_articles a WHERE a.id < $2 AND ($1::text IS NULL"
                 " OR ($1 = 'hidden' AND a.hidden_at IS NOT NULL)"
                 " OR ($1 = 'scheduled' AND a.hidden_at IS NULL AND a.publish_at > us_to_ts($4))"
                 " OR ($1 = 'published' AND a.hidden_at IS NULL AND a.publish_at <= us_to_ts($4)))"
                 " ORDER BY a.id DESC LIMIT $3");
  char bb[DB_INT64_SIZE], lb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {status, db_param_int64(bb, before > 0 ? before : INT64_MAX),
                     db_param_int64(lb, limit), db_param_int64(nb, now)};
  struct rows rows = {fn, arg};
  return db_each_row(&q, p, keyed_row, &rows);
}

/* The feed's four statements: the page walks its own partial index
 * (community_articles_{,category_}{hot,new}) from the keyset on, in order,
 * and stops at the page; articles still scheduled are skipped on the way.
 * The first page starts above every key, so the row comparison is always
 * the index's condition. With $6 (the first page), the pinned articles
 * follow in the same statement (community_articles_pinned). */
#define FEED_SQL(key, order, keyset, where)                                                        \
  "(SELECT false AS pinned, a.id, " key " AS key,"                                                 \
  " community_article_json(a, NULL, 'feed', us_to_ts($3)) FROM community_articles a"               \
  " WHERE a.hidden_at IS NULL AND NOT a.pinned AND a.publish_at <= us_to_ts($3)" where             \
  " AND " keyset " ORDER BY " order " DESC, a.id DESC LIMIT $2)"                                   \
  " UNION ALL (SELECT true, a.id, ts_to_us(a.publish_at),"                                         \
  " community_article_json(a, NULL, 'feed', us_to_ts($3)) FROM community_articles a"               \
  " WHERE $6 AND a.hidden_at IS NULL AND a.pinned AND a.publish_at <= us_to_ts($3)" where          \
  " ORDER BY a.publish_at DESC, a.id DESC LIMIT " DB_COMMUNITY_PINNED_MAX_TEXT ")"                 \
  " ORDER BY 1, 3 DESC, 2 DESC"
#define HOT_KEY    "a.hot_rank"
#define HOT_KEYSET "(a.hot_rank, a.id) < ($4, $5)"
#define NEW_KEY    "ts_to_us(a.publish_at)"
#define NEW_KEYSET "(a.publish_at, a.id) < (us_to_ts($4), $5)"
/* 9999-12-31T23:59:59Z, above every publish time, in microseconds. */
#define NEW_KEY_MAX                  INT64_C(253402300799000000)
#define STR_(x)                      #x
#define STR(x)                       STR_(x)
#define DB_COMMUNITY_PINNED_MAX_TEXT STR(DB_COMMUNITY_PINNED_MAX)

struct feed_rows {
  db_community_feed_fn *fn;
  void *arg;
};

static void feed_row(const PGresult *res, int r, void *arg)
{
  struct feed_rows *rows = arg;
  rows->fn(db_get_bool(res, r, 0), db_get_int64(res, r, 1), db_get_int64(res, r, 2),
           PQgetvalue(res, r, 3), rows->arg);
}

enum db_status db_community_feed(bool hot, const char *category, int64_t key, int64_t id, int limit,
                                 int64_t now, db_community_feed_fn *fn, void *arg)
{
  static struct db_stmt hot_all =
      DB_STMT(6, FEED_SQL(HOT_KEY, HOT_KEY, HOT_KEYSET, " AND $1::text IS NULL"));
  static struct db_stmt hot_one =
      DB_STMT(6, FEED_SQL(HOT_KEY, HOT_KEY, HOT_KEYSET, " AND a.category = $1"));
  static struct db_stmt new_all =
      DB_STMT(6, FEED_SQL(NEW_KEY, "a.publish_at", NEW_KEYSET, " AND $1::text IS NULL"));
  static struct db_stmt new_one =
      DB_STMT(6, FEED_SQL(NEW_KEY, "a.publish_at", NEW_KEYSET, " AND a.category = $1"));
  struct db_stmt *q = hot ? (category ? &hot_one : &hot_all) : (category ? &new_one : &new_all);
  bool first = id <= 0;
  if (first) {
    key = hot ? INT64_MAX : NEW_KEY_MAX;
    id = INT64_MAX;
  }
  char lb[DB_INT64_SIZE], nb[DB_INT64_SIZE], kb[DB_INT64_SIZE], ib[DB_INT64_SIZE];
  const char *p[] = {category,
                     db_param_int64(lb, limit),
                     db_param_int64(nb, now),
                     db_param_int64(kb, key),
                     db_param_int64(ib, id),
                     first ? "true" : "false"};
  struct feed_rows rows = {fn, arg};
  return db_each_row(q, p, feed_row, &rows);
}

enum db_status db_community_read(int64_t id, int64_t account_id, int64_t now,
                                 db_community_json_fn *fn, void *arg)
{
  static struct db_stmt q = DB_STMT(3, "SELECT community_read($1, $2, us_to_ts($3))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(ab, account_id),
                     db_param_int64(nb, now)};
  return db_query_json(&q, p, fn, arg);
}

enum db_status db_community_mark(int64_t id, int64_t account_id, bool bookmark, bool on,
                                 int64_t now, db_community_json_fn *fn, void *arg)
{
  static struct db_stmt like = DB_STMT(4, "SELECT community_like($1, $2, $3, us_to_ts($4))");
  static struct db_stmt mark = DB_STMT(4, "SELECT community_bookmark($1, $2, $3, us_to_ts($4))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(ab, account_id), on ? "true" : "false",
                     db_param_int64(nb, now)};
  return db_query_json(bookmark ? &mark : &like, p, fn, arg);
}

enum db_status db_community_comments_page(int64_t article_id, bool staff, int64_t after, int limit,
                                          int64_t now, db_community_row_fn *fn, void *arg)
{
  /* The article's row answers whether the caller sees it; the page joins
   * it (a row of NULLs when empty). */
  static struct db_stmt q = DB_STMT(
      5, "SELECT c.id, 0, community_comment_json(c, $2) FROM community_articles a"
         " LEFT JOIN LATERAL (SELECT x.* FROM community_comments x WHERE x.article_id = a.id"
         " AND x.id > $3 AND ($2 OR x.hidden_at IS NULL) ORDER BY x.id LIMIT $4) c ON true"
         " WHERE a.id = $1 AND ($2 OR community_visible(a, us_to_ts($5))) ORDER BY c.id");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], lb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, article_id), staff ? "true" : "false",
                     db_param_int64(ab, after), db_param_int64(lb, limit), db_param_int64(nb, now)};
  struct rows rows = {fn, arg};
  return db_each_row(&q, p, keyed_row, &rows);
}

struct added {
  struct db_json_coded c;
  unsigned *retry_after;
};

static void added_row(const PGresult *res, void *arg)
{
  struct added *a = arg;
  db_json_coded_row(res, &a->c);
  int64_t retry = db_get_int64(res, 0, 2);
  *a->retry_after = retry > 0 && retry <= 3600 ? (unsigned)retry : 1;
}

enum db_status db_community_comment_add(int64_t article_id, int64_t author_id, int64_t parent_id,
                                        const char *body, unsigned per_minute, int64_t now,
                                        char code[DB_RESULT_CODE_SIZE], unsigned *retry_after,
                                        db_community_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(6, "SELECT result, body, retry_after"
                 " FROM community_comment_add($1, $2, $3, $4, $5, us_to_ts($6))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], pb[DB_INT64_SIZE], lb[DB_INT64_SIZE],
      nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, article_id),
                     db_param_int64(ab, author_id),
                     parent_id > 0 ? db_param_int64(pb, parent_id) : NULL,
                     body,
                     db_param_int64(lb, per_minute),
                     db_param_int64(nb, now)};
  struct added a = {{code, fn, arg}, retry_after};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  *retry_after = 1;
  return db_query_row(&q, p, added_row, &a);
}

enum db_status db_community_report(int64_t comment_id, int64_t reporter_id, const char *reason,
                                   int64_t now, char code[DB_RESULT_CODE_SIZE],
                                   db_community_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT result, body FROM community_report($1, $2, $3, us_to_ts($4))");
  char cb[DB_INT64_SIZE], rb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(cb, comment_id), db_param_int64(rb, reporter_id), reason,
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_community_reports_page(const char *status, int64_t after, int limit,
                                         db_community_row_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT r.id, 0, community_report_json(r, true) FROM community_reports r"
                 " WHERE ($1::text IS NULL OR r.status = $1) AND r.id > $2 ORDER BY r.id LIMIT $3");
  char ab[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {status, db_param_int64(ab, after), db_param_int64(lb, limit)};
  struct rows rows = {fn, arg};
  return db_each_row(&q, p, keyed_row, &rows);
}

enum db_status db_community_comment_moderate(int64_t comment_id, int64_t staff_id, bool hide,
                                             int64_t now, char code[DB_RESULT_CODE_SIZE],
                                             db_community_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT result, body FROM community_comment_moderate($1, $2, $3, us_to_ts($4))");
  char cb[DB_INT64_SIZE], sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(cb, comment_id), db_param_int64(sb, staff_id),
                     hide ? "true" : "false", db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_community_accept(int64_t article_id, int64_t comment_id, int64_t now,
                                   char code[DB_RESULT_CODE_SIZE], db_community_json_fn *fn,
                                   void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT result, body FROM community_accept($1, $2, us_to_ts($3))");
  char ab[DB_INT64_SIZE], cb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ab, article_id), db_param_int64(cb, comment_id),
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_community_search(const char *query, bool relevance, int64_t key, int64_t id,
                                   int limit, int64_t now, db_community_row_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(6, "SELECT s.id, s.key, community_article_json(a, NULL, 'feed', us_to_ts($6))"
                 " FROM community_search($1, $2, $3, $4, $5, us_to_ts($6)) s"
                 " JOIN community_articles a ON a.id = s.id ORDER BY s.key DESC, s.id DESC");
  char kb[DB_INT64_SIZE], ib[DB_INT64_SIZE], lb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {query,
                     relevance ? "relevance" : "new",
                     db_param_int64(kb, key),
                     db_param_int64(ib, id),
                     db_param_int64(lb, limit),
                     db_param_int64(nb, now)};
  struct rows rows = {fn, arg};
  return db_each_row(&q, p, keyed_row, &rows);
}

static void count_row(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_community_hot_refresh(int64_t now, int64_t *updated)
{
  static struct db_stmt q = DB_STMT(1, "SELECT community_hot_refresh(us_to_ts($1))");
  char nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(nb, now)};
  *updated = 0;
  return db_query_row(&q, p, count_row, updated);
}

enum db_status db_community_views_prune(int64_t before, int batch, int64_t *deleted)
{
  static struct db_stmt q =
      DB_STMT(2, "WITH gone AS (DELETE FROM community_views"
                 " WHERE (article_id, account_id, day) IN (SELECT article_id, account_id, day"
                 " FROM community_views"
                 " WHERE day < (us_to_ts($1) AT TIME ZONE platform_zone())::date LIMIT $2)"
                 " RETURNING 1) SELECT count(*) FROM gone");
  char bb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, before), db_param_int64(nb, batch)};
  *deleted = 0;
  return db_query_row(&q, p, count_row, deleted);
}

/* The caller's bookmarks, newest first, walking community_bookmarks_account
 * (account_id, created_at DESC, article_id DESC) from the keyset on;
 * articles merchants do not see are skipped on the way. */
enum db_status db_community_bookmarks_page(int64_t account_id, int64_t key, int64_t id, int limit,
                                           int64_t now, db_community_row_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, "SELECT b.article_id, ts_to_us(b.created_at),"
                 " community_article_json(a, NULL, 'feed', us_to_ts($5))"
                 " || jsonb_build_object('bookmarked_at', campaign_ts(b.created_at))"
                 " FROM community_bookmarks b JOIN community_articles a ON a.id = b.article_id"
                 " WHERE b.account_id = $1 AND (b.created_at, b.article_id) < (us_to_ts($2), $3)"
                 " AND community_visible(a, us_to_ts($5))"
                 " ORDER BY b.created_at DESC, b.article_id DESC LIMIT $4");
  if (id <= 0) {
    key = NEW_KEY_MAX;
    id = INT64_MAX;
  }
  char ab[DB_INT64_SIZE], kb[DB_INT64_SIZE], ib[DB_INT64_SIZE], lb[DB_INT64_SIZE],
      nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ab, account_id), db_param_int64(kb, key),
                     db_param_int64(ib, id), db_param_int64(lb, limit), db_param_int64(nb, now)};
  struct rows rows = {fn, arg};
  return db_each_row(&q, p, keyed_row, &rows);
}

enum db_status db_community_comment_delete(int64_t comment_id, int64_t author_id, int64_t now,
                                           char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT result, body FROM community_comment_delete($1, $2, us_to_ts($3))");
  char cb[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(cb, comment_id), db_param_int64(ab, author_id),
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, ignore_json, NULL);
}

enum db_status db_community_question_write(int64_t id, int64_t author_id, const char *body_json,
                                           const char *html, int64_t now,
                                           char code[DB_RESULT_CODE_SIZE], db_community_json_fn *fn,
                                           void *arg)
{
  static struct db_stmt q = DB_STMT(
      5, "SELECT result, body FROM community_question_write($1, $2, $3::jsonb, $4, us_to_ts($5))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(ab, author_id), body_json, html,
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}

enum db_status db_community_question_delete(int64_t id, int64_t author_id, int64_t now,
                                            char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT result, body FROM community_question_delete($1, $2, us_to_ts($3))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(ab, author_id),
                     db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, ignore_json, NULL);
}

enum db_status db_community_question_accept(int64_t id, int64_t author_id, int64_t comment_id,
                                            int64_t now, char code[DB_RESULT_CODE_SIZE],
                                            db_community_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT result, body FROM community_question_accept($1, $2, $3, us_to_ts($4))");
  char ib[DB_INT64_SIZE], ab[DB_INT64_SIZE], cb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id), db_param_int64(ab, author_id),
                     db_param_int64(cb, comment_id), db_param_int64(nb, now)};
  return db_query_coded_json(&q, p, code, fn, arg);
}
