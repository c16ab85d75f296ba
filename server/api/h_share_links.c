/* Share links (分享链接: "1键分享店铺站外轻松引流"):
 *   POST /v1/shops/{id}/share-links       {"target", "product_id"?, "channel"}
 *   GET  /v1/shops/{id}/share-links       the shop's links with their counts
 *   GET  /v1/shops/{id}/share-links/{id}  one link and its counts per day
 *   DELETE /v1/shops/{id}/share-links/{id} revokes it: its code leads nowhere
 *   GET  /s/{code}                        public: counts the visit, 302 to the page
 * A live link is one per shop, product (none: the shop page) and channel,
 * so making it again answers the link there is (200 instead of 201); once
 * revoked, making it again makes a new link with a new code. Codes
 * and visitor cookies come from libsodium's randombytes. What a visit
 * counts and how: docs/data.md "Share links". */
#include "clock.h"
#include "config.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "share_links.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SHARE_CURSOR       'h'
#define SHARE_CODE_LEN     (DB_SHARE_CODE_SIZE - 1)
#define SHARE_DAYS_DEFAULT 30
#define SHARE_DAYS_MAX     90

/* The visitor cookie: 16 random bytes, base64url without padding, kept
 * 400 days (the longest lifetime browsers accept, RFC 6265bis), sent only
 * to /s/ and never to scripts. */
#define VISITOR_COOKIE    "merchantd_visitor"
#define VISITOR_BYTES     16
#define VISITOR_LEN       22
#define VISITOR_MAX_AGE_S (400 * 86400)

/* The channels a link is made for: where the merchant shares it. Fixed so
 * that the data pages can name each; docs/openapi.yaml lists them. */
static const char *const channels[] = {"wechat", "wechat_moments", "qq",  "qzone",
                                       "weibo",  "douyin",         "sms", "copy_link",
                                       "poster", "qr_code",        NULL};

static const char *channel_problem(const char *s)
{
  for (size_t i = 0; channels[i] != NULL; i++)
    if (strcmp(s, channels[i]) == 0)
      return NULL;
  return "must be one of wechat, wechat_moments, qq, qzone, weibo, douyin, sms, copy_link, "
         "poster, qr_code";
}

static const char *target_problem(const char *s)
{
  return strcmp(s, "shop") == 0 || strcmp(s, "product") == 0 ? NULL : "must be shop or product";
}

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* A code: SHARE_CODE_LEN characters, each uniform over base62 (about
 * 59.5 bits in all), so that a code cannot be guessed from another. */
static void new_code(char out[DB_SHARE_CODE_SIZE])
{
  for (int i = 0; i < SHARE_CODE_LEN; i++)
    out[i] = base62[randombytes_uniform(sizeof base62 - 1)];
  out[SHARE_CODE_LEN] = '\0';
}

static bool code_ok(const char *s)
{
  return strlen(s) == SHARE_CODE_LEN && strspn(s, base62) == SHARE_CODE_LEN;
}

static bool visitor_ok(const char *s)
{
  return s != NULL && strlen(s) == VISITOR_LEN &&
         strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
             VISITOR_LEN;
}

static void new_visitor(char out[VISITOR_LEN + 1])
{
  unsigned char raw[VISITOR_BYTES];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(out, VISITOR_LEN + 1, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void view_link(struct jsonout *j, const struct db_share_link *l)
{
  char url[512];
  snprintf(url, sizeof url, "%s/s/%s", config.public_url, l->code);
  jsonout_field_int(j, "id", l->id);
  jsonout_field_int(j, "shop_id", l->shop_id);
  jsonout_field_string(j, "target", l->product_id > 0 ? "product" : "shop");
  jsonout_field_int_or_null(j, "product_id", l->product_id);
  jsonout_field_string(j, "channel", l->channel);
  jsonout_field_string(j, "code", l->code);
  jsonout_field_string(j, "url", url);
  jsonout_field_int(j, "hits", l->hits);
  jsonout_field_int(j, "visitors", l->visitors);
  jsonout_field_time_or_null(j, "last_visit_at", l->last_visit_at);
  jsonout_field_time(j, "created_at", l->created_at);
  jsonout_field_time_or_null(j, "revoked_at", l->revoked_at);
}

static void write_link(const struct db_share_link *l, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  view_link(j, l);
  jsonout_end_object(j);
}

enum MHD_Result h_share_links_create(struct http_request *rq)
{
  const char *target = NULL, *channel = NULL;
  int64_t product_id = 0;
  bool has_product = false;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("target", &target, 1, 16, JSONIN_REQUIRED, .check = target_problem),
      JSONIN_INT("product_id", &product_id, 1, INT64_MAX, JSONIN_OPTIONAL, .present = &has_product),
      JSONIN_TEXT("channel", &channel, 1, 32, JSONIN_REQUIRED, .check = channel_problem),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  if (target != NULL && strcmp(target, "product") == 0 && !has_product)
    jsonin_error(&e, "product_id", "is required when target is product");
  if (target != NULL && strcmp(target, "shop") == 0 && has_product)
    jsonin_error(&e, "product_id", "must be absent when target is shop");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  char codes[DB_SHARE_CODE_TRIES][DB_SHARE_CODE_SIZE];
  for (int i = 0; i < DB_SHARE_CODE_TRIES; i++)
    new_code(codes[i]);
  char code[DB_RESULT_CODE_SIZE];
  bool created = false;
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_share_link_create(rq->session.account.id, rq->ids[0], product_id, channel,
                                           codes, clock_now_us(), code, &created, write_link, &out);
  if (st < DB_NONE) {
    jsonout_free(&out);
    return reply_db_error(rq, st);
  }
  if (st == DB_NONE || strcmp(code, "ok") != 0 || out.len == 0) {
    jsonout_free(&out);
    if (strcmp(code, "not_found") == 0)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
    if (strcmp(code, "invalid_product") == 0)
      return reply_problem(rq, PROBLEM_INVALID_FIELD, "no such product in this shop",
                           json_pack("{s:[{s:s, s:s}]}", "errors", "field", "product_id", "message",
                                     "must be a product of this shop"));
    return reply_problem_code(rq, code, NULL);
  }
  return reply_jsonout(rq, created ? MHD_HTTP_CREATED : MHD_HTTP_OK, &out);
}

static void write_page_row(const struct db_share_link *l, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, l->id))
    write_link(l, &pg->out);
}

