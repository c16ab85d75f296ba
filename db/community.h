/* The merchant community (migrations/0036_community.sql, docs/community.md):
 * articles and questions, the feeds, reads, likes, bookmarks, comments,
 * reports and their moderation, search, and the hot score job. The rules
 * live in the SQL functions of db/sql (community_*.sql); each call here is
 * one statement. Objects come back as JSON text built by the database,
 * valid only during the callback. */
#ifndef MERCHANTD_DB_COMMUNITY_H
#define MERCHANTD_DB_COMMUNITY_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A document (NULL when there is none). */
typedef void db_community_json_fn(const char *json, void *arg);
/* A row of a list: its keyset (key, id) and the object. */
typedef void db_community_row_fn(int64_t id, int64_t key, const char *json, void *arg);

/* Creates (id 0) or changes an article, or creates a merchant's question
 * (kind "question"). body_json: the checked request body; html: its body
 * rendered (NULL on a change that leaves the body as it is). code: "ok",
 * "not_found", "invalid_field" (no such cover image), "invalid_state" (a
 * question moved out of 问答). */
enum db_status db_community_article_write(int64_t id, int64_t author_id, const char *kind,
                                          const char *body_json, const char *html, int64_t now,
                                          char code[DB_RESULT_CODE_SIZE], db_community_json_fn *fn,
                                          void *arg);
/* Staff: one article whatever its state; DB_NONE when there is none. */
enum db_status db_community_article_get(int64_t id, int64_t now, db_community_json_fn *fn,
                                        void *arg);
/* Staff: every article and question, newest first (id below before, 0:
 * from the newest), of a status ("scheduled", "published", "hidden"; NULL:
 * any). */
enum db_status db_community_articles_page(const char *status, int64_t before, int limit,
                                          int64_t now, db_community_row_fn *fn, void *arg);

/* The pinned articles the first page of the feed carries, at most. */
#define DB_COMMUNITY_PINNED_MAX 10
/* A row of the feed: a page's (pinned false, keyed by (key, id)), or after
 * them a pinned article. */
typedef void db_community_feed_fn(bool pinned, int64_t id, int64_t key, const char *json,
                                  void *arg);

/* The merchants' feed: hot (by hot_rank) or new (by publish_at), of one
 * category or all (NULL), after the keyset (key, id) when id > 0, limit
 * rows; pinned articles are not in it, but on the first page (id 0) they
 * follow its rows, newest first, at most DB_COMMUNITY_PINNED_MAX. */
enum db_status db_community_feed(bool hot, const char *category, int64_t key, int64_t id, int limit,
                                 int64_t now, db_community_feed_fn *fn, void *arg);
/* A merchant reads an article (the view counted once a day); fn gets NULL
 * when merchants do not see it. */
enum db_status db_community_read(int64_t id, int64_t account_id, int64_t now,
                                 db_community_json_fn *fn, void *arg);
/* Like (bookmark false) or bookmark, on or off; fn gets the new state and
 * count, or NULL when merchants do not see the article. */
enum db_status db_community_mark(int64_t id, int64_t account_id, bool bookmark, bool on,
                                 int64_t now, db_community_json_fn *fn, void *arg);

/* An article's comments, oldest first, after the id after; staff see
 * hidden ones too (and any article). DB_NONE when there is no such article
 * for the caller. */
enum db_status db_community_comments_page(int64_t article_id, bool staff, int64_t after, int limit,
                                          int64_t now, db_community_row_fn *fn, void *arg);
/* A comment or reply (parent_id 0: none). per_minute: the author's limit
 * (0: staff, no limit); *retry_after is set with "too_many_comments".
 * code: "ok", "not_found", "invalid_field" (parent), "too_many_comments". */
enum db_status db_community_comment_add(int64_t article_id, int64_t author_id, int64_t parent_id,
                                        const char *body, unsigned per_minute, int64_t now,
                                        char code[DB_RESULT_CODE_SIZE], unsigned *retry_after,
                                        db_community_json_fn *fn, void *arg);
/* A merchant reports a comment; code "ok" or "not_found". */
enum db_status db_community_report(int64_t comment_id, int64_t reporter_id, const char *reason,
                                   int64_t now, char code[DB_RESULT_CODE_SIZE],
                                   db_community_json_fn *fn, void *arg);
/* Staff: the reports of a status ("open", "hidden", "dismissed"; NULL:
 * any), oldest first. */
enum db_status db_community_reports_page(const char *status, int64_t after, int limit,
                                         db_community_row_fn *fn, void *arg);
/* Staff hide a comment (hide) or dismiss its reports; code "ok" or
 * "not_found". */
enum db_status db_community_comment_moderate(int64_t comment_id, int64_t staff_id, bool hide,
                                             int64_t now, char code[DB_RESULT_CODE_SIZE],
                                             db_community_json_fn *fn, void *arg);
/* Staff mark the accepted answer of a question; code "ok", "not_found",
 * "invalid_state" (not a question), "invalid_field" (the comment). */
enum db_status db_community_accept(int64_t article_id, int64_t comment_id, int64_t now,
                                   char code[DB_RESULT_CODE_SIZE], db_community_json_fn *fn,
                                   void *arg);
/* Search: relevance (else newest first), after the keyset when id > 0. */
enum db_status db_community_search(const char *query, bool relevance, int64_t key, int64_t id,
                                   int limit, int64_t now, db_community_row_fn *fn, void *arg);

/* What a merchant does with their own (migrations/0038_community_own.sql). */
/* The account's bookmarks of articles merchants see, newest bookmark first,
 * after the keyset (key: the bookmark's time in microseconds, id: the
 * article's) when id > 0; each row the feed's JSON with bookmarked_at. */
enum db_status db_community_bookmarks_page(int64_t account_id, int64_t key, int64_t id, int limit,
                                           int64_t now, db_community_row_fn *fn, void *arg);
/* The author deletes their comment (and its replies with it); code "ok"
 * (also when deleted already) or "not_found". */
enum db_status db_community_comment_delete(int64_t comment_id, int64_t author_id, int64_t now,
                                           char code[DB_RESULT_CODE_SIZE]);
/* The asker changes their question (body_json: title, body, tags, each
 * optional; html: body rendered, NULL without body); code "ok" or
 * "not_found". */
enum db_status db_community_question_write(int64_t id, int64_t author_id, const char *body_json,
                                           const char *html, int64_t now,
                                           char code[DB_RESULT_CODE_SIZE], db_community_json_fn *fn,
                                           void *arg);
/* The asker deletes their question; code "ok" (also when deleted already)
 * or "not_found". */
enum db_status db_community_question_delete(int64_t id, int64_t author_id, int64_t now,
                                            char code[DB_RESULT_CODE_SIZE]);
/* The asker marks the accepted answer of their question; code "ok",
 * "not_found", "invalid_field" (the comment). */
enum db_status db_community_question_accept(int64_t id, int64_t author_id, int64_t comment_id,
                                            int64_t now, char code[DB_RESULT_CODE_SIZE],
                                            db_community_json_fn *fn, void *arg);

/* The community_hot job: *updated says how many ranks changed. */
enum db_status db_community_hot_refresh(int64_t now, int64_t *updated);

/* The prune_community_views job: drops up to batch rows of who read what
 * on days before the day of before (MERCHANTD_TZ); only the current day's
 * rows decide whether a read counts. *deleted says how many. */
enum db_status db_community_views_prune(int64_t before, int batch, int64_t *deleted);

#endif
