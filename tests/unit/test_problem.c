#include "migrate.h"
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

  /* Every result code SQL functions return (db/sql/result_codes.txt) is
   * answered with a problem of the table, once listed. */
  CHECK(migrate_result_code_count > 0 && migrate_result_codes[migrate_result_code_count].code == NULL);
  for (size_t i = 0; i < migrate_result_code_count; i++) {
    const struct migrate_result_code *rc = &migrate_result_codes[i];
    enum problem p;
    bool known = strcmp(rc->problem, "ok") == 0 || problem_by_code(rc->problem, &p);
    if (!known)
      fprintf(stderr, "result code %s: no problem %s in server/http/problem.c\n", rc->code, rc->problem);
    CHECK(known);
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(rc->code, migrate_result_codes[j].code) != 0);
  }
  enum problem none;
  CHECK(!problem_by_code("no_such_code", &none));

  return unit_report("problem");
}
