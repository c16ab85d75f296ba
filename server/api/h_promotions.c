/* Paid promotion (推广), docs/promotion.md:
 *   GET  /v1/search/products                 buyer search; page 1 carries up
 *                                            to 3 promoted products
 *   POST /v1/promotions/clicks {"impression_id", "visitor_id"?}
 *                                            bills a promoted click at most once
 *   POST /v1/shops/{id}/promotions           a plan: product, keyword bids,
 *                                            daily budget, schedule
 *   GET  /v1/shops/{id}/promotions[/{id}]    the shop's plans, one plan
 *   PATCH /v1/shops/{id}/promotions/{id}     changes a plan
 *   POST /v1/shops/{id}/promotions/{id}/pause|resume
 * A promoted result carries an impression_id: a token signed with
 * libsodium's crypto_auth (HMAC-SHA512-256) under the platform's key
 * (promotion_keys), over the impression, the plan, the price, the expiry and
 * the visitor it was shown to, so that only that visitor can click it, at
 * that price, within 30 minutes. */
#include "clock.h"
#include "config.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "promotions.h"
#include "query.h"
#include "reply.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLANS_CURSOR      'i'
#define SEARCH_QUERY_MAX  50
#define PROMOTED_SLOTS    3
#define IMPRESSION_TTL_US (30LL * 60 * 1000000)
#define KEYWORDS_MAX      200
#define VISITOR_ID_MIN    8
#define VISITOR_ID_MAX    64
#define VISITOR_SIZE      (VISITOR_ID_MAX + 3) /* "v:" + id + NUL */

/* ------------------------------------------------------------------ */
/* Impression tokens */

/* version 1 | impression id | plan id | price | expiry (us), big-endian */
#define TOKEN_PAYLOAD 29
#define TOKEN_BYTES   (TOKEN_PAYLOAD + crypto_auth_BYTES)
#define TOKEN_TEXT    (TOKEN_BYTES * 4 / 3 + 4)

struct impression {
  int64_t id, plan_id, price_cents, expires_at;
};

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static bool key_loaded;
static unsigned char key[crypto_auth_KEYBYTES];

/* The platform's key, read once per process (made by the first server that
 * needs one). False when the database cannot give it. */
static bool token_key(void)
{
  pthread_mutex_lock(&key_lock);
  if (!key_loaded) {
    unsigned char fresh[DB_PROMOTION_KEY_SIZE];
    randombytes_buf(fresh, sizeof fresh);
    if (db_promotion_key(fresh, clock_now_us(), key) == DB_ONE)
      key_loaded = true;
    sodium_memzero(fresh, sizeof fresh);
  }
  bool ok = key_loaded;
  pthread_mutex_unlock(&key_lock);
  return ok;
}

static void put64(unsigned char *p, uint64_t v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (unsigned char)(v & 0xff);
}

static uint64_t get64(const unsigned char *p)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* The tag covers the payload and the visitor: a token shown to one visitor
 * does not verify for another. */
static void token_tag(const unsigned char *payload, const char *visitor,
                      unsigned char tag[crypto_auth_BYTES])
{
  crypto_auth_hmacsha512256_state st;
  crypto_auth_hmacsha512256_init(&st, key, sizeof key);
  crypto_auth_hmacsha512256_update(&st, payload, TOKEN_PAYLOAD);
  crypto_auth_hmacsha512256_update(&st, (const unsigned char *)visitor, strlen(visitor));
  crypto_auth_hmacsha512256_final(&st, tag);
}

