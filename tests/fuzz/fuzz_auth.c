/* libFuzzer harness: the Authorization header as auth_bearer_hash reads it,
 * on arbitrary bytes. Accepted means "Bearer" (any case), spaces, then the
 * base64url text of exactly 32 bytes; the hash is then the BLAKE2b hash of
 * those bytes, the same whichever spelling of the header named them. */
#include "auth.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  if (sodium_init() < 0)
    abort();
  return 0;
}

static void fail(const char *what, const char *header)
{
  fprintf(stderr, "auth_bearer_hash: %s: \"%s\"\n", what, header);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* As C strings reach the code under test: up to the first NUL. */
  char *header = strndup((const char *)data, size);
  if (header == NULL)
    return 0;

  unsigned char hash[DB_TOKEN_HASH_SIZE];
  if (auth_bearer_hash(header, hash)) {
    if (strncasecmp(header, "Bearer ", 7) != 0)
      fail("accepted without the Bearer scheme", header);
    const char *text = header + 7 + strspn(header + 7, " ");
    if (strlen(text) != AUTH_TOKEN_TEXT_SIZE - 1)
      fail("accepted a token of the wrong length", header);
    unsigned char token[32], want[DB_TOKEN_HASH_SIZE];
    size_t len;
    if (sodium_base642bin(token, sizeof token, text, strlen(text), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sizeof token)
      fail("accepted a token that is not base64url of 32 bytes", header);
    crypto_generichash(want, sizeof want, token, sizeof token, NULL, 0);
    if (memcmp(want, hash, sizeof want) != 0)
      fail("hash differs from the token's", header);
    /* The canonical spelling names the same session. */
    char canonical[7 + AUTH_TOKEN_TEXT_SIZE] = "Bearer ";
    sodium_bin2base64(canonical + 7, AUTH_TOKEN_TEXT_SIZE, token, sizeof token,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    unsigned char again[DB_TOKEN_HASH_SIZE];
    if (!auth_bearer_hash(canonical, again) || memcmp(again, hash, sizeof again) != 0)
      fail("the canonical spelling of an accepted token is not the same session", header);
  }
  free(header);
  return 0;
}