enum MHD_Result h_share_links_list(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0}; /* no cursor: from the newest */
  enum http_step step = query_page(rq, SHARE_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_share_links_page(rq->session.account.id, rq->ids[0], after.id,
                                          (int)limit + 1, write_page_row, &pg);
  if (st <= DB_NONE) {
    jsonout_free(&pg.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply(rq, &pg, SHARE_CURSOR);
}

/* The link's members, then "days": [...] as the rows come. */
static void write_detail(const struct db_share_link *l, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  view_link(j, l);
  jsonout_key(j, "days");
  jsonout_begin_array(j);
}

static void write_day(const struct db_share_link_day *d, void *arg)
{
  struct jsonout *j = arg;
  jsonout_begin_object(j);
  jsonout_field_string(j, "date", d->day);
  jsonout_field_int(j, "hits", d->hits);
  jsonout_field_int(j, "visitors", d->visitors);
  jsonout_end_object(j);
}

enum MHD_Result h_share_links_get(struct http_request *rq)
{
  int64_t days = SHARE_DAYS_DEFAULT;
  const struct query_param params[] = {QUERY_INT("days", &days, 1, SHARE_DAYS_MAX)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_share_link_get(rq->session.account.id, rq->ids[0], rq->ids[1], (int)days,
                                        clock_now_us(), write_detail, write_day, &out);
  if (st <= DB_NONE || out.len == 0) {
    jsonout_free(&out);
    return st < DB_NONE
               ? reply_db_error(rq, st)
               : reply_problem(rq, PROBLEM_NOT_FOUND, "no such share link in this shop", NULL);
  }
  jsonout_end_array(&out);
  jsonout_end_object(&out);
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

enum MHD_Result h_share_links_revoke(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_share_link_revoke(rq->session.account.id, rq->ids[0], rq->ids[1],
                                           clock_now_us(), write_link, &out);
  if (st <= DB_NONE || out.len == 0) {
    jsonout_free(&out);
    return st < DB_NONE
               ? reply_db_error(rq, st)
               : reply_problem(rq, PROBLEM_NOT_FOUND, "no such share link in this shop", NULL);
  }
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

/* GET /s/{code}: public, no authentication (a browser navigation from a
 * chat app or a poster's QR code). The visitor is the cookie this reply
 * sets, made on the first visit; a signed-in buyer's token never comes
 * along with a navigation. HEAD answers the same redirect and counts
 * nothing. */
enum MHD_Result h_share_links_visit(struct http_request *rq)
{
  const char *code = rq->file;
  if (!code_ok(code))
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such share link", NULL);
  char visitor[VISITOR_LEN + 1];
  const char *cookie = http_cookie(rq, VISITOR_COOKIE);
  if (visitor_ok(cookie))
    memcpy(visitor, cookie, sizeof visitor);
  else
    new_visitor(visitor);
  bool head = strcmp(rq->method, "HEAD") == 0;
  int64_t shop_id = 0, product_id = 0;
  enum db_status st =
      head ? db_share_link_resolve(code, &shop_id, &product_id)
           : db_share_link_visit(code, visitor, clock_now_us(), &shop_id, &product_id);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such share link", NULL);
  char location[512];
  if (product_id > 0)
    snprintf(location, sizeof location, "%s/shops/%lld/products/%lld", config.public_url,
             (long long)shop_id, (long long)product_id);
  else
    snprintf(location, sizeof location, "%s/shops/%lld", config.public_url, (long long)shop_id);
  char set_cookie[160];
  snprintf(set_cookie, sizeof set_cookie, "%s=%s; Path=/s/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
           VISITOR_COOKIE, visitor, VISITOR_MAX_AGE_S,
           strncmp(config.public_url, "https://", 8) == 0 ? "; Secure" : "");
  return reply_redirect(rq, MHD_HTTP_FOUND, location, head ? NULL : set_cookie);
}
