/* Full-history search of a shop's chat (issue 5):
 *   GET /v1/shops/{id}/messages/search?q=&buyer_id=&from=&to=&limit=&cursor=
 * Text messages that contain q (case-insensitive, taken literally), newest
 * first, each with its conversation's buyer and a snippet around the first
 * match. The search itself is chat_search() in migrations/0009_chat_search.sql. */
#include "chat_search.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "query.h"
#include "reply.h"
#include "tenancy.h"
#include "utf8.h"
#include "view.h"

#include <string.h>

/* The cursor letter of the search's one ordering, by message id alone (see
 * cursor.h). */
#define CURSOR_CHAT_SEARCH 'q'
/* The query's length, in characters, once trimmed; and the bytes of the
 * raw parameter, blanks around it included, that are worth trimming. */
#define QUERY_CHARS_MAX 100
#define QUERY_RAW_BYTES 1024

struct search_out {
  json_t *items;
  bool failed;
  int64_t limit, n;
  bool more;
  int64_t last_id;
};

static json_t *view_hit(const struct db_chat_hit *h)
{
  return json_pack("{s:{s:I, s:I, s:s, s:o, s:s, s:s, s:o}, s:{s:I, s:{s:I, s:s}},"
                   " s:{s:s, s:I, s:I}}",
                   "message", "id", (json_int_t)h->id, "conversation_id",
                   (json_int_t)h->conversation_id, "sender", h->sender, "sender_id",
                   h->sender_id != 0 ? json_integer(h->sender_id) : json_null(), "type", h->type,
                   "text", h->text, "created_at", view_time(h->created_at), "conversation", "id",
                   (json_int_t)h->conversation_id, "buyer", "id", (json_int_t)h->buyer_id, "name",
                   h->buyer_name, "highlight", "text", h->snippet, "start",
                   (json_int_t)h->match_start, "length", (json_int_t)h->match_length);
}

static void add_hit(const struct db_chat_hit *h, void *arg)
{
  struct search_out *out = arg;
  if (out->n == out->limit) {
    out->more = true;
    return;
  }
  if (json_array_append_new(out->items, view_hit(h)) != 0)
    out->failed = true;
  out->n++;
  out->last_id = h->id;
}

/* Length of a blank at s (ASCII white space or the ideographic space that
 * Chinese keyboards type), 0 when there is none. */
static size_t blank_at(const char *s)
{
  if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
    return 1;
  return strncmp(s, "\xe3\x80\x80", 3) == 0 ? 3 : 0;
}

/* Copies q without leading and trailing blanks into out (which holds at
 * least strlen(q) + 1 bytes); returns its length in characters. */
static size_t trim_query(const char *q, char *out)
{
  size_t n;
  while ((n = blank_at(q)) != 0)
    q += n;
  size_t len = strlen(q), keep = 0;
  for (size_t i = 0; i < len; i += n ? n : 1) {
    n = blank_at(q + i);
    if (n == 0)
      keep = i + 1;
  }
  memcpy(out, q, keep);
  out[keep] = '\0';
  return utf8_length(out, keep);
}

static enum http_step field_error(struct http_request *rq, const char *field, const char *message)
{
  return HTTP_STEP_OF(
      reply_problem(rq, PROBLEM_INVALID_FIELD, "one or more parameters are invalid",
                    json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message)));
}

/* Reads and checks the parameters into s; the trimmed query goes to q. */
static enum http_step read_search(struct http_request *rq, struct db_chat_search *s,
                                  char q[QUERY_RAW_BYTES + 1])
{
  const char *raw = NULL, *cursor = NULL;
  int64_t limit = QUERY_LIMIT_DEFAULT;
  const struct query_param params[] = {
      QUERY_TEXT("q", &raw, 0, INT64_MAX),
      QUERY_INT("buyer_id", &s->buyer_id, 1, INT64_MAX),
      QUERY_TIME("from", &s->from, .present = &s->has_from),
      QUERY_TIME("to", &s->to, .present = &s->has_to),
      QUERY_LIMIT(&limit),
      QUERY_CURSOR(&cursor),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  struct cursor after = {0, INT64_MAX};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, CURSOR_CHAT_SEARCH, cursor, &after);
  if (step != HTTP_STEP_OK)
    return step;
  if (raw == NULL)
    return field_error(rq, "q", "is required");
  size_t chars = strlen(raw) <= QUERY_RAW_BYTES ? trim_query(raw, q) : 0;
  if (chars < 1 || chars > QUERY_CHARS_MAX)
    return field_error(rq, "q", "must be 1 to 100 characters long, blanks around it aside");
  if (s->has_from && s->has_to && s->from >= s->to)
    return field_error(rq, "to", "must be later than from");
  s->query = q;
  s->before_id = after.id;
  s->limit = (int)limit + 1; /* one more row tells that a next page exists */
  return HTTP_STEP_OK;
}

enum MHD_Result h_chat_search_messages(struct http_request *rq)
{
  struct db_chat_search s = {.shop_id = rq->ids[0]};
  char q[QUERY_RAW_BYTES + 1];
  enum http_step step = read_search(rq, &s, q);
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  struct search_out out = {.items = json_array(), .limit = s.limit - 1};
  if (out.items == NULL)
    return MHD_NO;
  enum db_status st = db_chat_search(&s, add_hit, &out);
  if (st < DB_NONE || out.failed) {
    json_decref(out.items);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  char next[CURSOR_TEXT_SIZE];
  if (out.more)
    cursor_encode(CURSOR_CHAT_SEARCH, &(struct cursor){0, out.last_id}, next);
  return reply_json_steal(
      rq, MHD_HTTP_OK,
      json_pack("{s:o, s:s?}", "items", out.items, "next_cursor", out.more ? next : NULL));
}
