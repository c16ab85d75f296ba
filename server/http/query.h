/* Strict reading of query-string parameters: every parameter a route takes
 * is declared; unknown ones and bad values answer 400 with errors[]. */
#ifndef MERCHANTD_QUERY_H
#define MERCHANTD_QUERY_H

#include "cursor.h"
#include "request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum query_kind {
  QUERY_KIND_TEXT, /* min/max count characters */
  QUERY_KIND_INT,  /* min/max bound the value */
  QUERY_KIND_TIME, /* RFC 3339, microseconds since the epoch */
  QUERY_KIND_ENUM, /* index into values, which ends with NULL */
  QUERY_KIND_BOOL, /* "true" or "false" */
  QUERY_KIND_DATE, /* YYYY-MM-DD, days since 1970-01-01 */
};

struct query_param {
  const char *name;
  enum query_kind kind;
  int64_t min, max;
  /* Untouched when the parameter is absent or not valid. */
  union {
    const char **text; /* TEXT: borrowed from the connection */
    int64_t *integer;  /* INT, TIME and DATE */
    int *choice;       /* ENUM */
    bool *boolean;     /* BOOL */
  } out;
  const char *const *values;
  /* Optional, given last as a designated initializer: */
  bool *present;
};

/* Typed constructors: the output pointer must be of the parameter's type,
 * or the declaration does not compile. */
#define QUERY_TYPED(type, p) _Generic((p), type : (p))
#define QUERY_TEXT(nm, p, lo, hi, ...)                                                             \
  {                                                                                                \
    .name = (nm), .kind = QUERY_KIND_TEXT, .min = (lo), .max = (hi),                               \
    .out.text = QUERY_TYPED(const char **, p), __VA_ARGS__                                         \
  }
#define QUERY_INT(nm, p, lo, hi, ...)                                                              \
  {                                                                                                \
    .name = (nm), .kind = QUERY_KIND_INT, .min = (lo), .max = (hi),                                \
    .out.integer = QUERY_TYPED(int64_t *, p), __VA_ARGS__                                          \
  }
#define QUERY_TIME(nm, p, ...)                                                                     \
  {                                                                                                \
    .name = (nm), .kind = QUERY_KIND_TIME, .out.integer = QUERY_TYPED(int64_t *, p), __VA_ARGS__   \
  }
#define QUERY_ENUM(nm, p, vals, ...)                                                               \
  {                                                                                                \
    .name = (nm), .kind = QUERY_KIND_ENUM, .out.choice = QUERY_TYPED(int *, p), .values = (vals),  \
    __VA_ARGS__                                                                                    \
  }
#define QUERY_BOOL(nm, p, ...)                                                                     \
  {                                                                                                \
    .name = (nm), .kind = QUERY_KIND_BOOL, .out.boolean = QUERY_TYPED(bool *, p), __VA_ARGS__      \
  }

#define QUERY_DATE(nm, p, ...)                                                                     \
  {                                                                                                \
    .name = (nm), .kind = QUERY_KIND_DATE, .out.integer = QUERY_TYPED(int64_t *, p), __VA_ARGS__   \
  }

#define QUERY_COUNT(params) (sizeof(params) / sizeof((params)[0]))

enum http_step query_read(struct http_request *rq, const struct query_param *params, size_t count);

/* Reads a ?cursor= value of the given kind (see cursor.h) into c; a text
 * that is not such a cursor answers 400 naming "cursor". Without a text,
 * c is left as it is (the first page). */
enum http_step query_cursor(struct http_request *rq, char kind, const char *text, struct cursor *c);

/* The query of a list that takes nothing but limit and cursor: reads both,
 * the cursor of the given kind into after (left as it is for the first
 * page). Replies 400 itself. */
enum http_step query_page(struct http_request *rq, char kind, int64_t *limit, struct cursor *after);
/* The same for a list that also filters by status: *status is the index in
 * statuses (NULL-terminated) of the status asked for, -1 when none is. */
enum http_step query_status_page(struct http_request *rq, const char *const *statuses, int *status,
                                 char kind, int64_t *limit, struct cursor *after);

/* The common list parameters: limit (1-100, default 20) and cursor. */
#define QUERY_LIMIT_DEFAULT 20
#define QUERY_LIMIT_MAX     100
#define QUERY_LIMIT(p)      QUERY_INT("limit", p, 1, QUERY_LIMIT_MAX)
#define QUERY_CURSOR(p)     QUERY_TEXT("cursor", p, 1, 200)

#endif
