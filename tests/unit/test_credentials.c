#include "credentials.h"
#include "unit.h"

int main(void)
{
  CHECK(credentials_username_problem("demo") == NULL);
  CHECK(credentials_username_problem("a.b-c_9") == NULL);
  CHECK(credentials_username_problem("ab") != NULL);
  CHECK(credentials_username_problem("abcdefghijklmnopqrstuvwxyz0123456") != NULL);
  CHECK(credentials_username_problem("Demo") != NULL);
  CHECK(credentials_username_problem("de mo") != NULL);
  CHECK(credentials_username_problem("张三张三") != NULL);
  return unit_report("credentials");
}
