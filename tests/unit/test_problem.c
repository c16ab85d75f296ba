#include "problem.h"
#include "unit.h"

#include <string.h>

int main(void)
{
  /* Every code is set, unique, snake_case, with an error status and a title. */
  for (int i = 0; i < PROBLEM_COUNT; i++) {
    const struct problem_info *a = problem_info((enum problem)i);
    CHECK(a->code != NULL && a->title != NULL);
    if (a->code == NULL)
      continue;
    CHECK(strspn(a->code, "abcdefghijklmnopqrstuvwxyz_") == strlen(a->code));
    CHECK(a->status >= 400 && a->status <= 599);
    for (int j = 0; j < i; j++)
      CHECK(strcmp(a->code, problem_info((enum problem)j)->code) != 0);
  }

  return unit_report("problem");
}
