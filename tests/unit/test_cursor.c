#include "cursor.h"
#include "unit.h"

#include <string.h>

int main(void)
{
  char text[CURSOR_TEXT_SIZE];
  struct cursor in = {INT64_C(1795680000123456), 42}, out;
  cursor_encode('c', &in, text);
  CHECK(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        strlen(text));
  CHECK(cursor_decode('c', text, &out) && out.key == in.key && out.id == in.id);
  /* Bound to its ordering. */
  CHECK(!cursor_decode('p', text, &out));

  struct cursor negative = {-5, 7};
  cursor_encode('x', &negative, text);
  CHECK(cursor_decode('x', text, &out) && out.key == -5 && out.id == 7);

  /* "YzoxOjI" is "c:1:2"; "YzoxOjA" is "c:1:0" (no row has id 0); "eDox" is "x:1". */
  CHECK(cursor_decode('c', "YzoxOjI", &out) && out.key == 1 && out.id == 2);
  const char *bad[] = {"", "!!!", "YzoxOjA", "eDox", "Yzox OjI", "YzoxOjI="};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK(!cursor_decode('c', bad[i], &out));
  char huge[200];
  memset(huge, 'A', sizeof huge - 1);
  huge[sizeof huge - 1] = '\0';
  CHECK(!cursor_decode('c', huge, &out));
  return unit_report("cursor");
}
