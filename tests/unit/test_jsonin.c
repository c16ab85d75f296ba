#include "jsonin.h"
#include "unit.h"

#include <string.h>

/* Checks doc against fields into e (initialised here). */
static void check(struct jsonin_errors *e, const char *doc, const struct jsonin_field *fields,
                  size_t count, json_t **keep)
{
  json_error_t err;
  json_t *body = json_loads(doc, JSON_REJECT_DUPLICATES, &err);
  if (body == NULL)
    fprintf(stderr, "bad test document: %s\n", err.text);
  CHECK(jsonin_errors_init(e));
  jsonin_check(e, body, fields, count);
  *keep = body; /* outputs borrow from it */
}

/* The fields named in e, in order, joined by spaces. */
static const char *fields_of(const struct jsonin_errors *e)
{
  static char out[1024];
  size_t used = 0;
  out[0] = '\0';
  size_t i;
  json_t *v;
  json_array_foreach(e->list, i, v)
  {
    int n = snprintf(out + used, sizeof out - used, "%s%s", i ? " " : "",
                     json_string_value(json_object_get(v, "field")));
    if (n > 0 && (size_t)n < sizeof out - used)
      used += (size_t)n;
  }
  return out;
}

/* The message given for field (the first), or "". */
static const char *message_of(const struct jsonin_errors *e, const char *field)
{
  size_t i;
  json_t *v;
  json_array_foreach(e->list, i, v)
  {
    if (strcmp(json_string_value(json_object_get(v, "field")), field) == 0)
      return json_string_value(json_object_get(v, "message"));
  }
  return "";
}

static void done(struct jsonin_errors *e, json_t *body)
{
  json_decref(e->list);
  json_decref(body);
}

static const char *no_x(const char *s)
{
  return strchr(s, 'x') != NULL ? "must not contain x" : NULL;
}

/* Flat fields: every problem at once, outputs only from valid values. */
static void test_flat(void)
{
  const char *name = "unset", *code = NULL;
  int64_t age = -1, at = 0;
  bool active = false, has_code = false;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, 3, JSONIN_REQUIRED),
      JSONIN_BYTES("code", &code, 1, 4, JSONIN_OPTIONAL, .present = &has_code, .check = no_x),
      JSONIN_INT("age", &age, 0, 150, JSONIN_REQUIRED),
      JSONIN_BOOL("active", &active, JSONIN_OPTIONAL),
      JSONIN_TIME("at", &at, JSONIN_OPTIONAL),
  };
  struct jsonin_errors e;
  json_t *body;
  check(&e,
        "{\"name\": \"价格价\", \"code\": \"价格\", \"age\": 151, \"active\": true,"
        " \"at\": \"2026-11-26T08:00:00Z\"}",
        fields, JSONIN_COUNT(fields), &body);
  /* "价格" is 2 characters but 6 bytes: too long as BYTES, fine as TEXT. */
  CHECK(strcmp(fields_of(&e), "code age") == 0);
  CHECK(strcmp(message_of(&e, "code"), "must be 1 to 4 bytes long") == 0);
  CHECK(strcmp(message_of(&e, "age"), "must be from 0 to 150") == 0);
  CHECK(!e.unknown && has_code);
  CHECK(strcmp(name, "价格价") == 0 && code == NULL && age == -1 && active);
  CHECK(at == INT64_C(1795680000000000));
  done(&e, body);

  check(&e, "{\"name\": 5, \"code\": \"axb\", \"extra\": 1, \"at\": \"noon\"}", fields,
        JSONIN_COUNT(fields), &body);
  /* Unknown fields first, then the declared ones in their order. */
  CHECK(strcmp(fields_of(&e), "extra name code age at") == 0);
  CHECK(e.unknown);
  CHECK(strcmp(message_of(&e, "extra"), "unknown field") == 0);
  CHECK(strcmp(message_of(&e, "name"), "must be a string") == 0);
  CHECK(strcmp(message_of(&e, "code"), "must not contain x") == 0);
  CHECK(strcmp(message_of(&e, "age"), "is required") == 0);
  CHECK(strncmp(message_of(&e, "at"), "must be an RFC 3339 timestamp", 29) == 0);
  done(&e, body);

  check(&e, "[1, 2]", fields, JSONIN_COUNT(fields), &body);
  CHECK(strcmp(fields_of(&e), "body") == 0);
  CHECK(strcmp(message_of(&e, "body"), "must be an object") == 0);
  done(&e, body);
}

