/* Bearer tokens and the authentication step every non-public route runs. */
#ifndef MERCHANTD_AUTH_H
#define MERCHANTD_AUTH_H

#include "accounts.h"
#include "request.h"

#include <stdbool.h>
#include <stddef.h>

#define AUTH_TOKEN_BYTES     32
#define AUTH_TOKEN_TEXT_SIZE 44 /* base64url of 32 bytes, no padding, plus NUL */

/* A fresh token (random bytes, base64url) and the hash the database keeps. */
void auth_token_new(char text[AUTH_TOKEN_TEXT_SIZE], unsigned char hash[DB_TOKEN_HASH_SIZE]);
/* Reads "Bearer <token>" and hashes the token; false when malformed. */
bool auth_bearer_hash(const char *authorization, unsigned char hash[DB_TOKEN_HASH_SIZE]);

/* Authenticates the request and checks the role against the route's access
 * mask; fills rq->session. 401 and 403 replies are queued here. */
enum http_step auth_require(struct http_request *rq, unsigned access);

/* Judges rq->session as auth_require does once it is read (found: the token
 * names a session). */
enum http_step auth_accept(struct http_request *rq, bool found, unsigned access);

/* For routes that fold the session lookup into their own query
 * (ROUTE_FOLDED_AUTH) and so answer in one round trip: auth_token reads the
 * bearer token into rq->token_hash (401 when malformed); the route's query
 * reads the session when it is live (db_exec_folded) and
 * auth_accept_live judges it, taking the ordinary path for any other. */
enum http_step auth_token(struct http_request *rq);
enum http_step auth_accept_live(struct http_request *rq, bool live, unsigned access);
/* For folded writes whose statement read rq->session and judged it (live,
 * unexpired and of the route's role) before it acted, and acted: the
 * request is authenticated. */
void auth_accept_judged(struct http_request *rq);

/* Role name to route access bit (0 for an unknown role). */
unsigned auth_role_bit(const char *role);

#endif
