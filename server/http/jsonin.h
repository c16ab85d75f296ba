/* Strict reading of JSON request bodies: every field is declared, unknown
 * ones are refused, and every problem found goes into one 400 reply's
 * errors[] list, named by its path ("skus[2].price_cents").
 *
 * A body is declared as an array of fields, each made by a typed
 * constructor whose output pointer must have the field's C type:
 *
 *   const char *title = NULL;
 *   int64_t stock = 0;
 *   const struct jsonin_field fields[] = {
 *       JSONIN_TEXT("title", &title, 1, 120, JSONIN_REQUIRED, .check = blank_problem),
 *       JSONIN_INT("stock", &stock, 0, 1000, JSONIN_OPTIONAL, .present = &has_stock),
 *   };
 *
 * JSONIN_INT("stock", &title, ...) does not compile. Objects nest with a
 * spec of their own (JSONIN_OBJECT); arrays declare their element as a
 * field without a name (JSONIN_ARRAY) and may hand each element, once read,
 * to a callback that copies its values out or checks rules between them. */
#ifndef MERCHANTD_JSONIN_H
#define MERCHANTD_JSONIN_H

#include "request.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jsonin_kind {
  JSONIN_KIND_TEXT,  /* string; min/max count characters */
  JSONIN_KIND_BYTES, /* string; min/max count bytes */
  JSONIN_KIND_INT,   /* integer; min/max bound the value */
  JSONIN_KIND_BOOL,
  JSONIN_KIND_TIME,   /* RFC 3339 string, read as microseconds since the epoch */
  JSONIN_KIND_OBJECT, /* object of the members spec declares */
  JSONIN_KIND_ARRAY,  /* array of min to max elements, each read as element */
  JSONIN_KIND_VALUE,  /* any JSON value, judged by check_value (a string or an object, say) */
};

/* Flags of a field. */
#define JSONIN_OPTIONAL 0u
#define JSONIN_REQUIRED (1u << 0)
#define JSONIN_NULLABLE (1u << 1) /* null is taken (outputs stay untouched) */
/* Arrays: the problems of an element are the array's own, named after it
 * with the element's place in the message ("[2] must be an integer"). */
#define JSONIN_WHOLE (1u << 2)
/* Arrays of objects: each element answers for itself. Its problems, named
 * relative to it, go to the callback (jsonin_at.errors) instead of the
 * request's list; an element that is not an object is the array's problem. */
#define JSONIN_ROWS (1u << 3)

struct jsonin_field;
struct jsonin_at;

/* The members of an object. */
struct jsonin_spec {
  const struct jsonin_field *fields;
  size_t count;
};
#define JSONIN_SPEC(fields)                                                                        \
  {                                                                                                \
    (fields), sizeof(fields) / sizeof((fields)[0])                                                 \
  }

/* Called once an array element has been read. */
typedef void jsonin_each_fn(struct jsonin_at *at, void *arg);

struct jsonin_field {
  const char *name; /* NULL for an array's element */
  enum jsonin_kind kind;
  unsigned flags;
  int64_t min, max; /* see jsonin_kind; arrays: the number of elements */
  /* Written when the value is valid; untouched when absent, null or not
   * valid (inside an array element: cleared before the element is read). */
  union {
    const char **text; /* TEXT and BYTES: borrowed from the parsed body */
    int64_t *integer;  /* INT and TIME */
    bool *boolean;
  } out;
  const struct jsonin_spec *spec;     /* OBJECT */
  const struct jsonin_field *element; /* ARRAY */
  /* Optional, given after the flags as designated initializers: */
  bool *present;                        /* the field is in the body (null too) */
  json_t **json;                        /* the value as given, borrowed (null too) */
  const char *(*check)(const char *);   /* strings: NULL or what is wrong */
  const char *(*check_value)(json_t *); /* VALUE: NULL or what is wrong */
  jsonin_each_fn *each;                 /* ARRAY: after each element */
  void *arg;                            /* each's argument */
};

/* The output pointer, refused at compile time unless of exactly type. */
#define JSONIN_TYPED(type, p) _Generic((p), type : (p))

#define JSONIN_TEXT(nm, p, lo, hi, fl, ...)                                                        \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_TEXT, .flags = (fl), .min = (lo), .max = (hi),               \
    .out.text = JSONIN_TYPED(const char **, p), __VA_ARGS__                                        \
  }
