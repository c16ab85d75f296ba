/* libFuzzer harness: cursor_decode on arbitrary text. The first byte picks
 * the cursor kind, the rest is the ?cursor= text. A text that decodes must
 * re-encode to a text that decodes to the same position, and a text that
 * does not decode must be refused for every kind alike only by its form. */
#include "cursor.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The letters cursor.h lists, and one that is not in use. */
static const char kinds[] = "abcCpPgrlvuoqkwyz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  char kind = kinds[data[0] % (sizeof kinds - 1)];
  char *text = malloc(size);
  if (text == NULL)
    return 0;
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';

  struct cursor c = {-1, -1};
  if (cursor_decode(kind, text, &c)) {
    if (c.id <= 0) {
      fprintf(stderr, "cursor_decode accepted id %lld\n", (long long)c.id);
      abort();
    }
    char again[CURSOR_TEXT_SIZE];
    cursor_encode(kind, &c, again);
    struct cursor d = {0, 0};
    if (!cursor_decode(kind, again, &d) || d.key != c.key || d.id != c.id) {
      fprintf(stderr, "cursor round trip failed: \"%s\" -> (%lld, %lld) -> \"%s\"\n", text,
              (long long)c.key, (long long)c.id, again);
      abort();
    }
    /* A cursor is bound to its ordering. */
    for (const char *k = kinds; *k != '\0'; k++) {
      struct cursor e;
      if (*k != kind && cursor_decode(*k, again, &e)) {
        fprintf(stderr, "cursor of kind %c accepted as kind %c\n", kind, *k);
        abort();
      }
    }
  }
  free(text);
  return 0;
}
