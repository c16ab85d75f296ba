#include "utf8.h"

/* The length of the sequence a lead byte starts, 0 for a byte that starts
 * none. */
static size_t lead_length(unsigned char c)
{
  return c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
}

size_t utf8_sequence(const unsigned char *s)
{
  if (s[0] == '\0')
    return 0;
  size_t n = lead_length(s[0]);
  if (n <= 1)
    return n;
  unsigned cp = s[0] & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

size_t utf8_length(const char *s, size_t bytes)
{
  size_t n = 0;
  for (size_t i = 0; i < bytes; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  return n;
}

void utf8_repair(char *s)
{
  unsigned char *p = (unsigned char *)s;
  while (*p != '\0') {
    size_t n = utf8_sequence(p);
    if (n > 0) {
      p += n;
      continue;
    }
    size_t rest = 1;
    while (rest < 4 && (p[rest] & 0xC0) == 0x80)
      rest++;
    if (p[rest] == '\0' && rest < lead_length(*p)) {
      *p = '\0';
      return;
    }
    *p++ = '?';
  }
}
