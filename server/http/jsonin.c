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

/* The state of one reading: where problems go and the path of the value
 * being read. */
struct jsonin_reader {
  json_t *list;
  bool *unknown;
  char path[256];
  size_t len;
  /* JSONIN_WHOLE: problems below path[0..whole) are named by it, the rest
   * of the path going into the message; 0 when not inside such an array. */
  size_t whole;
};

/* Appends ".name" (or "name" at the top) or "[index]"; returns the length
 * to restore. */
static size_t push_name(struct jsonin_reader *r, const char *name)
{
  size_t was = r->len;
  int n = snprintf(r->path + r->len, sizeof r->path - r->len, "%s%s", r->len > 0 ? "." : "", name);
  r->len = n < 0 ? r->len : strlen(r->path);
  return was;
}

static size_t push_index(struct jsonin_reader *r, size_t index)
{
  size_t was = r->len;
  snprintf(r->path + r->len, sizeof r->path - r->len, "[%zu]", index);
  r->len = strlen(r->path);
  return was;
}

static void pop(struct jsonin_reader *r, size_t len)
{
  r->len = len;
  r->path[len] = '\0';
}

static void append(json_t *list, char *field, char *msg)
{
  /* A long field name (an unknown key) is cut: keep it UTF-8, or json_pack
   * fails and the error, unknown_field among them, is lost. */
  utf8_repair(field);
  utf8_repair(msg);
  json_array_append_new(list, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

static void add_verror(json_t *list, const char *field, const char *fmt, va_list ap)
{
  char msg[256], name[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  snprintf(name, sizeof name, "%s", field);
  append(list, name, msg);
}

/* A problem of the value at the reader's path. */
static void add_error(struct jsonin_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_error(struct jsonin_reader *r, const char *fmt, ...)
{
  char field[256], msg[256], text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (r->whole > 0 && r->len > r->whole) {
    /* Named by the array; the element's place leads the message:
     * "[2] must be an integer". */
    snprintf(field, sizeof field, "%.*s", (int)r->whole, r->path);
    snprintf(text, sizeof text, "%s %s", r->path + r->whole, msg);
  } else {
    snprintf(field, sizeof field, "%s", r->len > 0 ? r->path : "body");
    snprintf(text, sizeof text, "%s", msg);
  }
  append(r->list, field, text);
}

static const char *type_name(enum jsonin_kind k)
{
  switch (k) {
  case JSONIN_KIND_TEXT:
  case JSONIN_KIND_BYTES:
    return "a string";
  case JSONIN_KIND_INT:
    return "an integer";
  case JSONIN_KIND_BOOL:
    return "a boolean";
  case JSONIN_KIND_TIME:
    return "an RFC 3339 timestamp string";
  case JSONIN_KIND_OBJECT:
    return "an object";
  case JSONIN_KIND_ARRAY:
    return "an array";
  case JSONIN_KIND_VALUE:
    break;
  }
  return "a value";
}

static bool type_ok(enum jsonin_kind k, json_t *v)
{
  switch (k) {
  case JSONIN_KIND_TEXT:
  case JSONIN_KIND_BYTES:
  case JSONIN_KIND_TIME:
    return json_is_string(v);
  case JSONIN_KIND_INT:
    return json_is_integer(v);
  case JSONIN_KIND_BOOL:
    return json_is_boolean(v);
  case JSONIN_KIND_OBJECT:
    return json_is_object(v);
  case JSONIN_KIND_ARRAY:
    return json_is_array(v);
  case JSONIN_KIND_VALUE:
    return true;
  }
  return false;
}

/* Sets the outputs of f (and of an object's members) to nothing read. */
static void clear_outputs(const struct jsonin_field *f)
{
  if (f->present != NULL)
    *f->present = false;
  if (f->json != NULL)
    *f->json = NULL;
  switch (f->kind) {
  case JSONIN_KIND_TEXT:
  case JSONIN_KIND_BYTES:
    *f->out.text = NULL;
    break;
  case JSONIN_KIND_INT:
  case JSONIN_KIND_TIME:
    *f->out.integer = 0;
    break;
  case JSONIN_KIND_BOOL:
    *f->out.boolean = false;
    break;
  case JSONIN_KIND_OBJECT:
    for (size_t i = 0; i < f->spec->count; i++)
      clear_outputs(&f->spec->fields[i]);
    break;
  case JSONIN_KIND_ARRAY:
  case JSONIN_KIND_VALUE:
    break;
  }
}

static void read_member(struct jsonin_reader *r, const struct jsonin_field *f, json_t *v);

static void read_string(struct jsonin_reader *r, const struct jsonin_field *f, json_t *v)
{
  const char *s = json_string_value(v);
  size_t bytes = json_string_length(v);
  if (f->kind == JSONIN_KIND_TIME) {
    int64_t t;
    if (!clock_parse(s, &t))
      add_error(r, "must be an RFC 3339 timestamp such as 2026-11-26T08:00:00Z");
    else
      *f->out.integer = t;
    return;
  }
  size_t len = f->kind == JSONIN_KIND_TEXT ? utf8_length(s, bytes) : bytes;
  const char *unit = f->kind == JSONIN_KIND_TEXT ? "characters" : "bytes";
  const char *why = NULL;
  if ((int64_t)len < f->min || (int64_t)len > f->max)
    add_error(r, "must be %lld to %lld %s long", (long long)f->min, (long long)f->max, unit);
  else if (f->check != NULL && (why = f->check(s)) != NULL)
    add_error(r, "%s", why);
  else
    *f->out.text = s;
}

static void read_object(struct jsonin_reader *r, json_t *obj, const struct jsonin_spec *spec)
{
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v)
  {
    size_t i = 0;
    while (i < spec->count && strcmp(spec->fields[i].name, key) != 0)
      i++;
    if (i == spec->count) {
      *r->unknown = true;
      size_t was = push_name(r, key);
      add_error(r, "unknown field");
      pop(r, was);
    }
  }
  for (size_t i = 0; i < spec->count; i++) {
    const struct jsonin_field *f = &spec->fields[i];
    size_t was = push_name(r, f->name);
    read_member(r, f, json_object_get(obj, f->name));
    pop(r, was);
  }
}

/* JSONIN_ROWS: reads each element into a list of its own, for the callback. */
static void read_rows(struct jsonin_reader *r, const struct jsonin_field *f, json_t *array)
{
  size_t i;
  json_t *v;
  json_array_foreach(array, i, v)
  {
    if (!json_is_object(v)) {
      add_error(r, "must hold only objects");
      return;
    }
  }
  json_array_foreach(array, i, v)
  {
    struct jsonin_at at = {i, v, false, json_array(), false, NULL};
    if (at.errors == NULL)
      return;
    struct jsonin_reader row = {at.errors, &at.unknown, "", 0, 0};
    at.reader = &row;
    clear_outputs(f->element);
    read_object(&row, v, f->element->spec);
    at.valid = json_array_size(at.errors) == 0;
    if (f->each != NULL)
      f->each(&at, f->arg);
    json_decref(at.errors);
  }
}

static void read_array(struct jsonin_reader *r, const struct jsonin_field *f, json_t *array)
{
  size_t n = json_array_size(array);
  if ((int64_t)n < f->min || (int64_t)n > f->max) {
    if (f->min == 0)
      add_error(r, "must hold at most %lld items", (long long)f->max);
    else
      add_error(r, "must hold %lld to %lld items", (long long)f->min, (long long)f->max);
    return;
  }
  if (f->flags & JSONIN_ROWS) {
    read_rows(r, f, array);
    return;
  }
  size_t whole = r->whole;
  if ((f->flags & JSONIN_WHOLE) && whole == 0)
    r->whole = r->len;
  size_t i;
  json_t *v;
  json_array_foreach(array, i, v)
  {
    size_t was = push_index(r, i), before = json_array_size(r->list);
    clear_outputs(f->element);
    read_member(r, f->element, v);
    struct jsonin_at at = {i, v, json_array_size(r->list) == before, NULL, false, r};
    if (f->each != NULL)
      f->each(&at, f->arg);
    pop(r, was);
  }
  r->whole = whole;
}

/* Checks one value (v NULL when absent); writes the outputs when valid. */
static void read_member(struct jsonin_reader *r, const struct jsonin_field *f, json_t *v)
{
  if (f->present != NULL)
    *f->present = v != NULL;
  if (f->json != NULL)
    *f->json = v;
  if (v == NULL) {
    if (f->flags & JSONIN_REQUIRED)
      add_error(r, "is required");
    return;
  }
  if (json_is_null(v)) {
    if (!(f->flags & JSONIN_NULLABLE))
      add_error(r, "must not be null");
    return;
  }
  if (!type_ok(f->kind, v)) {
    add_error(r, "must be %s%s", type_name(f->kind), f->flags & JSONIN_NULLABLE ? " or null" : "");
    return;
  }
  switch (f->kind) {
  case JSONIN_KIND_INT: {
    json_int_t n = json_integer_value(v);
    if (n < f->min || n > f->max)
      add_error(r, "must be from %lld to %lld", (long long)f->min, (long long)f->max);
    else
      *f->out.integer = n;
    break;
  }
  case JSONIN_KIND_BOOL:
    *f->out.boolean = json_is_true(v);
    break;
  case JSONIN_KIND_OBJECT:
    read_object(r, v, f->spec);
    break;
  case JSONIN_KIND_ARRAY:
    read_array(r, f, v);
    break;
  case JSONIN_KIND_VALUE: {
    const char *why = f->check_value != NULL ? f->check_value(v) : NULL;
    if (why != NULL)
      add_error(r, "%s", why);
    break;
  }
  default:
    read_string(r, f, v);
  }
}

void jsonin_at_error(struct jsonin_at *at, const char *member, const char *fmt, ...)
{
  struct jsonin_reader *r = at->reader;
  size_t was = member != NULL ? push_name(r, member) : r->len;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  add_error(r, "%s", msg);
  pop(r, was);
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
  add_verror(e->list, field, fmt, ap);
  va_end(ap);
}

void jsonin_check(struct jsonin_errors *e, json_t *obj, const struct jsonin_field *fields,
                  size_t count)
{
  struct jsonin_reader r = {e->list, &e->unknown, "", 0, 0};
  const struct jsonin_spec spec = {fields, count};
  if (!json_is_object(obj))
    add_error(&r, "must be an object");
  else
    read_object(&r, obj, &spec);
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
  jsonin_check(&e, rq->json, fields, count);
  return jsonin_finish(rq, &e);
}

const char *jsonin_not_blank(const char *s)
{
  return s[strspn(s, " \t\r\n")] == '\0' ? "must not be blank" : NULL;
}
