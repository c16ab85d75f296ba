/* The merchant community, the staff's side (permission community):
 *   POST  /v1/platform/community/articles                   an article (Markdown body)
 *   GET   /v1/platform/community/articles                   ?status&limit&cursor, newest first
 *   GET   /v1/platform/community/articles/{id}
 *   PATCH /v1/platform/community/articles/{id}              any field; hidden withdraws it
 *   GET   /v1/platform/community/articles/{id}/comments     hidden ones too
 *   POST  /v1/platform/community/articles/{id}/comments     an official answer or comment
 *   PUT   /v1/platform/community/articles/{id}/accepted-answer {"comment_id"}
 *   GET   /v1/platform/community/reports                    ?status&limit&cursor, oldest first
 *   POST  /v1/platform/community/comments/{id}/hide         hides it (and its replies)
 *   POST  /v1/platform/community/comments/{id}/dismiss      dismisses its reports
 * Bodies are rendered here (markdown_render) and stored with their
 * Markdown; the rest is the SQL functions' (community_*.sql). */
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

#define ARTICLES_CURSOR 'A'
#define REPORTS_CURSOR  'E'
#define NO_ARTICLE      "no such article"
#define NO_COMMENT      "no such comment"
#define NO_IMAGE        "must be the id of an image of an image space"

static enum MHD_Result write_article(struct http_request *rq, int64_t id)
{
  char *html, *text;
  enum http_step step = community_read_article(rq, id == 0, true, &html, &text);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_article_write(id, rq->session.account.id, "article", text, html,
                                                 clock_now_us(), code, campaign_reply_write, &out);
  free(html);
  free(text);
  return community_reply_coded(rq, st, code, &out, id == 0 ? MHD_HTTP_CREATED : MHD_HTTP_OK,
                               NO_ARTICLE, "cover_image_id", NO_IMAGE);
}

enum MHD_Result h_community_staff_create(struct http_request *rq)
{
  return write_article(rq, 0);
}

enum MHD_Result h_community_staff_update(struct http_request *rq)
{
  return write_article(rq, rq->ids[0]);
}

enum MHD_Result h_community_staff_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_community_article_get(rq->ids[0], clock_now_us(), campaign_reply_write, &out);
  return campaign_reply_found(rq, st, &out, NO_ARTICLE);
}

static const char *const article_statuses[] = {"scheduled", "published", "hidden", NULL};

enum MHD_Result h_community_staff_list(struct http_request *rq)
{
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step =
      query_status_page(rq, article_statuses, &status, ARTICLES_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st =
      db_community_articles_page(status >= 0 ? article_statuses[status] : NULL, after.id,
                                 (int)limit + 1, clock_now_us(), community_reply_row, &pg);
  return page_reply_read(rq, &pg, st, ARTICLES_CURSOR);
}

enum MHD_Result h_community_staff_comments(struct http_request *rq)
{
  return community_reply_comments(rq, true, NO_ARTICLE);
}

enum MHD_Result h_community_staff_answer(struct http_request *rq)
{
  return community_reply_comment(rq, rq->session.account.id, 0, NO_ARTICLE);
}

enum MHD_Result h_community_staff_accept(struct http_request *rq)
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
      db_community_accept(rq->ids[0], comment, clock_now_us(), code, campaign_reply_write, &out);
  return community_reply_coded(rq, st, code, &out, MHD_HTTP_OK, "no such question", "comment_id",
                               "must be a visible comment of this question");
}

static const char *const report_statuses[] = {"open", "hidden", "dismissed", NULL};

enum MHD_Result h_community_staff_reports(struct http_request *rq)
{
  int status = -1;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step =
      query_status_page(rq, report_statuses, &status, REPORTS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_community_reports_page(status >= 0 ? report_statuses[status] : NULL,
                                                after.id, (int)limit + 1, community_reply_row, &pg);
  return page_reply_read(rq, &pg, st, REPORTS_CURSOR);
}

static enum MHD_Result moderate(struct http_request *rq, bool hide)
{
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_community_comment_moderate(
      rq->ids[0], rq->session.account.id, hide, clock_now_us(), code, campaign_reply_write, &out);
  return campaign_reply_coded(rq, st, code, &out, MHD_HTTP_OK, NO_COMMENT);
}

enum MHD_Result h_community_staff_hide(struct http_request *rq)
{
  return moderate(rq, true);
}

enum MHD_Result h_community_staff_dismiss(struct http_request *rq)
{
  return moderate(rq, false);
}
