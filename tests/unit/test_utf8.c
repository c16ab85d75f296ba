#include "unit.h"
#include "utf8.h"

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

/* Cuts s to n bytes as snprintf would, then repairs it. */
static const char *repaired(const char *s, size_t n)
{
  static char buf[64];
  size_t len = strnlen(s, n < sizeof buf - 1 ? n : sizeof buf - 1);
  memcpy(buf, s, len);
  buf[len] = '\0';
  utf8_repair(buf);
  return buf;
}

/* Whether json_pack takes s as a string. */
static bool packs(const char *s)
{
  json_t *v = json_pack("{s:s}", "field", s);
  json_decref(v);
  return v != NULL;
}

int main(void)
{
  CHECK(utf8_length("abc", 3) == 3);
  CHECK(utf8_length("订单审核中", strlen("订单审核中")) == 5);
  CHECK(utf8_length("", 0) == 0);

  /* Valid texts stay as they are. */
  CHECK(strcmp(repaired("abc", 3), "abc") == 0);
  CHECK(strcmp(repaired("价格", 6), "价格") == 0);
  CHECK(strcmp(repaired("", 0), "") == 0);
  CHECK(strcmp(repaired("a😀", 5), "a😀") == 0);
  /* A character cut after one or two of its bytes goes entirely. */
  CHECK(strcmp(repaired("ab价格", 3), "ab") == 0);
  CHECK(strcmp(repaired("ab价格", 4), "ab") == 0);
  CHECK(strcmp(repaired("ab价格", 5), "ab价") == 0);
  CHECK(strcmp(repaired("a😀", 4), "a") == 0);
  CHECK(strcmp(repaired("é", 1), "") == 0);
  /* Other bad bytes become '?': stray continuations, bytes no sequence
   * starts with, overlong forms, surrogates, sequences cut inside. */
  CHECK(strcmp(repaired("a\x80z", 3), "a?z") == 0);
  CHECK(strcmp(repaired("a\xff\xfez", 4), "a??z") == 0);
  CHECK(strcmp(repaired("\xc0\xaf", 2), "??") == 0);
  CHECK(strcmp(repaired("\xed\xa0\x80!", 4), "\?\?\?!") == 0);
  CHECK(strcmp(repaired("\xf4\x90\x80\x80", 4), "????") == 0);
  CHECK(strcmp(repaired("\xe4\xbbz", 3), "??z") == 0);

  /* Found by tests/fuzz: the sku check cuts an unknown key at 40 bytes;
   * cut inside a character, the unknown_field error was lost (json_pack
   * failed) and the body accepted. */
  char name[96];
  snprintf(name, sizeof name, "skus[0].%.40s", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx价格");
  CHECK(!packs(name));
  utf8_repair(name);
  CHECK(packs(name));
  CHECK(strcmp(name, "skus[0].xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") == 0);
  /* Found by tests/fuzz: jansson quotes the bytes near a syntax error as
   * they are, here a lone lead byte after a backslash; the 400 could not be
   * written and the connection was dropped without a reply. */
  json_error_t err;
  json_t *doc = json_loads("{\"note\":\"\\\xe5\xb0\xbd\"}", 0, &err);
  CHECK(doc == NULL);
  char detail[256];
  snprintf(detail, sizeof detail, "%s", err.text);
  utf8_repair(detail);
  CHECK(packs(detail));
  return unit_report("utf8");
}