static void token_make(const struct impression *im, const char *visitor, char out[TOKEN_TEXT])
{
  unsigned char raw[TOKEN_BYTES];
  raw[0] = 1;
  put64(raw + 1, (uint64_t)im->id);
  put64(raw + 9, (uint64_t)im->plan_id);
  raw[17] = (unsigned char)(im->price_cents >> 24 & 0xff);
  raw[18] = (unsigned char)(im->price_cents >> 16 & 0xff);
  raw[19] = (unsigned char)(im->price_cents >> 8 & 0xff);
  raw[20] = (unsigned char)(im->price_cents & 0xff);
  put64(raw + 21, (uint64_t)im->expires_at);
  token_tag(raw, visitor, raw + TOKEN_PAYLOAD);
  sodium_bin2base64(out, TOKEN_TEXT, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* False for anything but a token this platform signed for this visitor. */
static bool token_read(const char *text, const char *visitor, struct impression *im)
{
  unsigned char raw[TOKEN_BYTES + 1];
  size_t len = 0;
  if (sodium_base642bin(raw, sizeof raw, text, strlen(text), NULL, &len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      len != TOKEN_BYTES || raw[0] != 1)
    return false;
  unsigned char tag[crypto_auth_BYTES];
  token_tag(raw, visitor, tag);
  if (sodium_memcmp(tag, raw + TOKEN_PAYLOAD, sizeof tag) != 0)
    return false;
  im->id = (int64_t)get64(raw + 1);
  im->plan_id = (int64_t)get64(raw + 9);
  im->price_cents =
      (int64_t)raw[17] << 24 | (int64_t)raw[18] << 16 | (int64_t)raw[19] << 8 | (int64_t)raw[20];
  im->expires_at = (int64_t)get64(raw + 21);
  return im->id > 0 && im->plan_id > 0 && im->price_cents > 0;
}

/* ------------------------------------------------------------------ */
/* Who the visitor is: a signed-in caller is a:<account>; an anonymous one
 * names itself with visitor_id (v:<visitor_id>), as view events do. */

static const char *visitor_id_problem(const char *s)
{
  for (; *s != '\0'; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '-'))
      return "must be 8 to 64 of A-Z, a-z, 0-9, _ and -";
  return NULL;
}

/* False when the caller is anonymous and sent no visitor_id. */
static bool visitor_of(struct http_request *rq, const char *visitor_id, char out[VISITOR_SIZE])
{
  if (rq->authenticated) {
    snprintf(out, VISITOR_SIZE, "a:%lld", (long long)rq->session.account.id);
    return true;
  }
  if (visitor_id == NULL)
    return false;
  snprintf(out, VISITOR_SIZE, "v:%s", visitor_id);
  return true;
}

/* ------------------------------------------------------------------ */
/* Search */

static const char *const sorts[] = {"relevance", "sales", "price", "-price", NULL};
static const char sort_cursors[] = {'J', 'K', 'L', 'M'};

struct search_out {
  struct page *pg;
  const char *visitor;
  int64_t now;
  int64_t last_key, last_id;
};

static void hit_fields(struct jsonout *j, const struct db_search_hit *h, bool promoted)
{
  jsonout_field_int(j, "product_id", h->id);
  jsonout_field_int(j, "shop_id", h->shop_id);
  jsonout_field_string(j, "title", h->title);
  jsonout_field_int(j, "price_cents", h->price_cents);
  jsonout_field_int(j, "sales_30d", h->sales_30d);
  jsonout_field_bool(j, "promoted", promoted);
}

static void promoted_hit(const struct db_search_hit *h, void *arg)
{
  struct search_out *s = arg;
  struct impression im = {h->impression_id, h->plan_id, h->cost_cents, s->now + IMPRESSION_TTL_US};
  char token[TOKEN_TEXT];
  token_make(&im, s->visitor, token);
  struct jsonout *j = &s->pg->out;
  jsonout_begin_object(j);
  hit_fields(j, h, true);
  jsonout_field_string(j, "impression_id", token);
  jsonout_field_time(j, "impression_expires_at", im.expires_at);
  jsonout_end_object(j);
}

static void organic_hit(const struct db_search_hit *h, void *arg)
{
  struct search_out *s = arg;
  if (!page_row(s->pg))
    return;
  s->last_key = h->sort_key;
  s->last_id = h->id;
  struct jsonout *j = &s->pg->out;
  jsonout_begin_object(j);
  hit_fields(j, h, false);
  jsonout_end_object(j);
}

enum MHD_Result h_promotions_search(struct http_request *rq)
{
  const char *q = NULL, *cursor_text = NULL, *visitor_id = NULL;
  int sort = 0;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  bool has_q = false;
  const struct query_param params[] = {
      QUERY_TEXT("q", &q, 1, SEARCH_QUERY_MAX, .present = &has_q),
      QUERY_ENUM("sort", &sort, sorts),
      QUERY_CURSOR(&cursor_text),
      QUERY_LIMIT(&limit),
      QUERY_TEXT("visitor_id", &visitor_id, VISITOR_ID_MIN, VISITOR_ID_MAX),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  /* The rules the declarations cannot say, every one found in one 400. */
  json_t *errors = json_array();
  if (errors == NULL)
    return MHD_NO;
  if (!has_q || q == NULL || jsonin_not_blank(q) != NULL)
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "q", "message",
                                            "is required and must not be blank"));
  if (visitor_id != NULL && visitor_id_problem(visitor_id) != NULL)
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "visitor_id", "message",
                                            visitor_id_problem(visitor_id)));
  if (json_array_size(errors) > 0)
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                         json_pack("{s:o}", "errors", errors));
  json_decref(errors);
  char kind = sort_cursors[sort];
  struct cursor after = {0, 0};
  bool has_cursor = cursor_text != NULL;
  if (has_cursor) {
    step = query_cursor(rq, kind, cursor_text, &after);
    if (step != HTTP_STEP_OK)
      return http_step_result(step);
  }
  char visitor[VISITOR_SIZE];
  bool known = visitor_of(rq, visitor_id, visitor);
  int64_t now = clock_now_us();
  struct page pg;
  page_begin(&pg, limit);
  struct search_out s = {.pg = &pg, .visitor = visitor, .now = now};
  /* Page 1 of a known visitor: the auction's winners first. */
  if (!has_cursor && known) {
    if (!token_key()) {
      jsonout_free(&pg.out);
      return reply_db_error(rq, DB_UNAVAILABLE);
    }
    enum db_status st = db_promotion_auction(q, PROMOTED_SLOTS, now, promoted_hit, &s);
    if (st < DB_NONE) {
      jsonout_free(&pg.out);
      return reply_db_error(rq, st);
    }
  }
  enum db_status st = db_product_search(q, sorts[sort], has_cursor, after.key, after.id,
                                        (int)limit + 1, now, organic_hit, &s);
  if (st < DB_NONE) {
    jsonout_free(&pg.out);
    return reply_db_error(rq, st);
  }
  /* page_end's cursor is the last organic row shown. */
  pg.last = (struct cursor){s.last_key, s.last_id};
  return page_reply(rq, &pg, kind);
}

