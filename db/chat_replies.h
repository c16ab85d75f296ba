/* A shop's quick replies and auto-reply settings (see
 * migrations/0005_chat.sql and 0007_chat_auto_reply.sql). Every query names
 * the calling merchant next to the shop: another merchant's shop reads as
 * no shop at all. */
#ifndef MERCHANTD_DB_CHAT_REPLIES_H
#define MERCHANTD_DB_CHAT_REPLIES_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A shop keeps at most this many live quick replies: its limit is 500
 * plus what the privileges of its medals add (SQL shop_limits), never
 * above this ceiling. */
#define DB_QUICK_REPLIES_CEILING 1000

/* One quick reply. Texts point into the query result: valid only while the
 * callback that received it runs. group is "" when ungrouped. */
struct db_quick_reply {
  int64_t id;
  const char *text;
  const char *group;
  int64_t position;
  int64_t created_at, updated_at;
};

typedef void (*db_quick_reply_fn)(const struct db_quick_reply *q, void *arg);

/* The shop's live quick replies to fn, by group, position and id. DB_NONE
 * when the merchant has no such shop (an empty list is DB_ONE). */
enum db_status db_quick_replies_of_shop(int64_t merchant_id, int64_t shop_id, db_quick_reply_fn fn,
                                        void *arg);

/* Adds a quick reply; code is "ok" (then *id is set), "not_found" or
 * "quick_reply_limit" (the shop has as many live ones as its limit). */
enum db_status db_quick_reply_add(int64_t merchant_id, int64_t shop_id, const char *text,
                                  const char *group, int64_t position, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], int64_t *id);

/* Changes the given parts (text, group NULL and position < 0 keep theirs)
 * of a live quick reply and hands it to fn; DB_NONE when there is none. */
enum db_status db_quick_reply_update(int64_t merchant_id, int64_t shop_id, int64_t id,
                                     const char *text, const char *group, int64_t position,
                                     int64_t now, db_quick_reply_fn fn, void *arg);

/* Deletes (marks deleted) a live quick reply; DB_NONE when there is none. */
enum db_status db_quick_reply_delete(int64_t merchant_id, int64_t shop_id, int64_t id, int64_t now);

/* A shop's auto-replies. greeting and away_message are NULL when off;
 * keyword_rules and away_hours are JSON arrays as stored (see 0007). */
struct db_auto_reply {
  const char *greeting;
  const char *keyword_rules;
  const char *away_message;
  const char *away_hours;
};

typedef void (*db_auto_reply_fn)(const struct db_auto_reply *a, void *arg);

/* The shop's auto-replies to fn (all off when never set); DB_NONE when the
 * merchant has no such shop. */
enum db_status db_auto_reply_get(int64_t merchant_id, int64_t shop_id, db_auto_reply_fn fn,
                                 void *arg);

/* What a PUT changes: a part whose set_ flag is false stays as it was; a
 * set part with NULL values turns off. keyword_rules and away_hours are JSON
 * arrays. */
struct db_auto_reply_change {
  bool set_greeting;
  const char *greeting;
  bool set_rules;
  const char *keyword_rules;
  bool set_away;
  const char *away_message;
  const char *away_hours;
};

/* Applies the change and hands the result to fn; DB_NONE when the merchant
 * has no such shop. */
enum db_status db_auto_reply_put(int64_t merchant_id, int64_t shop_id,
                                 const struct db_auto_reply_change *c, int64_t now,
                                 db_auto_reply_fn fn, void *arg);

#endif
