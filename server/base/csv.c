#include "csv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_free(struct csv *c)
{
  free(c->data);
  *c = (struct csv)CSV_INIT;
}

void csv_clear(struct csv *c)
{
  c->len = 0;
  c->row_open = false;
  c->failed = false;
}

/* Room for n more bytes; grows by doubling so a batch costs few reallocs. */
static bool reserve(struct csv *c, size_t n)
{
  if (c->failed)
    return false;
  if (c->cap - c->len >= n)
    return true;
  size_t cap = c->cap != 0 ? c->cap : 4096;
  while (cap - c->len < n)
    cap *= 2;
  char *grown = realloc(c->data, cap);
  if (grown == NULL) {
    c->failed = true;
    return false;
  }
  c->data = grown;
  c->cap = cap;
  return true;
}

static void put(struct csv *c, const char *s, size_t n)
{
  if (reserve(c, n)) {
    memcpy(c->data + c->len, s, n);
    c->len += n;
  }
}

void csv_bom(struct csv *c)
{
  put(c, "\xEF\xBB\xBF", 3);
}

static void separate(struct csv *c)
{
  if (c->row_open)
    put(c, ",", 1);
  c->row_open = true;
}

void csv_cell(struct csv *c, const char *text)
{
  separate(c);
  if (text == NULL || text[0] == '\0')
    return;
  size_t n = strlen(text);
  bool neutralise = strchr("=+-@\t\r", text[0]) != NULL;
  bool quote = strpbrk(text, ",\"\r\n") != NULL;
  /* Worst case: every byte a doubled quote, plus apostrophe and quotes. */
  if (!reserve(c, 2 * n + 3))
    return;
  char *out = c->data + c->len;
  if (quote)
    *out++ = '"';
  if (neutralise)
    *out++ = '\'';
  for (size_t i = 0; i < n; i++) {
    if (text[i] == '"')
      *out++ = '"';
    *out++ = text[i];
  }
  if (quote)
    *out++ = '"';
  c->len = (size_t)(out - c->data);
}

void csv_cell_int(struct csv *c, int64_t v)
{
  char digits[24];
  int n = snprintf(digits, sizeof digits, "%" PRId64, v);
  separate(c);
  put(c, digits, (size_t)n);
}

void csv_end_row(struct csv *c)
{
  put(c, "\r\n", 2);
  c->row_open = false;
}
