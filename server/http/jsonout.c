#include "jsonout.h"

#include "clock.h"

#include <stdlib.h>
#include <string.h>

#define JSONOUT_FIRST_CAP 2048

/* Room for n more bytes and a terminating NUL. */
static bool reserve(struct jsonout *j, size_t n)
{
  if (j->failed)
    return false;
  if (j->len + n + 1 <= j->cap)
    return true;
  size_t cap = j->cap != 0 ? j->cap : JSONOUT_FIRST_CAP;
  while (cap < j->len + n + 1) {
    if (cap > SIZE_MAX / 2) {
      j->failed = true;
      return false;
    }
    cap *= 2;
  }
  char *buf = realloc(j->buf, cap);
  if (buf == NULL) {
    j->failed = true;
    return false;
  }
  j->buf = buf;
  j->cap = cap;
  return true;
}

static void put(struct jsonout *j, const char *s, size_t n)
{
  if (reserve(j, n)) {
    memcpy(j->buf + j->len, s, n);
    j->len += n;
  }
}

/* The comma before a key, or before a value that is not a key's. */
static void separate(struct jsonout *j)
{
  if (j->len == 0 || j->failed)
    return;
  char last = j->buf[j->len - 1];
  if (last != '{' && last != '[' && last != ':')
    put(j, ",", 1);
}

char *jsonout_take(struct jsonout *j, size_t *len)
{
  if (!reserve(j, 0)) {
    jsonout_free(j);
    return NULL;
  }
  char *text = j->buf;
  text[j->len] = '\0';
  *len = j->len;
  *j = (struct jsonout)JSONOUT_INIT;
  return text;
}

void jsonout_free(struct jsonout *j)
{
  free(j->buf);
  *j = (struct jsonout)JSONOUT_INIT;
}

void jsonout_begin_object(struct jsonout *j)
{
  separate(j);
  put(j, "{", 1);
}

void jsonout_end_object(struct jsonout *j)
{
  put(j, "}", 1);
}

void jsonout_begin_array(struct jsonout *j)
{
  separate(j);
  put(j, "[", 1);
}

void jsonout_end_array(struct jsonout *j)
{
  put(j, "]", 1);
}

void jsonout_key(struct jsonout *j, const char *key)
{
  separate(j);
  size_t n = strlen(key);
  if (reserve(j, n + 3)) {
    char *p = j->buf + j->len;
    p[0] = '"';
    memcpy(p + 1, key, n);
    p[n + 1] = '"';
    p[n + 2] = ':';
    j->len += n + 3;
  }
}

/* Quotes, backslashes and control characters are escaped (RFC 8259 §7);
 * everything else, UTF-8 included, is copied in runs. */
void jsonout_string(struct jsonout *j, const char *s)
{
  if (s == NULL) {
    jsonout_null(j);
    return;
  }
  static const char hex[] = "0123456789abcdef";
  separate(j);
  put(j, "\"", 1);
  const unsigned char *run = (const unsigned char *)s, *p = run;
  for (;; p++) {
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    put(j, (const char *)run, (size_t)(p - run));
    if (c == '\0')
      break;
    char esc[6] = {'\\', (char)c};
    size_t n = 2;
    switch (c) {
    case '"':
    case '\\':
      break;
    case '\n':
      esc[1] = 'n';
      break;
    case '\r':
      esc[1] = 'r';
      break;
    case '\t':
      esc[1] = 't';
      break;
    default:
      memcpy(esc + 1, "u00", 3);
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
    }
    put(j, esc, n);
    run = p + 1;
  }
  put(j, "\"", 1);
}

void jsonout_int(struct jsonout *j, int64_t v)
{
  char digits[24];
  char *end = digits + sizeof digits, *p = end;
  /* Through unsigned, so that INT64_MIN has a magnitude. */
  uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + m % 10);
    m /= 10;
  } while (m != 0);
  if (v < 0)
    *--p = '-';
  separate(j);
  put(j, p, (size_t)(end - p));
}

void jsonout_bool(struct jsonout *j, bool v)
{
  separate(j);
  put(j, v ? "true" : "false", v ? 4 : 5);
}

void jsonout_null(struct jsonout *j)
{
  separate(j);
  put(j, "null", 4);
}

void jsonout_time(struct jsonout *j, int64_t us)
{
  char text[CLOCK_RFC3339_SIZE + 2];
  text[0] = '"';
  clock_format(us, text + 1);
  size_t n = strlen(text);
  text[n] = '"';
  separate(j);
  put(j, text, n + 1);
}

void jsonout_raw(struct jsonout *j, const char *json)
{
  separate(j);
  put(j, json, strlen(json));
}

void jsonout_field_string(struct jsonout *j, const char *key, const char *s)
{
  jsonout_key(j, key);
  jsonout_string(j, s);
}

void jsonout_field_int(struct jsonout *j, const char *key, int64_t v)
{
  jsonout_key(j, key);
  jsonout_int(j, v);
}

void jsonout_field_bool(struct jsonout *j, const char *key, bool v)
{
  jsonout_key(j, key);
  jsonout_bool(j, v);
}

void jsonout_field_time(struct jsonout *j, const char *key, int64_t us)
{
  jsonout_key(j, key);
  jsonout_time(j, us);
}

void jsonout_field_time_or_null(struct jsonout *j, const char *key, int64_t us)
{
  jsonout_key(j, key);
  if (us != 0)
    jsonout_time(j, us);
  else
    jsonout_null(j);
}

void jsonout_field_int_or_null(struct jsonout *j, const char *key, int64_t v)
{
  jsonout_key(j, key);
  if (v != 0)
    jsonout_int(j, v);
  else
    jsonout_null(j);
}
