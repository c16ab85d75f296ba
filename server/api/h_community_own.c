/* The merchant community, what a merchant does with their own
 * (docs/community.md, migrations/0038_community_own.sql):
 *   GET    /v1/community/bookmarks                         ?limit&cursor, newest bookmark first
 *   DELETE /v1/community/comments/{id}                     their comment (and its replies)
 *   PATCH  /v1/community/questions/{id}                    {"title"?, "body"?, "tags"?}
 *   DELETE /v1/community/questions/{id}                    gone from feed, search and reads
 *   PUT    /v1/community/questions/{id}/accepted-answer    {"comment_id"}
 * Another merchant's comment or question is 404 exactly like a missing one;
 * deleting again is 204. */
#include "campaign_reply.h"
#include "clock.h"
#include "community.h"
#include "community_reply.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"

#include <stdlib.h>
#include <string.h>

#define BOOKMARKS_CURSOR 'B'
#define NO_COMMENT       "no such comment"
#define NO_QUESTION      "no such question"

enum MHD_Result h_community_bookmarks(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, BOOKMARKS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_community_bookmarks_page(rq->session.account.id, after.key, after.id, (int)limit + 1,
                                  clock_now_us(), community_reply_row, &pg);
  return page_reply_read(rq, &pg, st, BOOKMARKS_CURSOR);
}

/* 204 for "ok", else 404 (missing) or the database's error. */
static enum MHD_Result deleted(struct http_request *rq, enum db_status st, const char *code,
                               const char *missing)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0)
    return reply_empty(rq, MHD_HTTP_NO_CONTENT);
  struct jsonout out = JSONOUT_INIT;
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_NO_CONTENT, missing);
}

enum MHD_Result h_community_comment_delete(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st =
      db_community_comment_delete(rq->ids[0], rq->session.account.id, clock_now_us(), code);
  return deleted(rq, st, code, NO_COMMENT);
}

enum MHD_Result h_community_question_update(struct http_request *rq)
{
  char *html, *text;
  enum http_step step = community_read_article(rq, false, false, &html, &text);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_question_write(rq->ids[0], rq->session.account.id, text, html,
                                                  clock_now_us(), code, campaign_reply_write, &out);
  free(html);
  free(text);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_OK, NO_QUESTION);
}

enum MHD_Result h_community_question_delete(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st =
      db_community_question_delete(rq->ids[0], rq->session.account.id, clock_now_us(), code);
  return deleted(rq, st, code, NO_QUESTION);
}

enum MHD_Result h_community_question_accept(struct http_request *rq)
{
  int64_t comment = 0;
  const struct jsonin_field fields[] = {
      JSONIN_INT("comment_id", &comment, 1, INT64_MAX, JSONIN_REQUIRED),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_community_question_accept(rq->ids[0], rq->session.account.id, comment, clock_now_us(),
                                   code, campaign_reply_write, &out);
  return community_reply_coded(rq, st, code, &out, MHD_HTTP_OK, NO_QUESTION, "comment_id",
                               "must be a visible comment of this question");
}
