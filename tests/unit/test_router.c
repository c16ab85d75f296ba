#include "config.h"
#include "routes.h"
#include "unit.h"

#include <string.h>

static const struct route *match(const char *method, const char *path, int64_t ids[4], char *allow)
{
  const struct route *r;
  char file[HTTP_FILE_SIZE];
  router_match(method, path, &r, ids, file, allow, 64);
  return r;
}

int main(void)
{
  size_t count;
  const struct route *table = routes_table(&count);
  router_init(table, count);
  int64_t ids[HTTP_MAX_PATH_IDS];
  char allow[64];
  const struct route *r = match("GET", "/v1/me", ids, allow);
  CHECK(r != NULL && strcmp(r->pattern, "/v1/me") == 0);
  CHECK(match("POST", "/v1/me", ids, allow) == NULL && strcmp(allow, "GET, HEAD") == 0);
  CHECK(match("HEAD", "/v1/me", ids, allow) == r);
  CHECK(match("HEAD", "/v1/auth/login", ids, allow) == NULL && strcmp(allow, "POST") == 0);
  CHECK(match("GET", "/v1/nope", ids, allow) == NULL && allow[0] == '\0');
  CHECK(match("GET", "/v1/me/", ids, allow) == NULL);
  CHECK(match("GET", "/v1//me", ids, allow) == NULL);
  CHECK(match("GET", "", ids, allow) == NULL);
  CHECK(match("GET", "/", ids, allow) == NULL);

  /* Test-only routes exist only in test mode. */
  config.test_mode = false;
  CHECK(match("PUT", "/v1/test/clock", ids, allow) == NULL && allow[0] == '\0');
  config.test_mode = true;
  CHECK(match("PUT", "/v1/test/clock", ids, allow) != NULL);

  /* A {file} segment: plain names only, never a dot first. */
  char file[HTTP_FILE_SIZE];
  router_match("GET", "/media/abc_200.webp", &r, ids, file, allow, 64);
  CHECK(r != NULL && strcmp(file, "abc_200.webp") == 0);
  CHECK(match("GET", "/media/..", ids, allow) == NULL);
  CHECK(match("GET", "/media/.hidden", ids, allow) == NULL);
  CHECK(match("GET", "/media/a%2Fb", ids, allow) == NULL);
  CHECK(match("GET", "/media/", ids, allow) == NULL);
  CHECK(match("GET", "/media/a/b", ids, allow) == NULL);

  /* Every route is reachable by its own pattern, and table order gives the index. */
  size_t n;
  const struct route *all = router_routes(&n);
  for (size_t i = 0; i < n; i++) {
    if (strstr(all[i].pattern, "{id}") != NULL || strstr(all[i].pattern, "{file}") != NULL)
      continue;
    r = match(all[i].method, all[i].pattern, ids, allow);
    CHECK(r == &all[i]);
    CHECK(router_index(r) == i);
  }
  return unit_report("router");
}
