#include "router.h"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct route *routes;
static size_t route_count;

void router_init(const struct route *table, size_t count)
{
  routes = table;
  route_count = count;
}

/* Parses one path segment as a positive id: digits only, no leading zero,
 * within int64. Anything else does not match (and so answers 404). */
static bool parse_id(const char *seg, size_t len, int64_t *out)
{
  if (len == 0 || len > 18 || seg[0] == '0')
    return false;
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (seg[i] < '0' || seg[i] > '9')
      return false;
    v = v * 10 + (seg[i] - '0');
  }
  *out = v;
  return true;
}

/* A file name segment: 1 to HTTP_FILE_SIZE - 1 plain characters, not
 * starting with a dot. */
static bool parse_file(const char *seg, size_t len, char out[HTTP_FILE_SIZE])
{
  static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
  if (len == 0 || len >= HTTP_FILE_SIZE || seg[0] == '.')
    return false;
  for (size_t i = 0; i < len; i++)
    if (strchr(plain, seg[i]) == NULL || seg[i] == '\0')
      return false;
  memcpy(out, seg, len);
  out[len] = '\0';
  return true;
}

static bool path_matches(const char *pattern, const char *path, int64_t ids[HTTP_MAX_PATH_IDS],
                         char file[HTTP_FILE_SIZE])
{
  int nid = 0;
  const char *p = pattern, *s = path;
  while (*p != '\0' && *s != '\0') {
    if (*p != '/' || *s != '/')
      return false;
    p++;
    s++;
    size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
    if (plen == 4 && strncmp(p, "{id}", 4) == 0) {
      if (nid == HTTP_MAX_PATH_IDS || !parse_id(s, slen, &ids[nid]))
        return false;
      nid++;
    } else if (plen == 6 && strncmp(p, "{file}", 6) == 0) {
      if (!parse_file(s, slen, file))
        return false;
    } else if (plen != slen || strncmp(p, s, plen) != 0) {
      return false;
    }
    p += plen;
    s += slen;
  }
  return *p == '\0' && *s == '\0';
}

void router_match(const char *method, const char *path, const struct route **route,
                  int64_t ids[HTTP_MAX_PATH_IDS], char file[HTTP_FILE_SIZE], char *allow,
                  size_t allow_size)
{
  *route = NULL;
  allow[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < route_count; i++) {
    const struct route *r = &routes[i];
    if (r->test_only && !config.test_mode)
      continue;
    int64_t tmp[HTTP_MAX_PATH_IDS];
    char tmp_file[HTTP_FILE_SIZE];
    if (!path_matches(r->pattern, path, tmp, tmp_file))
      continue;
    /* HEAD is GET without the body (RFC 9110 9.3.2): the same route, and
     * libmicrohttpd sends the headers of its reply only. */
    bool get = strcmp(r->method, "GET") == 0;
    if (strcmp(r->method, method) == 0 || (get && strcmp(method, "HEAD") == 0)) {
      *route = r;
      memcpy(ids, tmp, sizeof tmp);
      memcpy(file, tmp_file, sizeof tmp_file);
      allow[0] = '\0';
      return;
    }
    int n = snprintf(allow + used, allow_size - used, "%s%s%s", used ? ", " : "", r->method,
                     get ? ", HEAD" : "");
    if (n > 0 && (size_t)n < allow_size - used)
      used += (size_t)n;
  }
}

const struct route *router_routes(size_t *count)
{
  *count = route_count;
  return routes;
}

size_t router_index(const struct route *r)
{
  return (size_t)(r - routes);
}
