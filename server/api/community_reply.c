#include "community_reply.h"

#include "campaign_reply.h"
#include "clock.h"
#include "community.h"
#include "jsonin.h"
#include "markdown.h"
#include "query.h"
#include "reply.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define COMMENTS_CURSOR 'm'

const char *const community_categories[] = {"经营干货", "平台规则", "活动解读",
                                            "新手入门", "问答",     NULL};

const char *community_category_problem(const char *s)
{
  for (int i = 0; community_categories[i] != NULL; i++)
    if (strcmp(s, community_categories[i]) == 0)
      return NULL;
  return "must be one of 经营干货, 平台规则, 活动解读, 新手入门, 问答";
}

enum http_step community_read_article(struct http_request *rq, bool create, bool staff, char **html,
                                      char **text)
{
  unsigned fl = create ? JSONIN_REQUIRED : JSONIN_OPTIONAL;
  const char *title = NULL, *body = NULL, *category = NULL, *tag = NULL;
  int64_t cover = 0, publish_at = 0;
  bool pinned = false, hidden = false, has_publish = false;
  const struct jsonin_field tag_el =
      JSONIN_TEXT(NULL, &tag, 1, COMMUNITY_TAG_MAX, JSONIN_REQUIRED, .check = jsonin_not_blank);
  const struct jsonin_field staff_fields[] = {
      JSONIN_TEXT("title", &title, 1, COMMUNITY_TITLE_MAX, fl, .check = jsonin_not_blank),
      JSONIN_TEXT("body", &body, 1, COMMUNITY_BODY_MAX, fl, .check = jsonin_not_blank),
      JSONIN_TEXT("category", &category, 1, 16, fl, .check = community_category_problem),
      JSONIN_ARRAY("tags", &tag_el, 0, COMMUNITY_TAGS_MAX, JSONIN_OPTIONAL),
      JSONIN_INT("cover_image_id", &cover, 1, INT64_MAX, JSONIN_NULLABLE),
      JSONIN_TIME("publish_at", &publish_at, JSONIN_OPTIONAL, .present = &has_publish),
      JSONIN_BOOL("pinned", &pinned, JSONIN_OPTIONAL),
      JSONIN_BOOL("hidden", &hidden, JSONIN_OPTIONAL),
  };
  const struct jsonin_field question_fields[] = {
      JSONIN_TEXT("title", &title, 1, COMMUNITY_TITLE_MAX, fl, .check = jsonin_not_blank),
      JSONIN_TEXT("body", &body, 1, COMMUNITY_BODY_MAX, fl, .check = jsonin_not_blank),
      JSONIN_ARRAY("tags", &tag_el, 0, COMMUNITY_TAGS_MAX, JSONIN_OPTIONAL),
  };
  enum http_step step = staff ? jsonin_read(rq, staff_fields, JSONIN_COUNT(staff_fields))
                              : jsonin_read(rq, question_fields, JSONIN_COUNT(question_fields));
  if (step != HTTP_STEP_OK)
    return step;
  *html = NULL;
  *text = NULL;
  if (body != NULL) {
    size_t len;
    *html = markdown_render(body, strlen(body), &len);
    if (*html == NULL)
      return HTTP_STEP_FAILED;
  }
  /* The time as microseconds, exactly as it was read. */
  if (has_publish && json_object_set_new(rq->json, "publish_at", json_integer(publish_at)) != 0) {
    free(*html);
    *html = NULL;
    return HTTP_STEP_FAILED;
  }
  *text = json_dumps(rq->json, JSON_COMPACT);
  if (*text == NULL) {
    free(*html);
    *html = NULL;
    return HTTP_STEP_FAILED;
  }
  return HTTP_STEP_OK;
}

void community_reply_row(int64_t id, int64_t key, const char *json, void *arg)
{
  struct page *pg = arg;
  if (page_row(pg)) {
    pg->last = (struct cursor){key, id};
    jsonout_raw(&pg->out, json);
  }
}

enum MHD_Result community_reply_coded(struct http_request *rq, enum db_status st, const char *code,
                                      struct jsonout *out, unsigned status, const char *missing,
                                      const char *field, const char *message)
{
  if (st >= DB_NONE && strcmp(code, "invalid_field") == 0) {
    jsonout_free(out);
    return reply_problem(
        rq, PROBLEM_INVALID_FIELD, message,
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message));
  }
  return campaign_reply_coded(rq, st, code, out, status, missing);
}

enum MHD_Result community_reply_comment(struct http_request *rq, int64_t author_id,
                                        unsigned per_minute, const char *missing)
{
  const char *body = NULL;
  int64_t parent = 0;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("body", &body, 1, COMMUNITY_COMMENT_MAX, JSONIN_REQUIRED,
                  .check = jsonin_not_blank),
      JSONIN_INT("parent_id", &parent, 1, INT64_MAX, JSONIN_NULLABLE),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  unsigned retry = 1;
  struct jsonout out = JSONOUT_INIT;
  enum db_status st =
      db_community_comment_add(rq->ids[0], author_id, parent, body, per_minute, clock_now_us(),
                               code, &retry, campaign_reply_write, &out);
  if (st >= DB_NONE && strcmp(code, "too_many_comments") == 0) {
    jsonout_free(&out);
    return reply_problem_retry(rq, PROBLEM_TOO_MANY_COMMENTS,
                               "too many comments in the last minute; wait before posting again",
                               retry);
  }
  return community_reply_coded(rq, st, code, &out, MHD_HTTP_CREATED, missing, "parent_id",
                               "must be a visible comment of this article that is not a reply");
}

enum MHD_Result community_reply_comments(struct http_request *rq, bool staff, const char *missing)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, COMMENTS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_community_comments_page(rq->ids[0], staff, after.id, (int)limit + 1,
                                                 clock_now_us(), community_reply_row, &pg);
  if (st == DB_NONE) {
    jsonout_free(&pg.out);
    return reply_problem(rq, PROBLEM_NOT_FOUND, missing, NULL);
  }
  return page_reply_read(rq, &pg, st, COMMENTS_CURSOR);
}
