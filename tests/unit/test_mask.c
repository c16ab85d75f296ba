#include "mask.h"
#include "unit.h"

#include <string.h>

static void name_is(const char *name, const char *want)
{
  char out[MASK_SIZE];
  mask_name(name, out);
  CHECK(strcmp(out, want) == 0);
  if (strcmp(out, want) != 0)
    fprintf(stderr, "  mask_name(%s) = %s, want %s\n", name, out, want);
}

static void phone_is(const char *phone, const char *want)
{
  char out[MASK_SIZE];
  mask_phone(phone, out);
  CHECK(strcmp(out, want) == 0);
  if (strcmp(out, want) != 0)
    fprintf(stderr, "  mask_phone(%s) = %s, want %s\n", phone, out, want);
}

int main(void)
{
  name_is("张三", "张*");
  name_is("欧阳娜娜", "欧***");
  name_is("张", "*");
  name_is("Li Lei", "L*****");
  name_is("", "");
  name_is("\xe5", "*"); /* a cut sequence moves on, never reads past the end */
  char long_name[400];
  memset(long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  char out[MASK_SIZE];
  mask_name(long_name, out);
  CHECK(strlen(out) == MASK_SIZE - 1 && out[0] == 'a' && out[1] == '*');

  phone_is("13812345678", "138****5678");
  phone_is("+86 138-1234-5678", "+86**********5678");
  phone_is("12345678", "123*5678");
  phone_is("1234567", "***4567");
  phone_is("12345", "*2345");
  phone_is("123", "***");
  return unit_report("mask");
}
