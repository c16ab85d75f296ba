#include "jsonin.h"

#include "clock.h"
#include "reply.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Deeper documents are refused before jansson builds them. */
#define JSONIN_MAX_DEPTH 32

/* Nesting depth of the raw text, skipping strings; cheap and conservative. */
static bool depth_ok(const char *s, size_t len)
{
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > JSONIN_MAX_DEPTH)
        return false;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
  return true;
}

enum http_step jsonin_parse_body(struct http_request *rq)
{
  char detail[256];
  if (rq->body_len == 0) {
    snprintf(detail, sizeof detail, "request body is empty; a JSON object is expected");
  } else if (!depth_ok(rq->body, rq->body_len)) {
    snprintf(detail, sizeof detail, "JSON nesting deeper than %d", JSONIN_MAX_DEPTH);
  } else {
    /* NUL characters (\u0000) stay refused: C strings could not hold them. */
    json_error_t err;
    rq->json = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &err);
    if (rq->json != NULL && json_is_object(rq->json))
      return HTTP_STEP_OK;
    if (rq->json != NULL)
      snprintf(detail, sizeof detail, "request body must be a JSON object");
    else
      snprintf(detail, sizeof detail, "invalid JSON at line %d, column %d: %s", err.line,
               err.column, err.text);
    /* jansson quotes the text near the error as it is, bad bytes and all. */
    utf8_repair(detail);
    json_decref(rq->json);
    rq->json = NULL;
  }
  json_t *errors = json_pack("{s:[{s:s, s:s}]}", "errors", "field", "body", "message", detail);
  return HTTP_STEP_OF(reply_problem(rq, PROBLEM_INVALID_JSON, detail, errors));
}

static void add_verror(json_t *errors, const char *prefix, const char *field, const char *fmt,
                       va_list ap)
{
  char msg[256], name[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  snprintf(name, sizeof name, "%s%s", prefix, field);
  /* A long field name (an unknown key) is cut: keep it UTF-8, or json_pack
   * fails and the error, unknown_field among them, is lost. */
  utf8_repair(msg);
  utf8_repair(name);
  json_array_append_new(errors, json_pack("{s:s, s:s}", "field", name, "message", msg));
}

/* errors and prefix are passed through the static helpers as a pair. */
struct sink {
  json_t *errors;
  const char *prefix;
};

static void add_error(struct sink *k, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_error(struct sink *k, const char *field, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add_verror(k->errors, k->prefix, field, fmt, ap);
  va_end(ap);
}

static const char *type_name(enum jsonin_type t)
{
  switch (t) {
  case JSONIN_TEXT:
  case JSONIN_BYTES:
    return "a string";
  case JSONIN_INT:
    return "an integer";
  case JSONIN_BOOL:
    return "a boolean";
  case JSONIN_TIME:
    return "an RFC 3339 timestamp string";
  }
  return "a value";
}

static bool string_field(const struct jsonin_field *f, json_t *v, struct sink *errors)
{
  const char *s = json_string_value(v);
  size_t bytes = json_string_length(v);
  if (f->type == JSONIN_TIME) {
    if (!clock_parse(s, (int64_t *)f->out)) {
      add_error(errors, f->name, "must be an RFC 3339 timestamp such as 2026-11-26T08:00:00Z");
      return false;
    }
    return true;
  }
  size_t len = f->type == JSONIN_TEXT ? utf8_length(s, bytes) : bytes;
  const char *unit = f->type == JSONIN_TEXT ? "characters" : "bytes";
  if ((int64_t)len < f->min || (int64_t)len > f->max) {
    add_error(errors, f->name, "must be %lld to %lld %s long", (long long)f->min, (long long)f->max,
              unit);
    return false;
  }
  const char *why = f->check != NULL ? f->check(s) : NULL;
  if (why != NULL) {
    add_error(errors, f->name, "%s", why);
    return false;
  }
  *(const char **)f->out = s;
  return true;
}

/* Checks one present, non-null value; writes the output when valid. */
static void read_field(const struct jsonin_field *f, json_t *v, struct sink *errors)
{
  bool type_ok = (f->type == JSONIN_INT && json_is_integer(v)) ||
                 (f->type == JSONIN_BOOL && json_is_boolean(v)) ||
                 ((f->type == JSONIN_TEXT || f->type == JSONIN_BYTES || f->type == JSONIN_TIME) &&
                  json_is_string(v));
  if (!type_ok) {
    add_error(errors, f->name, "must be %s%s", type_name(f->type), f->nullable ? " or null" : "");
    return;
  }
  switch (f->type) {
  case JSONIN_INT: {
    json_int_t n = json_integer_value(v);
    if (n < f->min || n > f->max)
      add_error(errors, f->name, "must be from %lld to %lld", (long long)f->min, (long long)f->max);
    else
      *(int64_t *)f->out = n;
    break;
  }
  case JSONIN_BOOL:
    *(bool *)f->out = json_is_true(v);
    break;
  default:
    string_field(f, v, errors);
  }
}

bool jsonin_errors_init(struct jsonin_errors *e)
{
  e->list = json_array();
  e->unknown = false;
  return e->list != NULL;
}

void jsonin_error(struct jsonin_errors *e, const char *field, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add_verror(e->list, "", field, fmt, ap);
  va_end(ap);
}

void jsonin_check(json_t *obj, const struct jsonin_field *fields, size_t count, const char *prefix,
                  struct jsonin_errors *e)
{
  struct sink k = {e->list, prefix};
  if (!json_is_object(obj)) {
    /* Named by the prefix without its final dot: "items[0]", not "items[0].". */
    char name[256];
    snprintf(name, sizeof name, "%s", prefix);
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
      name[n - 1] = '\0';
    struct sink whole = {e->list, ""};
    add_error(&whole, name[0] != '\0' ? name : "body", "must be an object");
    return;
  }
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v)
  {
    size_t i = 0;
    while (i < count && strcmp(fields[i].name, key) != 0)
      i++;
    if (i == count) {
      e->unknown = true;
      add_error(&k, key, "unknown field");
    }
  }
  for (size_t i = 0; i < count; i++) {
    const struct jsonin_field *f = &fields[i];
    v = json_object_get(obj, f->name);
    if (f->present != NULL)
      *f->present = v != NULL;
    if (v == NULL) {
      if (f->required)
        add_error(&k, f->name, "is required");
    } else if (json_is_null(v)) {
      if (!f->nullable)
        add_error(&k, f->name, "must not be null");
    } else {
      read_field(f, v, &k);
    }
  }
}

enum http_step jsonin_finish(struct http_request *rq, struct jsonin_errors *e)
{
  if (json_array_size(e->list) == 0) {
    json_decref(e->list);
    e->list = NULL;
    return HTTP_STEP_OK;
  }
  enum problem p = e->unknown ? PROBLEM_UNKNOWN_FIELD : PROBLEM_INVALID_FIELD;
  const char *detail = e->unknown ? "the request has fields this endpoint does not take"
                                  : "one or more fields are invalid";
  json_t *extra = json_pack("{s:o}", "errors", e->list);
  e->list = NULL;
  return HTTP_STEP_OF(reply_problem(rq, p, detail, extra));
}

enum http_step jsonin_read(struct http_request *rq, const struct jsonin_field *fields, size_t count)
{
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return HTTP_STEP_FAILED;
  jsonin_check(rq->json, fields, count, "", &e);
  return jsonin_finish(rq, &e);
}
