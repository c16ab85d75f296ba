#include "log.h"

#include "clock.h"
#include "utf8.h"

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
  char *copy = strdup(s);
  if (copy == NULL)
    return json_null();
  utf8_repair(copy);
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

/* Writes s as the body of a JSON string into out (NUL-terminated, cut
 * short if needed): quotes, backslashes and control characters escaped,
 * bytes that are not valid UTF-8 replaced by '?'. */
static void escape(char *out, size_t cap, const char *s)
{
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p != '\0' && o + 7 < cap) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
      p++;
    } else if (c < 0x20) {
      o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
      p++;
    } else if (c < 0x80) {
      out[o++] = (char)*p++;
    } else {
      /* Copy a whole valid UTF-8 sequence, or replace one bad byte. */
      size_t n = utf8_sequence(p);
      if (n == 0) {
        out[o++] = '?';
        p++;
      } else {
        memcpy(out + o, p, n);
        o += n;
        p += n;
      }
    }
  }
  out[o] = '\0';
}

/* Called for every request: formatted by hand into one buffer and written
 * with one call, which costs a fraction of building a JSON object. */
void log_request(const struct log_request *r)
{
  if (config.log_level < LOG_LEVEL_INFO)
    return;
  char when[CLOCK_RFC3339_SIZE], id[2 * 64 + 8], method[64], path[1024], account[24],
      client[2 * 64 + 8];
  clock_format_precise(clock_now_us(), when);
  escape(id, sizeof id, r->request_id);
  escape(method, sizeof method, r->method);
  escape(path, sizeof path, r->path);
  escape(client, sizeof client, r->client != NULL ? r->client : "unknown");
  if (r->account_id != 0)
    snprintf(account, sizeof account, "%lld", (long long)r->account_id);
  else
    strcpy(account, "null");
  char line[1500];
  int n = snprintf(line, sizeof line,
                   "{\"time\":\"%s\",\"request_id\":\"%s\",\"method\":\"%s\",\"path\":\"%s\","
                   "\"status\":%u,\"duration_us\":%lld,\"account\":%s,\"client\":\"%s\"}\n",
                   when, id, method, path, r->status, (long long)r->duration_us, account, client);
  if (n > 0)
    fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stdout);
}
