/* The merchant community, the merchants' side (docs/community.md):
 *   GET    /v1/community/articles                  ?sort=hot|new&category&limit&cursor
 *   GET    /v1/community/articles/{id}             the read (one view per account and day)
 *   PUT    /v1/community/articles/{id}/like        and DELETE: idempotent
 *   PUT    /v1/community/articles/{id}/bookmark    and DELETE: idempotent
 *   GET    /v1/community/articles/{id}/comments    oldest first, replies with parent_id
 *   POST   /v1/community/articles/{id}/comments    {"body", "parent_id"?}, throttled
 *   POST   /v1/community/comments/{id}/reports     {"reason"}
 *   POST   /v1/community/questions                 {"title", "body", "tags"?} in 问答
 *   GET    /v1/community/search                    ?q&sort=new|relevance&limit&cursor
 * Replies carry the JSON the database built, copied as it is. */
#include "campaign_reply.h"
#include "clock.h"
#include "community.h"
#include "community_reply.h"
#include "config.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define HOT_CURSOR        'H'
#define NEW_CURSOR        'N'
#define SEARCH_NEW_CURSOR 'S'
#define SEARCH_REL_CURSOR 'R'
#define QUERY_CHARS_MAX   100
#define NO_ARTICLE        "no such article"
#define NO_COMMENT        "no such comment"

static const char *const sorts[] = {"hot", "new", NULL};

/* The feed's rows: the page's, then (first page) the pinned articles,
 * which close the page and open pinned[] when the first comes. */
struct feed {
  struct page pg;
  char kind;
  bool pinned_open;
};

static void feed_row(bool pinned, int64_t id, int64_t key, const char *json, void *arg)
{
  struct feed *f = arg;
  if (!pinned) {
    community_reply_row(id, key, json, &f->pg);
    return;
  }
  if (!f->pinned_open) {
    page_end(&f->pg, f->kind);
    jsonout_key(&f->pg.out, "pinned");
    jsonout_begin_array(&f->pg.out);
    f->pinned_open = true;
  }
  jsonout_raw(&f->pg.out, json);
}

enum MHD_Result h_community_feed(struct http_request *rq)
{
  int sort = 0, category = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const char *cursor = NULL;
  const struct query_param params[] = {
      QUERY_ENUM("sort", &sort, sorts),
      QUERY_ENUM("category", &category, community_categories),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  bool hot = sort == 0;
  struct feed f = {.kind = hot ? HOT_CURSOR : NEW_CURSOR};
  struct cursor after = {0, 0};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, f.kind, cursor, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  page_begin(&f.pg, limit);
  enum db_status st =
      db_community_feed(hot, category >= 0 ? community_categories[category] : NULL, after.key,
                        after.id, (int)limit + 1, clock_now_us(), feed_row, &f);
  if (st < DB_NONE) {
    jsonout_free(&f.pg.out);
    return reply_db_error(rq, st);
  }
  if (!f.pinned_open) {
    page_end(&f.pg, f.kind);
    /* The first page always carries pinned[], empty or not. */
    if (cursor == NULL) {
      jsonout_key(&f.pg.out, "pinned");
      jsonout_begin_array(&f.pg.out);
      f.pinned_open = true;
    }
  }
  if (f.pinned_open)
    jsonout_end_array(&f.pg.out);
  jsonout_end_object(&f.pg.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &f.pg.out);
}

enum MHD_Result h_community_read(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_read(rq->ids[0], rq->session.account.id, clock_now_us(),
                                        campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_ARTICLE);
}

static enum MHD_Result mark(struct http_request *rq, bool bookmark, bool on)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_mark(rq->ids[0], rq->session.account.id, bookmark, on,
                                        clock_now_us(), campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_ARTICLE);
}

enum MHD_Result h_community_like(struct http_request *rq)
{
  return mark(rq, false, true);
}

enum MHD_Result h_community_unlike(struct http_request *rq)
{
  return mark(rq, false, false);
}

enum MHD_Result h_community_bookmark(struct http_request *rq)
{
  return mark(rq, true, true);
}

enum MHD_Result h_community_unbookmark(struct http_request *rq)
{
  return mark(rq, true, false);
}

enum MHD_Result h_community_comments(struct http_request *rq)
{
  return community_reply_comments(rq, false, NO_ARTICLE);
}

enum MHD_Result h_community_comment(struct http_request *rq)
{
  return community_reply_comment(rq, rq->session.account.id, config.community_comments_per_minute,
                                 NO_ARTICLE);
}

enum MHD_Result h_community_report(struct http_request *rq)
{
  const char *reason = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("reason", &reason, 1, COMMUNITY_REASON_MAX, JSONIN_REQUIRED,
                  .check = jsonin_not_blank),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_report(rq->ids[0], rq->session.account.id, reason,
                                          clock_now_us(), code, campaign_reply_write, &out);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_CREATED, NO_COMMENT);
}

enum MHD_Result h_community_question(struct http_request *rq)
{
  char *html, *text;
  enum http_step step = community_read_article(rq, true, false, &html, &text);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_article_write(0, rq->session.account.id, "question", text, html,
                                                 clock_now_us(), code, campaign_reply_write, &out);
  free(html);
  free(text);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_CREATED, NO_ARTICLE);
}

static const char *const search_sorts[] = {"new", "relevance", NULL};

static enum http_step field_error(struct http_request *rq, const char *field, const char *message)
{
  return HTTP_STEP_OF(
      reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                    json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message)));
}

enum MHD_Result h_community_search(struct http_request *rq)
{
  const char *q = NULL, *cursor = NULL;
  int sort = 0;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const struct query_param params[] = {
      QUERY_TEXT("q", &q, 0, INT64_MAX),
      QUERY_ENUM("sort", &sort, search_sorts),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  bool relevance = sort == 1;
  char kind = relevance ? SEARCH_REL_CURSOR : SEARCH_NEW_CURSOR;
  struct cursor after = {0, 0};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, kind, cursor, &after);
  if (step == HTTP_STEP_OK && q == NULL)
    step = field_error(rq, "q", "is required");
  if (step == HTTP_STEP_OK) {
    size_t chars = utf8_length(q, strlen(q));
    if (chars < 1 || chars > QUERY_CHARS_MAX || jsonin_not_blank(q) != NULL)
      step = field_error(rq, "q", "must be 1 to 100 characters long and not blank");
  }
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_community_search(q, relevance, after.key, after.id, (int)limit + 1,
                                          clock_now_us(), community_reply_row, &pg);
  return page_reply_read(rq, &pg, st, kind);
}
