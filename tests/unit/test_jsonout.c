#include "jsonout.h"
#include "unit.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The text written, checked against what is expected and against jansson,
 * which must read it back. */
static void expect(struct jsonout *j, const char *want)
{
  size_t len;
  char *text = jsonout_take(j, &len);
  CHECK(text != NULL && strcmp(text, want) == 0 && len == strlen(want));
  if (text != NULL && strcmp(text, want) != 0)
    fprintf(stderr, "  got:  %s\n  want: %s\n", text, want);
  json_t *back = text != NULL ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
  CHECK(back != NULL);
  json_decref(back);
  free(text);
  CHECK(j->buf == NULL && j->len == 0);
}

int main(void)
{
  struct jsonout j = JSONOUT_INIT;

  /* Commas between members and elements, none after '{', '[' or a key. */
  jsonout_begin_object(&j);
  jsonout_field_int(&j, "a", 1);
  jsonout_key(&j, "b");
  jsonout_begin_array(&j);
  jsonout_int(&j, -2);
  jsonout_bool(&j, true);
  jsonout_null(&j);
  jsonout_begin_object(&j);
  jsonout_end_object(&j);
  jsonout_begin_array(&j);
  jsonout_end_array(&j);
  jsonout_raw(&j, "[{\"x\": 1}]");
  jsonout_end_array(&j);
  jsonout_field_string(&j, "c", NULL);
  jsonout_field_bool(&j, "d", false);
  jsonout_end_object(&j);
  expect(&j, "{\"a\":1,\"b\":[-2,true,null,{},[],[{\"x\": 1}]],\"c\":null,\"d\":false}");

  /* Integers at both ends of the range. */
  jsonout_begin_array(&j);
  jsonout_int(&j, 0);
  jsonout_int(&j, INT64_MAX);
  jsonout_int(&j, INT64_MIN);
  jsonout_end_array(&j);
  expect(&j, "[0,9223372036854775807,-9223372036854775808]");

  /* Escapes: quote, backslash, the named controls, other controls as
   * \u00XX; UTF-8 and '/' as they are. */
  jsonout_string(&j, "a\"b\\c\n\r\t\x01\x1f/订单审核中");
  expect(&j, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f/订单审核中\"");

  /* Times: RFC 3339, whole seconds; or null when unset. */
  jsonout_begin_object(&j);
  jsonout_field_time(&j, "t", INT64_C(1795680000999999));
  jsonout_field_time_or_null(&j, "u", 0);
  jsonout_end_object(&j);
  expect(&j, "{\"t\":\"2026-11-26T08:00:00Z\",\"u\":null}");

  /* A long document grows the buffer many times over. */
  jsonout_begin_array(&j);
  for (int i = 0; i < 100000; i++)
    jsonout_string(&j, "0123456789");
  jsonout_end_array(&j);
  size_t len;
  char *big = jsonout_take(&j, &len);
  CHECK(big != NULL && len == 2 + 100000 * 13 - 1);
  free(big);

  /* Nothing written yet is an empty text, not a failure. */
  char *empty = jsonout_take(&j, &len);
  CHECK(empty != NULL && len == 0 && empty[0] == '\0');
  free(empty);

  /* A failure sticks: later writes do nothing and the take answers NULL. */
  j.failed = true;
  jsonout_int(&j, 1);
  CHECK(jsonout_take(&j, &len) == NULL && !j.failed);
  return unit_report("jsonout");
}
