#include "mask.h"

#include <stdbool.h>
#include <string.h>

/* The length in bytes of the UTF-8 sequence that starts with byte c (1 for
 * a stray continuation byte, so that a bad string still moves on). */
static size_t sequence_length(unsigned char c)
{
  return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

void mask_name(const char *name, char out[MASK_SIZE])
{
  size_t first = name[0] != '\0' ? sequence_length((unsigned char)name[0]) : 0;
  size_t len = strnlen(name, MASK_SIZE), o = 0;
  if (first > len)
    first = len;
  bool alone = name[first] == '\0';
  if (!alone) {
    memcpy(out, name, first);
    o = first;
  }
  for (size_t i = alone ? 0 : first; i < len && o < MASK_SIZE - 1;
       i += sequence_length((unsigned char)name[i]))
    out[o++] = '*';
  out[o] = '\0';
}

void mask_phone(const char *phone, char out[MASK_SIZE])
{
  size_t len = strnlen(phone, MASK_SIZE - 1);
  size_t head = len >= 8 ? 3 : 0, tail = len >= 4 ? 4 : 0;
  memcpy(out, phone, head);
  memset(out + head, '*', len - head - tail);
  memcpy(out + len - tail, phone + len - tail, tail);
  out[len] = '\0';
}
