/* The static route table: method, path pattern, handler, who may call it. */
#ifndef MERCHANTD_ROUTER_H
#define MERCHANTD_ROUTER_H

#include "http.h"

#include <stddef.h>

/* Who may call a route. Routes for several roles list them as a mask. */
enum route_access {
  ROUTE_PUBLIC = 0, /* no authentication */
  ROUTE_MERCHANT = 1 << 0,
  ROUTE_BUYER = 1 << 1,
  ROUTE_REVIEWER = 1 << 2,
  ROUTE_ANY_ROLE = ROUTE_MERCHANT | ROUTE_BUYER | ROUTE_REVIEWER,
  /* With ROUTE_PUBLIC: a token, when sent, is checked and identifies the caller. */
  ROUTE_OPTIONAL_AUTH = 1 << 3,
  /* With roles: the handler's one query also looks the session up, and the
   * handler calls auth_accept (see auth.h); dispatch only reads the token. */
  ROUTE_FOLDED_AUTH = 1 << 4,
};

/* ROUTE_OPTIONAL_JSON_BODY: a JSON object whose members are all optional;
 * no body at all reads as {}. */
enum route_body { ROUTE_NO_BODY, ROUTE_JSON_BODY, ROUTE_OPTIONAL_JSON_BODY };

typedef enum MHD_Result (*route_handler)(struct http_request *rq);

struct route {
  const char *method;
  const char *pattern; /* literal segments and "{id}" for positive integer ids */
  route_handler handler;
  unsigned access;
  enum route_body body;
  bool idempotent; /* honours Idempotency-Key (authenticated routes only) */
  bool test_only;  /* exists only with MERCHANTD_TEST_MODE=1 */
};

/* Finds the route for method and path. When the path matches only with other
 * methods, *route stays NULL and their names are written to allow (for the
 * Allow header); when nothing matches, allow is empty too. */
void router_match(const char *method, const char *path, const struct route **route,
                  int64_t ids[HTTP_MAX_PATH_IDS], char *allow, size_t allow_size);

/* For metrics: every route, in table order. */
const struct route *router_routes(size_t *count);
size_t router_index(const struct route *r);

#endif
