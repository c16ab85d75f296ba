#include "auth.h"

#include "clock.h"
#include "reply.h"
#include "routes.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void token_hash(const unsigned char token[AUTH_TOKEN_BYTES],
                       unsigned char hash[DB_TOKEN_HASH_SIZE])
{
  /* The token is 256 random bits, so a fast unkeyed hash suffices: it only
   * keeps a leaked sessions table from being a list of live tokens. */
  crypto_generichash(hash, DB_TOKEN_HASH_SIZE, token, AUTH_TOKEN_BYTES, NULL, 0);
}

void auth_token_new(char text[AUTH_TOKEN_TEXT_SIZE], unsigned char hash[DB_TOKEN_HASH_SIZE])
{
  unsigned char token[AUTH_TOKEN_BYTES];
  randombytes_buf(token, sizeof token);
  sodium_bin2base64(text, AUTH_TOKEN_TEXT_SIZE, token, sizeof token,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token_hash(token, hash);
  sodium_memzero(token, sizeof token);
}

bool auth_bearer_hash(const char *authorization, unsigned char hash[DB_TOKEN_HASH_SIZE])
{
  if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
    return false;
  const char *text = authorization + 7;
  while (*text == ' ')
    text++;
  size_t len = strlen(text);
  if (len != AUTH_TOKEN_TEXT_SIZE - 1)
    return false;
  unsigned char token[AUTH_TOKEN_BYTES];
  size_t bin_len;
  if (sodium_base642bin(token, sizeof token, text, len, NULL, &bin_len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      bin_len != AUTH_TOKEN_BYTES)
    return false;
  token_hash(token, hash);
  return true;
}

unsigned auth_role_bit(const char *role)
{
  if (strcmp(role, "merchant") == 0)
    return ROUTE_MERCHANT;
  if (strcmp(role, "buyer") == 0)
    return ROUTE_BUYER;
  if (strcmp(role, "staff") == 0)
    return ROUTE_STAFF;
  return 0;
}

/* The old session's next request learns when and where the account logged
 * in again, so the app can offer to log in again or to log out. */
static enum http_step replaced(struct http_request *rq)
{
  char when[CLOCK_RFC3339_SIZE];
  clock_format(rq->session.ended_at, when);
  json_t *extra =
      json_pack("{s:s, s:s}", "replaced_at", when, "device", rq->session.replaced_by_device);
  return HTTP_STEP_OF(reply_problem(rq, PROBLEM_SESSION_REPLACED,
                                    "this account has logged in on another device", extra));
}

/* 403 naming the first permission the staff member lacks, so that they
 * know whom to ask for what. */
static enum http_step lacks_permission(struct http_request *rq, unsigned missing)
{
  unsigned i = 0;
  while (!(missing & (1u << i)))
    i++;
  const char *name = db_permission_name(i);
  char detail[96];
  snprintf(detail, sizeof detail, "this endpoint needs the staff permission \"%s\"", name);
  return HTTP_STEP_OF(
      reply_problem(rq, PROBLEM_FORBIDDEN, detail, json_pack("{s:s}", "missing_permission", name)));
}

enum http_step auth_accept(struct http_request *rq, bool found, unsigned access)
{
  if (!found || rq->session.end == DB_SESSION_LOGGED_OUT)
    return HTTP_STEP_OF(
        reply_problem(rq, PROBLEM_UNAUTHENTICATED, "a valid bearer token is required", NULL));
  if (rq->session.end == DB_SESSION_DISABLED)
    return HTTP_STEP_OF(
        reply_problem(rq, PROBLEM_UNAUTHENTICATED, "this account has been disabled", NULL));
  if (rq->session.end == DB_SESSION_REPLACED)
    return replaced(rq);
  if (rq->session.expires_at <= clock_now_us())
    return HTTP_STEP_OF(
        reply_problem(rq, PROBLEM_SESSION_EXPIRED, "the session has expired; log in again", NULL));
  if ((auth_role_bit(rq->session.account.role) & access) == 0)
    return HTTP_STEP_OF(
        reply_problem(rq, PROBLEM_FORBIDDEN, "your role may not use this endpoint", NULL));
  unsigned missing =
      rq->route != NULL ? rq->route->permission & ~rq->session.account.permissions : 0;
  if (missing != 0)
    return lacks_permission(rq, missing);
  rq->authenticated = true;
  return HTTP_STEP_OK;
}

enum http_step auth_accept_live(struct http_request *rq, bool live, unsigned access)
{
  /* Not a live session: the ordinary lookup tells which 401 it is. */
  if (!live)
    return auth_require(rq, access);
  return auth_accept(rq, true, access);
}

void auth_accept_judged(struct http_request *rq)
{
  rq->authenticated = true;
}

enum http_step auth_token(struct http_request *rq)
{
  if (auth_bearer_hash(http_header(rq, MHD_HTTP_HEADER_AUTHORIZATION), rq->token_hash))
    return HTTP_STEP_OK;
  return HTTP_STEP_OF(
      reply_problem(rq, PROBLEM_UNAUTHENTICATED, "a valid bearer token is required", NULL));
}

enum http_step auth_require(struct http_request *rq, unsigned access)
{
  enum http_step step = auth_token(rq);
  if (step != HTTP_STEP_OK)
    return step;
  enum db_status st = db_session_lookup(rq->token_hash, &rq->session);
  if (st < DB_NONE)
    return HTTP_STEP_OF(reply_db_error(rq, st));
  return auth_accept(rq, st == DB_ONE, access);
}