/* Null: refused unless nullable; a nullable null leaves the output alone
 * and still counts as present. */
static void test_null(void)
{
  const char *note = "default";
  int64_t n = 7;
  bool has_note = false, has_n = false;
  json_t *raw = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("note", &note, 0, 10, JSONIN_NULLABLE, .present = &has_note, .json = &raw),
      JSONIN_INT("n", &n, 0, 10, JSONIN_REQUIRED, .present = &has_n),
  };
  struct jsonin_errors e;
  json_t *body;
  check(&e, "{\"note\": null, \"n\": null}", fields, JSONIN_COUNT(fields), &body);
  CHECK(strcmp(fields_of(&e), "n") == 0);
  CHECK(strcmp(message_of(&e, "n"), "must not be null") == 0);
  CHECK(has_note && has_n && strcmp(note, "default") == 0 && n == 7);
  CHECK(raw != NULL && json_is_null(raw));
  done(&e, body);

  check(&e, "{\"note\": 1}", fields, JSONIN_COUNT(fields), &body);
  CHECK(strcmp(message_of(&e, "note"), "must be a string or null") == 0);
  CHECK(strcmp(message_of(&e, "n"), "is required") == 0 && !has_n);
  done(&e, body);

  /* A required field may still take null. */
  int64_t t = 5;
  const struct jsonin_field now[] = {JSONIN_TIME("now", &t, JSONIN_REQUIRED | JSONIN_NULLABLE)};
  check(&e, "{\"now\": null}", now, 1, &body);
  CHECK(json_array_size(e.list) == 0 && t == 5);
  done(&e, body);
  check(&e, "{}", now, 1, &body);
  CHECK(strcmp(fields_of(&e), "now") == 0);
  done(&e, body);
}

/* An order-like body: an array of objects, a nested object, a callback. */
struct line {
  int64_t sku, qty;
  int64_t seen[4];
  size_t calls, valid;
};

static void line_each(struct jsonin_at *at, void *arg)
{
  struct line *l = arg;
  l->calls++;
  l->valid += at->valid;
  l->seen[at->index] = l->sku; /* cleared to 0 before each element */
  for (size_t j = 0; j < at->index && l->sku != 0; j++)
    if (l->seen[j] == l->sku)
      jsonin_at_error(at, "sku", "repeats items[%zu].sku", j);
}

static void test_nested(void)
{
  struct line l = {0};
  const struct jsonin_field line_fields[] = {
      JSONIN_INT("sku", &l.sku, 1, 100, JSONIN_REQUIRED),
      JSONIN_INT("qty", &l.qty, 1, 9, JSONIN_REQUIRED),
  };
  const struct jsonin_spec line_spec = JSONIN_SPEC(line_fields);
  const struct jsonin_field line = JSONIN_OBJECT(NULL, &line_spec, JSONIN_REQUIRED);
  const char *city = NULL, *street = NULL;
  const struct jsonin_field street_fields[] = {
      JSONIN_TEXT("street", &street, 1, 20, JSONIN_REQUIRED),
  };
  const struct jsonin_spec street_spec = JSONIN_SPEC(street_fields);
  const struct jsonin_field address_fields[] = {
      JSONIN_TEXT("city", &city, 1, 20, JSONIN_REQUIRED),
      JSONIN_OBJECT("where", &street_spec, JSONIN_OPTIONAL),
  };
  const struct jsonin_spec address_spec = JSONIN_SPEC(address_fields);
  json_t *items = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_ARRAY("items", &line, 1, 4, JSONIN_REQUIRED, .json = &items, .each = line_each,
                   .arg = &l),
      JSONIN_OBJECT("address", &address_spec, JSONIN_REQUIRED),
  };
  struct jsonin_errors e;
  json_t *body;
  check(&e,
        "{\"items\": [{\"sku\": 1, \"qty\": 1}, 5, {\"sku\": 0, \"qty\": 10},"
        " {\"sku\": 1, \"qty\": 2}],"
        " \"address\": {\"city\": \"\", \"where\": {\"street\": \"s\", \"floor\": 3}}}",
        fields, JSONIN_COUNT(fields), &body);
  CHECK(
      strcmp(fields_of(&e),
             "items[1] items[2].sku items[2].qty items[3].sku address.city address.where.floor") ==
      0);
  CHECK(strcmp(message_of(&e, "items[1]"), "must be an object") == 0);
  CHECK(strcmp(message_of(&e, "items[3].sku"), "repeats items[0].sku") == 0);
  /* An unknown field at any depth makes the code unknown_field. */
  CHECK(e.unknown);
  CHECK(l.calls == 4 && l.valid == 2 && json_array_size(items) == 4);
  CHECK(strcmp(street, "s") == 0 && city == NULL);
  done(&e, body);

  /* Element counts, and the array's own type. */
  const char *bodies[] = {"{\"items\": [], \"address\": {\"city\": \"c\"}}",
                          "{\"items\": [1, 2, 3, 4, 5], \"address\": {\"city\": \"c\"}}",
                          "{\"items\": {}, \"address\": {\"city\": \"c\"}}"};
  const char *messages[] = {"must hold 1 to 4 items", "must hold 1 to 4 items", "must be an array"};
  for (size_t i = 0; i < 3; i++) {
    l.calls = 0;
    check(&e, bodies[i], fields, JSONIN_COUNT(fields), &body);
    CHECK(strcmp(fields_of(&e), "items") == 0);
    CHECK(strcmp(message_of(&e, "items"), messages[i]) == 0);
    CHECK(l.calls == 0); /* elements are not read when the array is wrong */
    done(&e, body);
  }
}

