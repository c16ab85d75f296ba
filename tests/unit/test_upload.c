#include "unit.h"
#include "upload.h"

#include <stdlib.h>
#include <string.h>

/* Parses text (copied: the parser writes NULs into form fields). */
static const char *parse(const char *ctype, const char *text, size_t len, struct http_upload *up,
                         const char **field, bool *unsupported, char **copy)
{
  *copy = malloc(len + 1);
  memcpy(*copy, text, len + 1);
  return upload_parse(ctype, *copy, len, up, field, unsupported);
}

#define MP "multipart/form-data; boundary=XyZ"

int main(void)
{
  struct http_upload up;
  const char *field;
  bool unsupported;
  char *c;

  /* Raw bodies need an image type. */
  CHECK(parse("image/png", "abc", 3, &up, &field, &unsupported, &c) == NULL);
  CHECK(up.len == 3 && memcmp(up.data, "abc", 3) == 0 && up.name == NULL);
  free(c);
  CHECK(parse("application/json", "{}", 2, &up, &field, &unsupported, &c) != NULL && unsupported);
  free(c);
  CHECK(parse(NULL, "x", 1, &up, &field, &unsupported, &c) != NULL && unsupported);
  free(c);
  CHECK(parse("image/jpeg", "", 0, &up, &field, &unsupported, &c) != NULL && !unsupported &&
        strcmp(field, "file") == 0);
  free(c);

  /* A form with a file (holding CRLF and the boundary's prefix), a name
   * and a folder. */
  static const char form[] =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"a b.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\n"
      "\xff\xd8\r\n--X\x00Y\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"name\"\r\n\r\n"
      "主图\r\n"
      "--XyZ\r\n"
      "content-disposition: form-data; name=folder_id\r\n\r\n"
      "12\r\n"
      "--XyZ--\r\n";
  CHECK(parse(MP, form, sizeof form - 1, &up, &field, &unsupported, &c) == NULL);
  CHECK(up.len == 9 && memcmp(up.data, "\xff\xd8\r\n--X\x00Y", 9) == 0);
  CHECK(up.name != NULL && strcmp(up.name, "主图") == 0);
  CHECK(up.folder_id != NULL && strcmp(up.folder_id, "12") == 0);
  CHECK(strcmp(up.filename, "a b.jpg") == 0);
  free(c);

  /* Refusals, each naming what is wrong. */
  static const char *const bad[] = {
      "",
      "--XyZ--\r\n",
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\nabc\r\n--XyZ--",
      "--XyZ\r\nContent-Disposition: attachment; name=\"file\"\r\n\r\nabc\r\n--XyZ--",
      "--XyZ\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XyZ--",
      ("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\na\r\n--XyZ\r\n"
       "Content-Disposition: form-data; name=\"file\"\r\n\r\nb\r\n--XyZ--"),
      "--XyZ\r\nContent-Disposition: form-data; name=\"color\"\r\n\r\nred\r\n--XyZ--",
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\r\n\r\nabc\r\n--XyZ--",
      "--XyZx",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(parse(MP, bad[i], strlen(bad[i]), &up, &field, &unsupported, &c) != NULL);
    CHECK(!unsupported && field != NULL);
    free(c);
  }
  CHECK(parse("multipart/form-data", form, sizeof form - 1, &up, &field, &unsupported, &c) != NULL);
  free(c);
  CHECK(parse("multipart/form-data; boundary=\"XyZ", form, sizeof form - 1, &up, &field,
              &unsupported, &c) != NULL);
  free(c);
  return unit_report("upload");
}
