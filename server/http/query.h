/* Strict reading of query-string parameters: every parameter a route takes
 * is declared; unknown ones and bad values answer 400 with errors[]. */
#ifndef MERCHANTD_QUERY_H
#define MERCHANTD_QUERY_H

#include "cursor.h"
#include "request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum query_type {
  QUERY_TEXT, /* out: const char **; min/max count characters */
  QUERY_INT,  /* out: int64_t *; min/max bound the value */
  QUERY_TIME, /* out: int64_t * (RFC 3339, microseconds since the epoch) */
  QUERY_ENUM, /* out: int * (index into values); values ends with NULL */
  QUERY_BOOL, /* out: bool * ("true" or "false") */
};

struct query_param {
  const char *name;
  enum query_type type;
  int64_t min, max;
  void *out; /* untouched when the parameter is absent */
  const char *const *values;
  bool *present; /* optional */
};

enum http_step query_read(struct http_request *rq, const struct query_param *params, size_t count);

/* Reads a ?cursor= value of the given kind (see cursor.h) into c; a text
 * that is not such a cursor answers 400 naming "cursor". Without a text,
 * c is left as it is (the first page). */
enum http_step query_cursor(struct http_request *rq, char kind, const char *text, struct cursor *c);

/* The common list parameters: limit (1-100, default 20) and cursor. */
#define QUERY_LIMIT_DEFAULT 20
#define QUERY_LIMIT_MAX     100
#define QUERY_PARAM_LIMIT(out)                                                                     \
  {                                                                                                \
    "limit", QUERY_INT, 1, QUERY_LIMIT_MAX, (out), NULL, NULL                                      \
  }
#define QUERY_PARAM_CURSOR(out)                                                                    \
  {                                                                                                \
    "cursor", QUERY_TEXT, 1, 200, (out), NULL, NULL                                                \
  }

#endif
