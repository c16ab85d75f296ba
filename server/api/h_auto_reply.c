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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTO_REPLY_TEXT_MAX    500
#define AUTO_REPLY_KEYWORD_MAX 50
#define AUTO_REPLY_RULES_MAX   50
#define AUTO_REPLY_HOURS_MAX   50

static const char *blank_problem(const char *s)
{
  return s[strspn(s, " \t\r\n")] == '\0' ? "must not be blank" : NULL;
}

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

/* Checks the keyword rules (an array of {keyword, reply}); problems go to e. */
static void check_rules(json_t *rules, struct jsonin_errors *e)
{
  if (!json_is_array(rules)) {
    jsonin_error(e, "keyword_rules", "must be an array or null");
    return;
  }
  if (json_array_size(rules) > AUTO_REPLY_RULES_MAX)
    jsonin_error(e, "keyword_rules", "must have at most %d rules", AUTO_REPLY_RULES_MAX);
  size_t i;
  json_t *rule;
  json_array_foreach(rules, i, rule)
  {
    const char *keyword, *reply;
    const struct jsonin_field fields[] = {
        {"keyword", JSONIN_TEXT, true, false, 1, AUTO_REPLY_KEYWORD_MAX, &keyword, NULL,
         blank_problem},
        {"reply", JSONIN_TEXT, true, false, 1, AUTO_REPLY_TEXT_MAX, &reply, NULL, blank_problem},
    };
    char prefix[48];
    snprintf(prefix, sizeof prefix, "keyword_rules[%zu].", i);
    jsonin_check(rule, fields, 2, prefix, e);
  }
}

/* Checks the away part ({message, hours: [{weekday, open, close}]}). */
static void check_away(json_t *away, struct jsonin_errors *e)
{
  const char *message;
  const struct jsonin_field fields[] = {
      {"message", JSONIN_TEXT, true, false, 1, AUTO_REPLY_TEXT_MAX, &message, NULL, blank_problem},
  };
  if (!json_is_object(away)) {
    jsonin_error(e, "away", "must be an object or null");
    return;
  }
  /* hours is an array, which jsonin does not read: checked below. */
  json_t *shallow = json_copy(away), *hours = json_object_get(away, "hours");
  if (shallow == NULL)
    return;
  json_object_del(shallow, "hours");
  jsonin_check(shallow, fields, 1, "away.", e);
  json_decref(shallow);
  if (hours == NULL || !json_is_array(hours)) {
    jsonin_error(e, "away.hours", hours == NULL ? "is required" : "must be an array");
    return;
  }
  if (json_array_size(hours) > AUTO_REPLY_HOURS_MAX)
    jsonin_error(e, "away.hours", "must have at most %d entries", AUTO_REPLY_HOURS_MAX);
  size_t i;
  json_t *h;
  json_array_foreach(hours, i, h)
  {
    int64_t weekday;
    const char *open = NULL, *close = NULL;
    const struct jsonin_field hf[] = {
        {"weekday", JSONIN_INT, true, false, 1, 7, &weekday, NULL, NULL},
        {"open", JSONIN_TEXT, true, false, 0, 100, &open, NULL, open_problem},
        {"close", JSONIN_TEXT, true, false, 0, 100, &close, NULL, close_problem},
    };
    char prefix[48];
    snprintf(prefix, sizeof prefix, "away.hours[%zu].", i);
    jsonin_check(h, hf, 3, prefix, e);
    if (open != NULL && close != NULL && clock_minutes(open) >= clock_minutes(close)) {
      char name[64];
      snprintf(name, sizeof name, "%sclose", prefix);
      jsonin_error(e, name, "must be later than open");
    }
  }
}

/* Reads the body into c; the JSON texts it points to are malloc'd into
 * texts[0] (rules) and texts[1] (hours). */
static enum http_step read_change(struct http_request *rq, struct db_auto_reply_change *c,
                                  char *texts[2])
{
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return HTTP_STEP_FAILED;
  json_t *rules = json_object_get(rq->json, "keyword_rules");
  json_t *away = json_object_get(rq->json, "away");
  /* The scalar part and unknown fields, through jsonin; the rest by hand. */
  const struct jsonin_field fields[] = {
      {"greeting", JSONIN_TEXT, false, true, 1, AUTO_REPLY_TEXT_MAX, &c->greeting, &c->set_greeting,
       blank_problem},
  };
  json_t *shallow = json_copy(rq->json);
  if (shallow == NULL) {
    json_decref(e.list);
    return HTTP_STEP_FAILED;
  }
  json_object_del(shallow, "keyword_rules");
  json_object_del(shallow, "away");
  jsonin_check(shallow, fields, 1, "", &e);
  json_decref(shallow);
  c->set_rules = rules != NULL;
  if (rules != NULL && !json_is_null(rules))
    check_rules(rules, &e);
  c->set_away = away != NULL;
  if (away != NULL && !json_is_null(away))
    check_away(away, &e);
  if (json_array_size(e.list) == 0 && !c->set_greeting && !c->set_rules && !c->set_away)
    jsonin_error(&e, "body", "must have at least one of greeting, keyword_rules, away");
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return step;
  /* Valid: the parts are stored as sent (every member was checked). */
  if (rules != NULL && !json_is_null(rules) && (texts[0] = json_dumps(rules, JSON_COMPACT)) == NULL)
    return HTTP_STEP_FAILED;
  if (away != NULL && !json_is_null(away)) {
    c->away_message = json_string_value(json_object_get(away, "message"));
    if ((texts[1] = json_dumps(json_object_get(away, "hours"), JSON_COMPACT)) == NULL)
      return HTTP_STEP_FAILED;
  }
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
