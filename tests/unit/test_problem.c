#include "credentials.h"
#include "jsonin.h"
#include "problem.h"
#include "unit.h"
#include "utf8.h"

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

  CHECK(credentials_username_problem("demo") == NULL);
  CHECK(credentials_username_problem("a.b-c_9") == NULL);
  CHECK(credentials_username_problem("ab") != NULL);
  CHECK(credentials_username_problem("abcdefghijklmnopqrstuvwxyz0123456") != NULL);
  CHECK(credentials_username_problem("Demo") != NULL);
  CHECK(credentials_username_problem("de mo") != NULL);
  CHECK(credentials_username_problem("张三张三") != NULL);

  CHECK(utf8_length("abc", 3) == 3);
  CHECK(utf8_length("订单审核中", strlen("订单审核中")) == 5);
  CHECK(utf8_length("", 0) == 0);
  return unit_report("problem");
}
