/* A minimal unit-test frame: CHECK records failures and goes on; the test
 * program exits non-zero when any check failed. */
#ifndef MERCHANTD_UNIT_H
#define MERCHANTD_UNIT_H

#include <stdio.h>

static int unit_failures;
static int unit_checks;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    unit_checks++;                                                                                 \
    if (!(cond)) {                                                                                 \
      unit_failures++;                                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                     \
    }                                                                                              \
  } while (0)

static inline int unit_report(const char *name)
{
  printf("%s: %d passed, %d failed\n", name, unit_checks - unit_failures, unit_failures);
  return unit_failures == 0 ? 0 : 1;
}

#endif
