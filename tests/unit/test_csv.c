#include "csv.h"
#include "unit.h"

#include <string.h>

/* Writes one row of the given cells; true when its text is want. */
static bool row_is(struct csv *c, const char *want, const char *const *cells, size_t n)
{
  csv_clear(c);
  for (size_t i = 0; i < n; i++)
    csv_cell(c, cells[i]);
  csv_end_row(c);
  return !c->failed && c->len == strlen(want) && memcmp(c->data, want, c->len) == 0;
}

#define ROW_IS(c, want, ...)                                                                       \
  row_is(c, want, (const char *const[]){__VA_ARGS__},                                              \
         sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

int main(void)
{
  struct csv c = CSV_INIT;

  /* Plain cells are written as they are; NULL and "" are empty. */
  CHECK(ROW_IS(&c, "a,b c,,\r\n", "a", "b c", NULL, ""));
  /* Quoting: comma, quote (doubled), CR and LF. */
  CHECK(ROW_IS(&c, "\"x,y\"\r\n", "x,y"));
  CHECK(ROW_IS(&c, "\"say \"\"hi\"\"\"\r\n", "say \"hi\""));
  CHECK(ROW_IS(&c, "\"line1\nline2\",\"a\rb\"\r\n", "line1\nline2", "a\rb"));
  /* Formula neutralisation, inside the quotes when both apply. */
  CHECK(ROW_IS(&c, "'=SUM(A1:A2)\r\n", "=SUM(A1:A2)"));
  CHECK(ROW_IS(&c, "'+1,'-2,'@x,'\tz\r\n", "+1", "-2", "@x", "\tz"));
  CHECK(ROW_IS(&c, "\"'\rr\"\r\n", "\rr"));
  CHECK(ROW_IS(&c, "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"\r\n", "=HYPERLINK(\"a\",\"b\")"));
  /* Only the first character counts. */
  CHECK(ROW_IS(&c, "a=b,1-2\r\n", "a=b", "1-2"));
  /* UTF-8 passes through. */
  CHECK(ROW_IS(&c, "张三,赣南脐橙 5斤装 x2\r\n", "张三", "赣南脐橙 5斤装 x2"));

  /* Integers, the BOM, and rows in sequence. */
  csv_clear(&c);
  csv_bom(&c);
  csv_cell(&c, "id");
  csv_cell_int(&c, -42);
  csv_end_row(&c);
  csv_cell_int(&c, INT64_MAX);
  csv_end_row(&c);
  const char want[] = "\xEF\xBB\xBFid,-42\r\n9223372036854775807\r\n";
  CHECK(c.len == sizeof want - 1 && memcmp(c.data, want, c.len) == 0);

  /* A large cell grows the buffer. */
  csv_clear(&c);
  char big[20000];
  memset(big, '"', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  csv_cell(&c, big);
  CHECK(!c.failed && c.len == 2 * (sizeof big - 1) + 2);

  csv_free(&c);
  CHECK(c.data == NULL && c.len == 0);
  return unit_report("csv");
}
