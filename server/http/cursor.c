#include "cursor.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void cursor_encode(char kind, const struct cursor *c, char out[CURSOR_TEXT_SIZE])
{
  char plain[64];
  int n = snprintf(plain, sizeof plain, "%c:%" PRId64 ":%" PRId64, kind, c->key, c->id);
  sodium_bin2base64(out, CURSOR_TEXT_SIZE, (const unsigned char *)plain, (size_t)n,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool cursor_decode(char kind, const char *text, struct cursor *c)
{
  unsigned char plain[64];
  size_t len;
  if (strlen(text) >= CURSOR_TEXT_SIZE ||
      sodium_base642bin(plain, sizeof plain - 1, text, strlen(text), NULL, &len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  plain[len] = '\0';
  char k;
  int consumed = 0;
  if (sscanf((const char *)plain, "%c:%" SCNd64 ":%" SCNd64 "%n", &k, &c->key, &c->id, &consumed) !=
          3 ||
      (size_t)consumed != len || k != kind || c->id <= 0)
    return false;
  return true;
}
