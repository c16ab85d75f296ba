/* The API's route table, and what its access bits mean. */
#ifndef MERCHANTD_ROUTES_H
#define MERCHANTD_ROUTES_H

#include "router.h"

#include <stddef.h>

/* Who may call a route. Routes for several roles list them as a mask. */
enum route_access {
  ROUTE_PUBLIC = 0, /* no authentication */
  ROUTE_MERCHANT = 1 << 0,
  ROUTE_BUYER = 1 << 1,
  ROUTE_STAFF = 1 << 2, /* platform staff; the route's permission says which */
  ROUTE_ANY_ROLE = ROUTE_MERCHANT | ROUTE_BUYER | ROUTE_STAFF,
  /* Anyone may call, without a token; a token, when sent, is checked and
   * identifies the caller. Alone, any role may send one; with roles, only
   * those (another role's token is 403). */
  ROUTE_OPTIONAL_AUTH = 1 << 3,
  /* With roles: the handler's one query also looks the session up, and the
   * handler calls auth_accept (see auth.h); dispatch only reads the token. */
  ROUTE_FOLDED_AUTH = 1 << 4,
};

/* A staff route's permission is one enum db_permission bit (db/accounts.h):
 * a staff member without it gets 403 forbidden naming it. */

/* Every route, in table order. */
const struct route *routes_table(size_t *count);

#endif
