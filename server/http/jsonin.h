/* Strict reading of JSON request bodies: every field is declared, unknown
 * ones are refused, and every problem found goes into one 400 reply's
 * errors[] list. */
#ifndef MERCHANTD_JSONIN_H
#define MERCHANTD_JSONIN_H

#include "request.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jsonin_type {
  JSONIN_TEXT,  /* string; min/max count characters */
  JSONIN_BYTES, /* string; min/max count bytes */
  JSONIN_INT,   /* integer; min/max bound the value */
  JSONIN_BOOL,
  JSONIN_TIME, /* RFC 3339 string, read as microseconds since the epoch */
};

struct jsonin_field {
  const char *name;
  enum jsonin_type type;
  bool required;
  bool nullable;
  int64_t min, max;
  /* const char ** for text (borrowed from the parsed body), int64_t * for
   * int and time, bool * for bool. Untouched when absent or null. */
  void *out;
  bool *present; /* optional: set when the field is in the body (null too) */
  /* Optional extra rule on strings; returns NULL or what is wrong. */
  const char *(*check)(const char *value);
};

/* Parses the raw body into rq->json (objects only, duplicate keys refused,
 * bounded depth). */
enum http_step jsonin_parse_body(struct http_request *rq);

/* Checks rq->json against the fields and fills their outputs. */
enum http_step jsonin_read(struct http_request *rq, const struct jsonin_field *fields,
                           size_t count);

/* For bodies with nested objects: collect the problems of every part in one
 * list, then answer them all in one 400 (or go on when there are none). */
struct jsonin_errors {
  json_t *list;
  bool unknown; /* an unknown field was among them: the code is unknown_field */
};

bool jsonin_errors_init(struct jsonin_errors *e);
/* Checks obj against fields; problems are named "<prefix><field>", e.g. with
 * prefix "skus[2]." the price of the third SKU is "skus[2].price_cents". */
void jsonin_check(json_t *obj, const struct jsonin_field *fields, size_t count, const char *prefix,
                  struct jsonin_errors *e);
void jsonin_error(struct jsonin_errors *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* HTTP_STEP_OK when nothing was collected; else the 400 is queued. Either
 * way the list is released. */
enum http_step jsonin_finish(struct http_request *rq, struct jsonin_errors *e);

#endif