/* Arrays of arrays: paths stack their indexes. */
static void test_nested_arrays(void)
{
  int64_t cell = 0;
  const struct jsonin_field cell_field = JSONIN_INT(NULL, &cell, 0, 9, JSONIN_REQUIRED);
  const struct jsonin_field row = JSONIN_ARRAY(NULL, &cell_field, 1, 3, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {JSONIN_ARRAY("grid", &row, 1, 3, JSONIN_REQUIRED)};
  struct jsonin_errors e;
  json_t *body;
  check(&e, "{\"grid\": [[1, 2], [3, 10, null], [], \"x\"]}", fields, 1, &body);
  CHECK(strcmp(fields_of(&e), "grid") == 0); /* four rows: only the count */
  done(&e, body);
  check(&e, "{\"grid\": [[1, 2], [3, 10, null], []]}", fields, 1, &body);
  CHECK(strcmp(fields_of(&e), "grid[1][1] grid[1][2] grid[2]") == 0);
  CHECK(strcmp(message_of(&e, "grid[1][2]"), "must not be null") == 0);
  CHECK(strcmp(message_of(&e, "grid[2]"), "must hold 1 to 3 items") == 0);
  done(&e, body);
}

/* JSONIN_WHOLE: element problems are the array's, their place in the
 * message. */
static void id_each(struct jsonin_at *at, void *arg)
{
  int64_t *ids = arg; /* ids[0] is the one being read */
  if (at->valid && at->index > 0 && ids[0] == ids[1])
    jsonin_at_error(at, NULL, "must not repeat an id");
  if (at->valid)
    ids[1] = ids[0];
}

static void test_whole(void)
{
  int64_t ids[2] = {0, -1};
  const struct jsonin_field id = JSONIN_INT(NULL, &ids[0], 1, 99, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_ARRAY("ids", &id, 1, 5, JSONIN_REQUIRED | JSONIN_WHOLE, .each = id_each, .arg = ids),
  };
  struct jsonin_errors e;
  json_t *body;
  check(&e, "{\"ids\": [1, \"2\", 3, 3]}", fields, 1, &body);
  CHECK(strcmp(fields_of(&e), "ids ids") == 0);
  CHECK(strcmp(json_string_value(json_object_get(json_array_get(e.list, 0), "message")),
               "[1] must be an integer") == 0);
  CHECK(strcmp(json_string_value(json_object_get(json_array_get(e.list, 1), "message")),
               "[3] must not repeat an id") == 0);
  done(&e, body);
}

/* JSONIN_ROWS: each element's problems go to the callback, named relative
 * to it; a non-object element is the array's problem. */
struct rows {
  int64_t id;
  const char *got[3];
  size_t n;
  bool unknown[3];
};

static void row_each(struct jsonin_at *at, void *arg)
{
  struct rows *r = arg;
  static char names[3][64];
  snprintf(names[r->n], sizeof names[r->n], "%s",
           at->valid ? "ok"
                     : json_string_value(json_object_get(json_array_get(at->errors, 0), "field")));
  r->unknown[r->n] = at->unknown;
  r->got[r->n] = names[r->n];
  r->n++;
}

static void test_rows(void)
{
  struct rows r = {0};
  const struct jsonin_field row_fields[] = {JSONIN_INT("id", &r.id, 1, 9, JSONIN_REQUIRED)};
  const struct jsonin_spec row_spec = JSONIN_SPEC(row_fields);
  const struct jsonin_field row = JSONIN_OBJECT(NULL, &row_spec, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_ARRAY("rows", &row, 1, 3, JSONIN_REQUIRED | JSONIN_ROWS, .each = row_each, .arg = &r),
  };
  struct jsonin_errors e;
  json_t *body;
  check(&e, "{\"rows\": [{\"id\": 1}, {\"id\": 0}, {\"id\": 2, \"more\": 1}]}", fields, 1, &body);
  CHECK(json_array_size(e.list) == 0 && !e.unknown); /* the request itself is fine */
  CHECK(r.n == 3 && strcmp(r.got[0], "ok") == 0 && strcmp(r.got[1], "id") == 0);
  CHECK(strcmp(r.got[2], "more") == 0 && r.unknown[2] && !r.unknown[1]);
  done(&e, body);
  r.n = 0;
  check(&e, "{\"rows\": [{\"id\": 1}, 5]}", fields, 1, &body);
  CHECK(strcmp(fields_of(&e), "rows") == 0 && r.n == 0);
  done(&e, body);
}

/* A value of more than one type: judged by its check, given as it is. */
static const char *text_or_id(json_t *v)
{
  if (json_is_string(v) || (json_is_object(v) && json_is_integer(json_object_get(v, "id"))))
    return NULL;
  return "must be a string or {\"id\": n}";
}

static void test_value(void)
{
  json_t *got = NULL;
  const struct jsonin_field item = JSONIN_VALUE(NULL, text_or_id, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_VALUE("one", text_or_id, JSONIN_OPTIONAL, .json = &got),
      JSONIN_ARRAY("many", &item, 0, 3, JSONIN_OPTIONAL),
  };
  struct jsonin_errors e;
  json_t *body;
  check(&e, "{\"one\": {\"id\": 1}, \"many\": [\"a\", {\"id\": 2}]}", fields, 2, &body);
  CHECK(json_array_size(e.list) == 0 && json_is_object(got));
  done(&e, body);
  check(&e, "{\"one\": 5, \"many\": [\"a\", null, []]}", fields, 2, &body);
  CHECK(strcmp(fields_of(&e), "one many[1] many[2]") == 0 && !e.unknown);
  CHECK(strcmp(message_of(&e, "one"), "must be a string or {\"id\": n}") == 0);
  CHECK(strcmp(message_of(&e, "many[1]"), "must not be null") == 0);
  done(&e, body);
}

/* Long unknown keys are cut but stay UTF-8. */
static void test_long_key(void)
{
  int64_t n = 0;
  const struct jsonin_field inner[] = {JSONIN_INT("n", &n, 0, 1, JSONIN_OPTIONAL)};
  const struct jsonin_spec spec = JSONIN_SPEC(inner);
  const struct jsonin_field fields[] = {JSONIN_OBJECT("o", &spec, JSONIN_OPTIONAL)};
  char doc[1200];
  char key[901] = "";
  for (int i = 0; i < 300; i++)
    strcat(key, "价");
  snprintf(doc, sizeof doc, "{\"o\": {\"%s\": 1}}", key);
  struct jsonin_errors e;
  json_t *body;
  check(&e, doc, fields, 1, &body);
  CHECK(json_array_size(e.list) == 1 && e.unknown);
  CHECK(strncmp(fields_of(&e), "o.价", 5) == 0);
  done(&e, body);
}

int main(void)
{
  test_flat();
  test_null();
  test_nested();
  test_nested_arrays();
  test_whole();
  test_rows();
  test_value();
  test_long_key();
  return unit_report("jsonin");
}