/* ------------------------------------------------------------------ */
/* Clicks */

enum MHD_Result h_promotions_click(struct http_request *rq)
{
  const char *token = NULL, *visitor_id = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_BYTES("impression_id", &token, 1, 200, JSONIN_REQUIRED),
      JSONIN_BYTES("visitor_id", &visitor_id, VISITOR_ID_MIN, VISITOR_ID_MAX, JSONIN_OPTIONAL,
                   .check = visitor_id_problem),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  if (!rq->authenticated && visitor_id == NULL && json_object_get(rq->json, "visitor_id") == NULL)
    jsonin_error(&e, "visitor_id", "is required unless a buyer is signed in");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char visitor[VISITOR_SIZE];
  if (!visitor_of(rq, visitor_id, visitor))
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more fields are invalid", NULL);
  if (!token_key())
    return reply_db_error(rq, DB_UNAVAILABLE);
  struct impression im;
  if (!token_read(token, visitor, &im))
    return reply_problem(
        rq, PROBLEM_INVALID_FIELD, "the impression is not one this platform showed this visitor",
        json_pack("{s:[{s:s, s:s}]}", "errors", "field", "impression_id", "message",
                  "is not an impression shown to this visitor: nothing was charged"));
  int64_t now = clock_now_us();
  char code[DB_RESULT_CODE_SIZE] = "ok", outcome[DB_RESULT_CODE_SIZE] = "expired";
  int64_t charged = 0;
  if (now <= im.expires_at) {
    enum db_status st = db_promotion_click(
        im.id, im.plan_id, im.price_cents, visitor, rq->authenticated ? rq->session.account.id : 0,
        (int)config.promotion_clicks_per_day, now, code, outcome, &charged);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    if (st == DB_NONE || strcmp(code, "not_found") == 0)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such promotion", NULL);
    if (strcmp(code, "duplicate") == 0)
      snprintf(outcome, sizeof outcome, "replayed");
  }
  struct jsonout out = JSONOUT_INIT;
  jsonout_begin_object(&out);
  jsonout_field_bool(&out, "charged", strcmp(outcome, "charged") == 0);
  jsonout_field_int(&out, "charged_cents", charged);
  jsonout_field_string(&out, "outcome", outcome);
  jsonout_end_object(&out);
  return reply_jsonout(rq, MHD_HTTP_OK, &out);
}

