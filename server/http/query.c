#include "query.h"

#include "clock.h"
#include "jsonin.h"
#include "reply.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
  const struct query_param *params;
  size_t count;
  json_t *errors;
  bool unknown;
};

static void add_error(json_t *errors, const char *field, const char *msg)
{
  json_t *f = json_string(field);
  json_array_append_new(errors,
                        json_pack("{s:o, s:s}", "field", f ? f : json_string("?"), "message", msg));
}

static enum MHD_Result find_unknown(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
  struct scan *sc = cls;
  for (size_t i = 0; i < sc->count; i++)
    if (strcmp(sc->params[i].name, key) == 0)
      return MHD_YES;
  sc->unknown = true;
  add_error(sc->errors, key, "unknown parameter");
  return MHD_YES;
}

static bool parse_int(const char *s, int64_t *out)
{
  if (*s == '\0' || strlen(s) > 20)
    return false;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || s[0] == '+' || s[0] == ' ')
    return false;
  *out = v;
  return true;
}

static void read_param(const struct query_param *p, const char *v, json_t *errors)
{
  char msg[160];
  switch (p->kind) {
  case QUERY_KIND_TEXT: {
    json_t *probe = json_string(v); /* NULL when v is not valid UTF-8 */
    size_t len = probe ? utf8_length(v, strlen(v)) : 0;
    json_decref(probe);
    if (probe == NULL) {
      add_error(errors, p->name, "must be valid UTF-8");
    } else if ((int64_t)len < p->min || (int64_t)len > p->max) {
      snprintf(msg, sizeof msg, "must be %lld to %lld characters long", (long long)p->min,
               (long long)p->max);
      add_error(errors, p->name, msg);
    } else {
      *p->out.text = v;
    }
    break;
  }
  case QUERY_KIND_INT: {
    int64_t n;
    if (!parse_int(v, &n) || n < p->min || n > p->max) {
      snprintf(msg, sizeof msg, "must be an integer from %lld to %lld", (long long)p->min,
               (long long)p->max);
      add_error(errors, p->name, msg);
    } else {
      *p->out.integer = n;
    }
    break;
  }
  case QUERY_KIND_TIME: {
    int64_t t;
    if (!clock_parse(v, &t))
      add_error(errors, p->name, "must be an RFC 3339 timestamp such as 2026-11-26T08:00:00Z");
    else
      *p->out.integer = t;
    break;
  }
  case QUERY_KIND_DATE: {
    int64_t d;
    if (!clock_parse_date(v, &d))
      add_error(errors, p->name, "must be a date such as 2026-11-26");
    else
      *p->out.integer = d;
    break;
  }
  case QUERY_KIND_BOOL:
    if (strcmp(v, "true") == 0)
      *p->out.boolean = true;
    else if (strcmp(v, "false") == 0)
      *p->out.boolean = false;
    else
      add_error(errors, p->name, "must be true or false");
    break;
  case QUERY_KIND_ENUM: {
    size_t used = 0;
    msg[0] = '\0';
    for (int i = 0; p->values[i] != NULL; i++) {
      if (strcmp(p->values[i], v) == 0) {
        *p->out.choice = i;
        return;
      }
      int n = snprintf(msg + used, sizeof msg - used, "%s%s", i ? ", " : "must be one of ",
                       p->values[i]);
      if (n > 0 && (size_t)n < sizeof msg - used)
        used += (size_t)n;
    }
    add_error(errors, p->name, msg);
    break;
  }
  }
}

enum http_step query_read(struct http_request *rq, const struct query_param *params, size_t count)
{
  struct scan sc = {params, count, json_array(), false};
  if (sc.errors == NULL)
    return HTTP_STEP_FAILED;
  MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, find_unknown, &sc);
  for (size_t i = 0; i < count; i++) {
    const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, params[i].name);
    if (params[i].present != NULL)
      *params[i].present = v != NULL;
    if (v != NULL)
      read_param(&params[i], v, sc.errors);
  }
  if (json_array_size(sc.errors) == 0) {
    json_decref(sc.errors);
    return HTTP_STEP_OK;
  }
  return HTTP_STEP_OF(reply_problem(rq, sc.unknown ? PROBLEM_UNKNOWN_FIELD : PROBLEM_INVALID_FIELD,
                                    sc.unknown
                                        ? "the request has parameters this endpoint does not take"
                                        : "one or more parameters are invalid",
                                    json_pack("{s:o}", "errors", sc.errors)));
}

enum http_step query_cursor(struct http_request *rq, char kind, const char *text, struct cursor *c)
{
  if (text == NULL || cursor_decode(kind, text, c))
    return HTTP_STEP_OK;
  return HTTP_STEP_OF(reply_problem(
      rq, PROBLEM_INVALID_FIELD, "the cursor was not given by this list",
      json_pack("{s:[{s:s, s:s}]}", "errors", "field", "cursor", "message",
                "is not a cursor of this list and order; use next_cursor as returned")));
}

enum http_step query_page(struct http_request *rq, char kind, int64_t *limit, struct cursor *after)
{
  const char *cursor_text = NULL;
  const struct query_param params[] = {QUERY_LIMIT(limit), QUERY_CURSOR(&cursor_text)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  return step == HTTP_STEP_OK ? query_cursor(rq, kind, cursor_text, after) : step;
}

enum http_step query_status_page(struct http_request *rq, const char *const *statuses, int *status,
                                 char kind, int64_t *limit, struct cursor *after)
{
  const char *cursor_text = NULL;
  const struct query_param params[] = {QUERY_ENUM("status", status, statuses), QUERY_LIMIT(limit),
                                       QUERY_CURSOR(&cursor_text)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  return step == HTTP_STEP_OK ? query_cursor(rq, kind, cursor_text, after) : step;
}
