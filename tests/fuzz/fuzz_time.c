/* libFuzzer harness: clock_parse, the RFC 3339 reader of JSON fields and
 * query values, on arbitrary text. An accepted time lies within the years
 * merchantd can write (clock_format_precise), and writing it and reading it
 * back gives the same instant. */
#include "clock.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* As C strings reach the code under test: up to the first NUL. */
  char *text = strndup((const char *)data, size);
  if (text == NULL)
    return 0;
  int64_t us;
  if (clock_parse(text, &us)) {
    if (us < CLOCK_TIME_MIN || us >= CLOCK_TIME_MAX) {
      fprintf(stderr, "clock_parse accepted \"%s\" as %lld, outside the writable years\n", text,
              (long long)us);
      abort();
    }
    char out[CLOCK_RFC3339_SIZE];
    clock_format_precise(us, out);
    int64_t back;
    if (!clock_parse(out, &back) || back != us) {
      fprintf(stderr, "clock round trip failed: \"%s\" -> %lld -> \"%s\"\n", text, (long long)us,
              out);
      abort();
    }
  }
  free(text);
  return 0;
}