#define JSONIN_BYTES(nm, p, lo, hi, fl, ...)                                                       \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_BYTES, .flags = (fl), .min = (lo), .max = (hi),              \
    .out.text = JSONIN_TYPED(const char **, p), __VA_ARGS__                                        \
  }
#define JSONIN_INT(nm, p, lo, hi, fl, ...)                                                         \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_INT, .flags = (fl), .min = (lo), .max = (hi),                \
    .out.integer = JSONIN_TYPED(int64_t *, p), __VA_ARGS__                                         \
  }
#define JSONIN_BOOL(nm, p, fl, ...)                                                                \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_BOOL, .flags = (fl), .out.boolean = JSONIN_TYPED(bool *, p), \
    __VA_ARGS__                                                                                    \
  }
#define JSONIN_TIME(nm, p, fl, ...)                                                                \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_TIME, .flags = (fl),                                         \
    .out.integer = JSONIN_TYPED(int64_t *, p), __VA_ARGS__                                         \
  }
/* spec: const struct jsonin_spec *. */
#define JSONIN_OBJECT(nm, sp, fl, ...)                                                             \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_OBJECT, .flags = (fl),                                       \
    .spec = JSONIN_TYPED(const struct jsonin_spec *, sp), __VA_ARGS__                              \
  }
/* el: const struct jsonin_field *, the element (declared with a NULL name). */
#define JSONIN_ARRAY(nm, el, lo, hi, fl, ...)                                                      \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_ARRAY, .flags = (fl), .min = (lo), .max = (hi),              \
    .element = JSONIN_TYPED(const struct jsonin_field *, el), __VA_ARGS__                          \
  }

/* A value that may be of more than one type: check judges it (NULL when
 * valid) and .json gives it as it is. */
#define JSONIN_VALUE(nm, chk, fl, ...)                                                             \
  {                                                                                                \
    .name = (nm), .kind = JSONIN_KIND_VALUE, .flags = (fl),                                        \
    .check_value = JSONIN_TYPED(const char *(*)(json_t *), chk), __VA_ARGS__                       \
  }

#define JSONIN_COUNT(fields) (sizeof(fields) / sizeof((fields)[0]))

/* A string check (.check) refusing text that is empty or only spaces, tabs
 * and line breaks: a title, a name, a reason. */
const char *jsonin_not_blank(const char *s);

/* Where the reader is when an array's each callback runs. */
struct jsonin_at {
  size_t index;  /* of the element in its array */
  json_t *value; /* the element as given, borrowed */
  bool valid;    /* no problem in the element: all its outputs are set */
  /* JSONIN_ROWS: the element's own problems ([{field, message}], names
   * relative to it; the callback takes a reference to keep them) and
   * whether one of them is an unknown field. NULL and false otherwise. */
  json_t *errors;
  bool unknown;
  struct jsonin_reader *reader; /* private */
};

/* Adds a problem of the element (member NULL) or of one of its members,
 * named by their path ("items[2].sku_id"). */
void jsonin_at_error(struct jsonin_at *at, const char *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses the raw body into rq->json (objects only, duplicate keys refused,
 * bounded depth). */
enum http_step jsonin_parse_body(struct http_request *rq);

/* Checks rq->json against the fields and fills their outputs; one 400 for
 * everything found. */
enum http_step jsonin_read(struct http_request *rq, const struct jsonin_field *fields,
                           size_t count);

/* For rules between fields: check, add what the rules find, then answer
 * all problems in one 400 (or go on when there are none). */
struct jsonin_errors {
  json_t *list;
  bool unknown; /* an unknown field was among them: the code is unknown_field */
};

bool jsonin_errors_init(struct jsonin_errors *e);
/* Checks obj (a whole body) against fields, filling their outputs. */
void jsonin_check(struct jsonin_errors *e, json_t *obj, const struct jsonin_field *fields,
                  size_t count);
void jsonin_error(struct jsonin_errors *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* HTTP_STEP_OK when nothing was collected; else the 400 is queued. Either
 * way the list is released. */
enum http_step jsonin_finish(struct http_request *rq, struct jsonin_errors *e);

#endif
