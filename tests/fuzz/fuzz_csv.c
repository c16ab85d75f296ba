/* libFuzzer harness: the CSV writer. The input is rows of cells: 0x1e ends
 * a row, 0x1f a cell; a cell of 0x01 and eight bytes is an integer (little
 * endian), a cell of the single byte 0x02 is NULL, anything else is text (up
 * to a NUL, as C strings go); an input starting with 0x03 gets the BOM. The
 * text is parsed back by the RFC 4180 reader below and must give every cell
 * as csv.h documents it: the text itself, with an apostrophe in front when
 * it starts with = + - @, tab or CR (formula neutralisation); "" for NULL. */
#include "csv.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CELLS 256

struct cell {
  char *text; /* what the reader must find */
  size_t len;
};

static void fail(const char *what, const struct csv *c)
{
  fprintf(stderr, "csv: %s; text: \"%.*s\"\n", what, (int)(c->len < 400 ? c->len : 400), c->data);
  abort();
}

/* RFC 4180: reads one field at *pos into out (malloc'd); returns the byte
 * that ended it (',' or '\n' for CRLF, or 0 at the end), -1 on bad syntax. */
static int read_field(const char *s, size_t n, size_t *pos, char **out, size_t *out_len)
{
  char *buf = malloc(n + 1);
  size_t o = 0, i = *pos;
  if (buf == NULL)
    abort();
  if (i < n && s[i] == '"') {
    for (i++;; i++) {
      if (i >= n) {
        free(buf);
        return -1;
      }
      if (s[i] == '"') {
        if (i + 1 < n && s[i + 1] == '"') {
          buf[o++] = '"';
          i++;
        } else {
          i++;
          break;
        }
      } else {
        buf[o++] = s[i];
      }
    }
  } else {
    while (i < n && s[i] != ',' && s[i] != '\r' && s[i] != '\n' && s[i] != '"')
      buf[o++] = s[i++];
  }
  int end;
  if (i == n)
    end = 0;
  else if (s[i] == ',')
    end = ',', i++;
  else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
    end = '\n', i += 2;
  else {
    free(buf);
    return -1;
  }
  buf[o] = '\0';
  *out = buf;
  *out_len = o;
  *pos = i;
  return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct csv c = CSV_INIT;
  struct cell want[MAX_CELLS];
  bool row_end[MAX_CELLS];
  size_t ncells = 0;
  size_t i = 0;
  bool bom = size > 0 && data[0] == 0x03;
  if (bom) {
    csv_bom(&c);
    i = 1;
  }
  /* Rows of at least one cell: an empty row would read back as one empty
   * cell, which is the same text. */
  while (i < size && ncells < MAX_CELLS) {
    size_t end = i;
    while (end < size && data[end] != 0x1e && data[end] != 0x1f)
      end++;
    const char *cell = (const char *)data + i;
    size_t len = end - i;
    struct cell *w = &want[ncells];
    if (len == 9 && cell[0] == 0x01) {
      int64_t v;
      memcpy(&v, cell + 1, 8);
      csv_cell_int(&c, v);
      char digits[24];
      int n = snprintf(digits, sizeof digits, "%" PRId64, v);
      w->text = strdup(digits);
      w->len = (size_t)n;
    } else if (len == 1 && cell[0] == 0x02) {
      csv_cell(&c, NULL);
      w->text = strdup("");
      w->len = 0;
    } else {
      char *text = strndup(cell, len); /* stops at a NUL, as C strings do */
      if (text == NULL)
        abort();
      csv_cell(&c, text);
      size_t tlen = strlen(text);
      bool neutralise = tlen > 0 && strchr("=+-@\t\r", text[0]) != NULL;
      w->text = malloc(tlen + 2);
      if (w->text == NULL)
        abort();
      w->len = 0;
      if (neutralise)
        w->text[w->len++] = '\'';
      memcpy(w->text + w->len, text, tlen + 1);
      w->len += tlen;
      free(text);
    }
    if (w->text == NULL)
      abort();
    bool last = end >= size || data[end] == 0x1e;
    row_end[ncells++] = last;
    if (last)
      csv_end_row(&c);
    i = end + 1;
  }
  if (ncells > 0 && !row_end[ncells - 1]) {
    csv_end_row(&c);
    row_end[ncells - 1] = true;
  }
  if (c.failed)
    fail("the writer failed", &c);

  size_t pos = 0;
  if (bom) {
    if (c.len < 3 || memcmp(c.data, "\xEF\xBB\xBF", 3) != 0)
      fail("no BOM", &c);
    pos = 3;
  }
  for (size_t k = 0; k < ncells; k++) {
    char *got;
    size_t got_len;
    int end = read_field(c.data, c.len, &pos, &got, &got_len);
    if (end < 0)
      fail("not RFC 4180", &c);
    if (got_len != want[k].len || memcmp(got, want[k].text, got_len) != 0) {
      fprintf(stderr, "cell %zu: read \"%s\", want \"%s\"\n", k, got, want[k].text);
      fail("a cell did not read back", &c);
    }
    if ((end == '\n') != row_end[k])
      fail("rows do not end where they should", &c);
    free(got);
  }
  if (pos != c.len)
    fail("text after the last row", &c);
  for (size_t k = 0; k < ncells; k++)
    free(want[k].text);
  csv_free(&c);
  return 0;
}
