/* libFuzzer harness: untrusted text on its way out. Stored names, notes and
 * messages reach replies through jsonout (escaping) and, for held orders,
 * through mask_name and mask_phone. For any valid UTF-8 text: the JSON
 * jsonout writes parses back to the same text, and the masks stay within
 * their buffer, stay valid UTF-8 and keep no more than they promise. */
#include "jsonout.h"
#include "mask.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text)
{
  fprintf(stderr, "%s: \"%s\"\n", what, text);
  abort();
}

/* Characters of a valid UTF-8 text. */
static size_t chars(const char *s)
{
  size_t n = 0;
  for (; *s != '\0'; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* As C strings reach the code under test: up to the first NUL. */
  char *text = strndup((const char *)data, size);
  if (text == NULL)
    return 0;
  /* Only valid UTF-8 is ever stored: jansson and PostgreSQL refuse the rest. */
  json_t *probe = json_string(text);
  if (probe == NULL) {
    free(text);
    return 0;
  }
  json_decref(probe);

  struct jsonout j = JSONOUT_INIT;
  jsonout_begin_object(&j);
  jsonout_field_string(&j, "s", text);
  jsonout_key(&j, "list");
  jsonout_begin_array(&j);
  jsonout_string(&j, text);
  jsonout_string(&j, NULL);
  jsonout_end_array(&j);
  jsonout_end_object(&j);
  size_t len;
  char *out = jsonout_take(&j, &len);
  if (out == NULL)
    fail("jsonout failed", text);
  json_error_t err;
  json_t *doc = json_loadb(out, len, JSON_REJECT_DUPLICATES, &err);
  if (doc == NULL)
    fail("jsonout wrote text that is not JSON", out);
  const char *back = json_string_value(json_object_get(doc, "s"));
  json_t *list = json_object_get(doc, "list");
  if (back == NULL || strcmp(back, text) != 0 || json_array_size(list) != 2 ||
      !json_equal(json_array_get(list, 0), json_object_get(doc, "s")) ||
      !json_is_null(json_array_get(list, 1)))
    fail("jsonout did not round-trip", text);
  json_decref(doc);
  free(out);

  char masked[MASK_SIZE + 1];
  masked[MASK_SIZE] = 'X'; /* a write past MASK_SIZE shows here (and to ASan) */
  mask_name(text, masked);
  if (masked[MASK_SIZE] != 'X' || strlen(masked) >= MASK_SIZE)
    fail("mask_name overran", text);
  probe = json_string(masked);
  if (probe == NULL)
    fail("mask_name wrote invalid UTF-8", text);
  json_decref(probe);
  size_t n = chars(text);
  if (size < MASK_SIZE && n > 0 && chars(masked) != n)
    fail("mask_name changed the number of characters", text);
  if (n > 1 && size < MASK_SIZE && strchr(masked, '*') == NULL)
    fail("mask_name hid nothing", text);

  mask_phone(text, masked);
  if (masked[MASK_SIZE] != 'X' || strlen(masked) >= MASK_SIZE)
    fail("mask_phone overran", text);
  /* Phones are digits and '+', '-', ' ' (20 at most when stored; a longer
   * text is cut to the buffer): their length must not change. */
  if (size < MASK_SIZE && strspn(text, "0123456789+- ") == size && strlen(masked) != size)
    fail("mask_phone changed the length of a phone", text);
  free(text);
  return 0;
}
