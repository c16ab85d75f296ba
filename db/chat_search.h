/* Full-history search of a shop's chat messages (see
 * migrations/0009_chat_search.sql): text messages that contain the query,
 * newest first, each with its conversation's buyer and the place of the
 * first match. */
#ifndef MERCHANTD_DB_CHAT_SEARCH_H
#define MERCHANTD_DB_CHAT_SEARCH_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A page holds at most this many hits. */
#define DB_CHAT_SEARCH_PAGE_MAX 100

/* One hit. Texts point into the query result: valid only while the
 * callback that received the hit runs. sender_id is 0 for auto-replies. The
 * snippet is up to DB_CHAT_SEARCH_SNIPPET characters of the text (more when
 * the query is longer) around the first match, which starts match_start
 * characters into it and is match_length characters long. */
#define DB_CHAT_SEARCH_SNIPPET 60
struct db_chat_hit {
  int64_t id, conversation_id;
  const char *sender;
  int64_t sender_id;
  const char *type, *text;
  int64_t created_at;
  int64_t buyer_id;
  const char *buyer_name;
  const char *snippet;
  int64_t match_start, match_length;
};

typedef void (*db_chat_hit_fn)(const struct db_chat_hit *h, void *arg);

/* What to look for: the query (trimmed, 1-100 characters); optionally one
 * buyer (0: all) and a time range [from, to) (each bound only when has_);
 * hits below before_id, at most limit of them. */
struct db_chat_search {
  int64_t shop_id;
  const char *query;
  int64_t buyer_id;
  bool has_from, has_to;
  int64_t from, to;
  int64_t before_id;
  int limit; /* at most DB_CHAT_SEARCH_PAGE_MAX + 1 */
};

/* The hits go to fn, newest first. DB_NONE when there are none. */
enum db_status db_chat_search(const struct db_chat_search *s, db_chat_hit_fn fn, void *arg);

#endif
