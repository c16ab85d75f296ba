#include "auth.h"
#include "routes.h"
#include "unit.h"

#include <sodium.h>
#include <string.h>

int main(void)
{
  CHECK(sodium_init() >= 0);
  char token[AUTH_TOKEN_TEXT_SIZE], header[AUTH_TOKEN_TEXT_SIZE + 16];
  unsigned char issued[DB_TOKEN_HASH_SIZE], parsed[DB_TOKEN_HASH_SIZE];
  auth_token_new(token, issued);
  CHECK(strlen(token) == 43);
  CHECK(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43);

  snprintf(header, sizeof header, "Bearer %s", token);
  CHECK(auth_bearer_hash(header, parsed) && memcmp(parsed, issued, sizeof parsed) == 0);
  snprintf(header, sizeof header, "bearer %s", token);
  CHECK(auth_bearer_hash(header, parsed) && memcmp(parsed, issued, sizeof parsed) == 0);

  /* Two tokens never collide, and their hashes differ. */
  char other[AUTH_TOKEN_TEXT_SIZE];
  unsigned char other_hash[DB_TOKEN_HASH_SIZE];
  auth_token_new(other, other_hash);
  CHECK(strcmp(token, other) != 0 && memcmp(issued, other_hash, sizeof issued) != 0);

  snprintf(header, sizeof header, "Bearer %s=", token);
  CHECK(!auth_bearer_hash(header, parsed));
  snprintf(header, sizeof header, "Bearer %.42s", token);
  CHECK(!auth_bearer_hash(header, parsed));
  snprintf(header, sizeof header, "Basic %s", token);
  CHECK(!auth_bearer_hash(header, parsed));
  CHECK(!auth_bearer_hash(NULL, parsed));
  CHECK(!auth_bearer_hash("", parsed));
  CHECK(!auth_bearer_hash("Bearer", parsed));
  CHECK(!auth_bearer_hash("Bearer +++++++++++++++++++++++++++++++++++++++++++", parsed));

  CHECK(auth_role_bit("merchant") == ROUTE_MERCHANT);
  CHECK(auth_role_bit("buyer") == ROUTE_BUYER);
  CHECK(auth_role_bit("staff") == ROUTE_STAFF);
  CHECK(auth_role_bit("reviewer") == 0);
  CHECK(auth_role_bit("admin") == 0);
  return unit_report("auth");
}
