/* A JSON document written front to back into one growing buffer. Replies
 * that carry orders (the merchant's hottest read, and lists of up to a
 * hundred) are written this way rather than built as a jansson tree and
 * then serialised: no allocation per value, and a column that already
 * holds JSON (an order's items) is copied as it is.
 *
 * The writer places the commas: a key or a value that does not follow '{',
 * '[' or a key gets one. A failed allocation sticks: later calls do nothing
 * and jsonout_take answers NULL. */
#ifndef MERCHANTD_JSONOUT_H
#define MERCHANTD_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jsonout {
  char *buf;
  size_t len, cap;
  bool failed;
};

#define JSONOUT_INIT                                                                               \
  {                                                                                                \
    NULL, 0, 0, false                                                                              \
  }

/* The text written so far (malloc'd, NUL-terminated, the caller frees it)
 * with its length, or NULL if an allocation failed. The writer is empty
 * afterwards. */
char *jsonout_take(struct jsonout *j, size_t *len);
void jsonout_free(struct jsonout *j);

void jsonout_begin_object(struct jsonout *j);
void jsonout_end_object(struct jsonout *j);
void jsonout_begin_array(struct jsonout *j);
void jsonout_end_array(struct jsonout *j);
/* key is a name from the code, written as it is (not escaped). */
void jsonout_key(struct jsonout *j, const char *key);

/* Values; a NULL string is written as null. */
void jsonout_string(struct jsonout *j, const char *s);
void jsonout_int(struct jsonout *j, int64_t v);
void jsonout_bool(struct jsonout *j, bool v);
void jsonout_null(struct jsonout *j);
/* An RFC 3339 time, UTC, whole seconds (as clock_format). */
void jsonout_time(struct jsonout *j, int64_t us);
/* JSON text known to be valid (a json or jsonb column), copied as it is. */
void jsonout_raw(struct jsonout *j, const char *json);

/* A key and its value in one call. */
void jsonout_field_string(struct jsonout *j, const char *key, const char *s);
void jsonout_field_int(struct jsonout *j, const char *key, int64_t v);
void jsonout_field_bool(struct jsonout *j, const char *key, bool v);
void jsonout_field_time(struct jsonout *j, const char *key, int64_t us);
/* A time, or null when unset (0). */
void jsonout_field_time_or_null(struct jsonout *j, const char *key, int64_t us);
/* An integer, or null when unset (0): optional ids and counts. */
void jsonout_field_int_or_null(struct jsonout *j, const char *key, int64_t v);

#endif
