#include "log.h"

#include "clock.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* A JSON string even for bytes that are not UTF-8 (a hostile path, say):
 * invalid bytes become '?'. */
static json_t *text(const char *s)
{
  json_t *j = json_string(s);
  if (j != NULL)
    return j;
  size_t n = strlen(s);
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return json_null();
  for (size_t i = 0; i <= n; i++)
    copy[i] = ((unsigned char)s[i] < 0x80) ? s[i] : '?';
  j = json_string(copy);
  free(copy);
  return j != NULL ? j : json_null();
}

/* jansson escapes whatever the message holds, so a hostile path or a libpq
 * error cannot break the one-object-per-line format. */
static void emit(FILE *out, json_t *obj)
{
  char *line = json_dumps(obj, JSON_COMPACT);
  json_decref(obj);
  if (line == NULL)
    return;
  fprintf(out, "%s\n", line);
  fflush(out);
  free(line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
  if (level > config.log_level)
    return;
  char msg[1024], when[CLOCK_RFC3339_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  clock_format_precise(clock_now_us(), when);
  emit(stderr,
       json_pack("{s:s, s:s, s:o}", "time", when, "level", level_names[level], "msg", text(msg)));
}

void log_request(const struct log_request *r)
{
  if (config.log_level < LOG_LEVEL_INFO)
    return;
  char when[CLOCK_RFC3339_SIZE];
  clock_format_precise(clock_now_us(), when);
  json_t *obj =
      json_pack("{s:s, s:o, s:o, s:o, s:I, s:I}", "time", when, "request_id", text(r->request_id),
                "method", text(r->method), "path", text(r->path), "status", (json_int_t)r->status,
                "duration_us", (json_int_t)r->duration_us);
  if (obj == NULL)
    return;
  json_object_set_new(obj, "account", r->account_id ? json_integer(r->account_id) : json_null());
  emit(stdout, obj);
}