/* ------------------------------------------------------------------ */
/* Plans */

static const char *word_problem(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || jsonin_not_blank(s) != NULL)
    return "must not be blank nor begin or end with a space";
  return NULL;
}

/* The body of a create (all required but ends_at) or of a PATCH. */
static enum http_step read_plan(struct http_request *rq, struct db_promotion_write *w, bool create,
                                char **keywords_json)
{
  unsigned fl = create ? JSONIN_REQUIRED : JSONIN_OPTIONAL;
  const char *word = NULL;
  int64_t bid = 0;
  const struct jsonin_field kw_fields[] = {
      JSONIN_TEXT("word", &word, 1, 30, JSONIN_REQUIRED, .check = word_problem),
      JSONIN_INT("bid_cents", &bid, 10, 9900, JSONIN_REQUIRED),
  };
  const struct jsonin_spec kw_spec = JSONIN_SPEC(kw_fields);
  const struct jsonin_field kw = JSONIN_OBJECT(NULL, &kw_spec, JSONIN_REQUIRED);
  json_t *keywords = NULL, *ends = NULL;
  bool has_ends = false;
  const struct jsonin_field fields[] = {
      JSONIN_INT("product_id", &w->product_id, 1, INT64_MAX, fl),
      JSONIN_TEXT("name", &w->name, 1, 60, fl, .check = jsonin_not_blank),
      JSONIN_INT("daily_budget_cents", &w->budget_cents, 100, 100000000, fl),
      JSONIN_TIME("starts_at", &w->starts_at, fl, .present = &w->has_starts),
      JSONIN_TIME("ends_at", &w->ends_at, JSONIN_OPTIONAL | JSONIN_NULLABLE, .present = &has_ends,
                  .json = &ends),
      JSONIN_ARRAY("keywords", &kw, 1, KEYWORDS_MAX, fl, .json = &keywords),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return step;
  if (has_ends && json_is_null(ends))
    w->clear_end = true;
  else if (has_ends)
    w->has_ends = true;
  if (keywords != NULL) {
    *keywords_json = json_dumps(keywords, JSON_COMPACT);
    if (*keywords_json == NULL)
      return HTTP_STEP_FAILED;
    w->keywords_json = *keywords_json;
  }
  return HTTP_STEP_OK;
}

static void plan_write(const char *json, void *arg)
{
  if (json != NULL)
    jsonout_raw(arg, json);
}

static void plan_row(int64_t id, const char *json, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, id))
    jsonout_raw(&pg->out, json);
}

static enum MHD_Result field_problem(struct http_request *rq, const char *field, const char *msg)
{
  return reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more fields are invalid",
                       json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", msg));
}

