/* CSV text as RFC 4180 has it (comma-separated, CRLF rows, a cell quoted
 * when it holds a comma, a quote, CR or LF, quotes doubled inside), with
 * spreadsheet formula neutralisation: a text cell starting with = + - @,
 * tab or CR gets a leading apostrophe, so that a buyer name or a note is
 * never run as a formula. Pure functions over a growable buffer. */
#ifndef MERCHANTD_CSV_H
#define MERCHANTD_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct csv {
  char *data;
  size_t len, cap;
  bool row_open; /* a cell was written on the current row */
  bool failed;   /* an allocation failed: the text is incomplete */
};

#define CSV_INIT                                                                                   \
  {                                                                                                \
    NULL, 0, 0, false, false                                                                       \
  }

/* Frees the buffer; the csv is empty and usable again. */
void csv_free(struct csv *c);
/* Empties the text but keeps the memory for the next rows. */
void csv_clear(struct csv *c);

/* The UTF-8 byte order mark, so that spreadsheets read the file as UTF-8. */
void csv_bom(struct csv *c);
/* A text cell (NULL counts as empty), quoted and neutralised as needed. */
void csv_cell(struct csv *c, const char *text);
void csv_cell_int(struct csv *c, int64_t v);
/* Ends the row with CRLF. */
void csv_end_row(struct csv *c);

#endif
