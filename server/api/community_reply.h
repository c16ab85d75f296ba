/* What the community handlers share (h_community.c, the merchants' side;
 * h_community_staff.c, the staff's): the fixed list of categories, the
 * checks of an article's or comment's fields, the rendering of a body's
 * Markdown, and the replies of the database's JSON. */
#ifndef MERCHANTD_COMMUNITY_REPLY_H
#define MERCHANTD_COMMUNITY_REPLY_H

#include "db.h"
#include "jsonout.h"
#include "page.h"
#include "request.h"

#include <stdbool.h>
#include <stdint.h>

#define COMMUNITY_TITLE_MAX   120
#define COMMUNITY_BODY_MAX    20000
#define COMMUNITY_TAGS_MAX    10
#define COMMUNITY_TAG_MAX     20
#define COMMUNITY_COMMENT_MAX 2000
#define COMMUNITY_REASON_MAX  500

/* The categories, NULL-terminated; 问答 (questions) is the last. */
extern const char *const community_categories[];
/* A jsonin .check: NULL when s is a category. */
const char *community_category_problem(const char *s);

/* Reads an article's body: create (every field required that must be;
 * else each optional), staff (the staff's fields) or a merchant's question
 * (title, body, tags). On success *html is
 * the body's Markdown rendered (malloc'd; NULL when the body is not in the
 * request) and *text the request as the SQL function takes it (malloc'd),
 * publish_at written as microseconds. */
enum http_step community_read_article(struct http_request *rq, bool create, bool staff, char **html,
                                      char **text);

/* db_community_row_fn writing a row of a page (struct page arg), keyed by
 * (key, id). */
void community_reply_row(int64_t id, int64_t key, const char *json, void *arg);

/* A comment's body ({"body", "parent_id"?}), then the comment added by
 * author_id (per_minute 0: staff, no limit) and the reply: 201, 404
 * (missing), 400 naming parent_id, 429 with Retry-After. */
enum MHD_Result community_reply_comment(struct http_request *rq, int64_t author_id,
                                        unsigned per_minute, const char *missing);

/* An article's comments (staff: hidden ones too): 404 (missing) when the
 * caller does not see the article. */
enum MHD_Result community_reply_comments(struct http_request *rq, bool staff, const char *missing);

/* The reply to a write whose code may be invalid_field: 400 naming field
 * with message; otherwise campaign_reply_coded's. */
enum MHD_Result community_reply_coded(struct http_request *rq, enum db_status st, const char *code,
                                      struct jsonout *out, unsigned status, const char *missing,
                                      const char *field, const char *message);

#endif