static enum MHD_Result plan_written(struct http_request *rq, enum db_status st, const char *code,
                                    struct jsonout *out, unsigned status)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0 && out->len > 0)
    return reply_jsonout(rq, status, out);
  jsonout_free(out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "invalid_product") == 0)
    return field_problem(rq, "product_id", "must be a product of this shop");
  if (strcmp(code, "invalid_field") == 0)
    return field_problem(rq, "ends_at", "must be later than starts_at");
  if (strcmp(code, "duplicate_in_batch") == 0)
    return field_problem(rq, "keywords", "must not name a word twice (words are lower-cased)");
  return reply_problem(rq, PROBLEM_NOT_FOUND, "no such promotion plan in this shop", NULL);
}

enum MHD_Result h_promotions_create(struct http_request *rq)
{
  struct db_promotion_write w = {.budget_cents = -1};
  char *keywords = NULL;
  enum http_step step = read_plan(rq, &w, true, &keywords);
  if (step != HTTP_STEP_OK) {
    free(keywords);
    return http_step_result(step);
  }
  w.merchant_id = rq->session.account.id;
  w.shop_id = rq->ids[0];
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_promotion_plan_write(&w, clock_now_us(), code, plan_write, &out);
  free(keywords);
  return plan_written(rq, st, code, &out, MHD_HTTP_CREATED);
}

enum MHD_Result h_promotions_update(struct http_request *rq)
{
  struct db_promotion_write w = {.budget_cents = -1};
  char *keywords = NULL;
  enum http_step step = read_plan(rq, &w, false, &keywords);
  if (step != HTTP_STEP_OK) {
    free(keywords);
    return http_step_result(step);
  }
  w.merchant_id = rq->session.account.id;
  w.shop_id = rq->ids[0];
  w.plan_id = rq->ids[1];
  char code[DB_RESULT_CODE_SIZE];
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_promotion_plan_write(&w, clock_now_us(), code, plan_write, &out);
  free(keywords);
  return plan_written(rq, st, code, &out, MHD_HTTP_OK);
}

enum MHD_Result h_promotions_list(struct http_request *rq)
{
  int64_t limit = QUERY_LIMIT_DEFAULT;
  struct cursor after = {0, 0};
  enum http_step step = query_page(rq, PLANS_CURSOR, &limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct page pg;
  page_begin(&pg, limit);
  enum db_status st = db_promotion_plans_page(rq->session.account.id, rq->ids[0], after.id,
                                              (int)limit + 1, clock_now_us(), plan_row, &pg);
  if (st <= DB_NONE) {
    jsonout_free(&pg.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return page_reply(rq, &pg, PLANS_CURSOR);
}

static enum MHD_Result plan_found(struct http_request *rq, enum db_status st, struct jsonout *out)
{
  if (st <= DB_NONE || out->len == 0) {
    jsonout_free(out);
    return st < DB_NONE
               ? reply_db_error(rq, st)
               : reply_problem(rq, PROBLEM_NOT_FOUND, "no such promotion plan in this shop", NULL);
  }
  return reply_jsonout(rq, MHD_HTTP_OK, out);
}

enum MHD_Result h_promotions_get(struct http_request *rq)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_promotion_plan_get(rq->session.account.id, rq->ids[0], rq->ids[1],
                                            clock_now_us(), plan_write, &out);
  return plan_found(rq, st, &out);
}

static enum MHD_Result set_paused(struct http_request *rq, bool paused)
{
  struct jsonout out = JSONOUT_INIT;
  enum db_status st = db_promotion_plan_pause(rq->session.account.id, rq->ids[0], rq->ids[1],
                                              paused, clock_now_us(), plan_write, &out);
  return plan_found(rq, st, &out);
}

enum MHD_Result h_promotions_pause(struct http_request *rq)
{
  return set_paused(rq, true);
}

enum MHD_Result h_promotions_resume(struct http_request *rq)
{
  return set_paused(rq, false);
}
