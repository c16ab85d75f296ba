/* Strict reading of JSON request bodies: every field is declared, unknown
 * ones are refused, and every problem found goes into one 400 reply's
 * errors[] list. */
#ifndef MERCHANTD_JSONIN_H
#define MERCHANTD_JSONIN_H

#include "http.h"

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

/* Counts UTF-8 characters (the input is known to be valid UTF-8). */
size_t jsonin_utf8_length(const char *s, size_t bytes);

#endif
