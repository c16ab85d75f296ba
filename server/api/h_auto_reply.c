/* A shop's auto-replies:
 *   GET /v1/shops/{id}/auto-reply
 *   PUT /v1/shops/{id}/auto-reply  {"greeting"?, "keyword_rules"?, "away"?}
 * A PUT changes only the parts it names; null turns a part off. The
 * replies themselves are sent by triggers in the database (see
 * migrations/0007_chat_auto_reply.sql), whoever writes a buyer message. */
#include "chat_replies.h"
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "reply.h"

#include <stdlib.h>
#include <string.h>

#define AUTO_REPLY_TEXT_MAX    500
#define AUTO_REPLY_KEYWORD_MAX 50
#define AUTO_REPLY_RULES_MAX   50
#define AUTO_REPLY_HOURS_MAX   50

/* Minutes since midnight of "HH:MM" (00:00 to 24:00), or -1. */
static int clock_minutes(const char *s)
{
  if (strlen(s) != 5 || s[2] != ':' || strspn(s, "0123456789:") != 5 || s[0] == ':' ||
      s[1] == ':' || s[3] == ':' || s[4] == ':')
    return -1;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return -1;
  return h * 60 + m;
}

static const char *open_problem(const char *s)
{
  int m = clock_minutes(s);
  return m < 0 || m >= 24 * 60 ? "must be a time of day from \"00:00\" to \"23:59\"" : NULL;
}

static const char *close_problem(const char *s)
{
  return clock_minutes(s) <= 0 ? "must be a time of day from \"00:01\" to \"24:00\"" : NULL;
}

/* away.hours[i]: the closing time must come after the opening one. */
struct hours_in {
  int64_t weekday;
  const char *open, *close;
};

static void hours_each(struct jsonin_at *at, void *arg)
{
  const struct hours_in *h = arg;
  if (h->open != NULL && h->close != NULL && clock_minutes(h->open) >= clock_minutes(h->close))
    jsonin_at_error(at, "close", "must be later than open");
}

/* Reads the body into c; the JSON texts it points to are malloc'd into
 * texts[0] (rules) and texts[1] (hours). Rules and hours are stored as
 * sent, every member checked. */
static enum http_step read_change(struct http_request *rq, struct db_auto_reply_change *c,
                                  char *texts[2])
{
  const char *keyword, *reply;
  const struct jsonin_field rule_fields[] = {
      JSONIN_TEXT("keyword", &keyword, 1, AUTO_REPLY_KEYWORD_MAX, JSONIN_REQUIRED,
                  .check = jsonin_not_blank),
      JSONIN_TEXT("reply", &reply, 1, AUTO_REPLY_TEXT_MAX, JSONIN_REQUIRED,
                  .check = jsonin_not_blank),
  };
  const struct jsonin_spec rule_spec = JSONIN_SPEC(rule_fields);
  const struct jsonin_field rule = JSONIN_OBJECT(NULL, &rule_spec, JSONIN_REQUIRED);
  struct hours_in h;
  const struct jsonin_field hours_fields[] = {
      JSONIN_INT("weekday", &h.weekday, 1, 7, JSONIN_REQUIRED),
      JSONIN_TEXT("open", &h.open, 0, 100, JSONIN_REQUIRED, .check = open_problem),
      JSONIN_TEXT("close", &h.close, 0, 100, JSONIN_REQUIRED, .check = close_problem),
  };
  const struct jsonin_spec hours_spec = JSONIN_SPEC(hours_fields);
  const struct jsonin_field hours_entry = JSONIN_OBJECT(NULL, &hours_spec, JSONIN_REQUIRED);
  json_t *rules = NULL, *hours = NULL;
  const struct jsonin_field away_fields[] = {
      JSONIN_TEXT("message", &c->away_message, 1, AUTO_REPLY_TEXT_MAX, JSONIN_REQUIRED,
                  .check = jsonin_not_blank),
      JSONIN_ARRAY("hours", &hours_entry, 0, AUTO_REPLY_HOURS_MAX, JSONIN_REQUIRED, .json = &hours,
                   .each = hours_each, .arg = &h),
  };
  const struct jsonin_spec away_spec = JSONIN_SPEC(away_fields);
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("greeting", &c->greeting, 1, AUTO_REPLY_TEXT_MAX, JSONIN_NULLABLE,
                  .present = &c->set_greeting, .check = jsonin_not_blank),
      JSONIN_ARRAY("keyword_rules", &rule, 0, AUTO_REPLY_RULES_MAX, JSONIN_NULLABLE,
                   .present = &c->set_rules, .json = &rules),
      JSONIN_OBJECT("away", &away_spec, JSONIN_NULLABLE, .present = &c->set_away),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return HTTP_STEP_FAILED;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  if (json_array_size(e.list) == 0 && !c->set_greeting && !c->set_rules && !c->set_away)
    jsonin_error(&e, "body", "must have at least one of greeting, keyword_rules, away");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return step;
  if (rules != NULL && !json_is_null(rules) && (texts[0] = json_dumps(rules, JSON_COMPACT)) == NULL)
    return HTTP_STEP_FAILED;
  if (hours != NULL && (texts[1] = json_dumps(hours, JSON_COMPACT)) == NULL)
    return HTTP_STEP_FAILED;
  c->keyword_rules = texts[0];
  c->away_hours = texts[1];
  return HTTP_STEP_OK;
}

static json_t *load_array(const char *text)
{
  return json_loads(text, 0, NULL);
}

static void set_view(const struct db_auto_reply *a, void *arg)
{
  json_t **out = arg;
  json_t *away = json_null();
  if (a->away_message != NULL)
    away = json_pack("{s:s, s:o}", "message", a->away_message, "hours", load_array(a->away_hours));
  *out = json_pack("{s:o, s:o, s:o}", "greeting",
                   a->greeting != NULL ? json_string(a->greeting) : json_null(), "keyword_rules",
                   load_array(a->keyword_rules), "away", away);
}

static enum MHD_Result reply_auto_reply(struct http_request *rq, enum db_status st, json_t *view)
{
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  if (view == NULL)
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  return reply_json_steal(rq, MHD_HTTP_OK, view);
}

enum MHD_Result h_auto_reply_get(struct http_request *rq)
{
  json_t *view = NULL;
  enum db_status st = db_auto_reply_get(rq->session.account.id, rq->ids[0], set_view, &view);
  if (st <= DB_NONE)
    json_decref(view);
  return reply_auto_reply(rq, st, st <= DB_NONE ? NULL : view);
}

enum MHD_Result h_auto_reply_put(struct http_request *rq)
{
  struct db_auto_reply_change c = {0};
  char *texts[2] = {NULL, NULL};
  enum http_step step = read_change(rq, &c, texts);
  if (step != HTTP_STEP_OK) {
    free(texts[0]);
    free(texts[1]);
    return http_step_result(step);
  }
  json_t *view = NULL;
  enum db_status st =
      db_auto_reply_put(rq->session.account.id, rq->ids[0], &c, clock_now_us(), set_view, &view);
  free(texts[0]);
  free(texts[1]);
  if (st <= DB_NONE)
    json_decref(view);
  return reply_auto_reply(rq, st, st <= DB_NONE ? NULL : view);
}
