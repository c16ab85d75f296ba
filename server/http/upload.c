#include "upload.h"

#include "reply.h"

#include <string.h>
#include <strings.h>

static bool starts_with_ci(const char *s, const char *prefix)
{
  return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The value of a ;-separated parameter of a header (boundary, name,
 * filename): quoted or not, copied into out. False when absent. */
static bool header_param(const char *h, size_t hlen, const char *param, char *out, size_t size)
{
  size_t plen = strlen(param);
  for (size_t i = 0; i + plen + 1 < hlen; i++) {
    if (h[i] != ';')
      continue;
    size_t j = i + 1;
    while (j < hlen && (h[j] == ' ' || h[j] == '\t'))
      j++;
    if (j + plen + 1 > hlen || strncasecmp(h + j, param, plen) != 0 || h[j + plen] != '=')
      continue;
    j += plen + 1;
    size_t n = 0;
    bool quoted = j < hlen && h[j] == '"';
    if (quoted)
      j++;
    while (j < hlen && (quoted ? h[j] != '"' : (h[j] != ';' && h[j] != ' ' && h[j] != '\r'))) {
      if (n + 1 >= size)
        return false;
      out[n++] = h[j++];
    }
    if (quoted && (j >= hlen || h[j] != '"'))
      return false;
    out[n] = '\0';
    return true;
  }
  return false;
}

static const char *memfind(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
  return nlen <= hlen ? memmem(hay, hlen, needle, nlen) : NULL;
}

/* One part's headers, [h, h + hlen): the form name and filename from its
 * Content-Disposition. */
static const char *part_names(const char *h, size_t hlen, char name[64], char filename[256],
                              bool *has_filename)
{
  name[0] = '\0';
  *has_filename = false;
  const char *p = h, *end = h + hlen;
  while (p < end) {
    const char *eol = memfind(p, (size_t)(end - p), "\r\n", 2);
    size_t llen = eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);
    if (llen > 20 && starts_with_ci(p, "Content-Disposition:")) {
      const char *v = p + 20;
      size_t vlen = llen - 20;
      while (vlen > 0 && *v == ' ') {
        v++;
        vlen--;
      }
      if (vlen < 9 || strncasecmp(v, "form-data", 9) != 0)
        return "a part's Content-Disposition must be form-data";
      if (!header_param(v, vlen, "name", name, 64))
        return "a part has no name";
      *has_filename = header_param(v, vlen, "filename", filename, 256);
    }
    p += llen + 2;
  }
  return name[0] != '\0' ? NULL : "a part has no Content-Disposition name";
}

/* A text field's value, NUL-ended in place (the CRLF before the next
 * boundary makes room). */
static const char *text_field(char *v, size_t vlen, const char **out)
{
  if (*out != NULL)
    return "is given twice";
  if (vlen > UPLOAD_FIELD_MAX || memchr(v, '\0', vlen) != NULL)
    return "is too long or holds a NUL byte";
  v[vlen] = '\0';
  *out = v;
  return NULL;
}

static const char *multipart(const char *content_type, char *body, size_t len,
                             struct http_upload *up, const char **field)
{
  char boundary[80] = "\r\n--";
  if (!header_param(content_type, strlen(content_type), "boundary", boundary + 4,
                    sizeof boundary - 4) ||
      boundary[4] == '\0')
    return "multipart/form-data needs a boundary of 1 to 70 characters";
  size_t blen = strlen(boundary);
  /* The body starts with the first delimiter (no preamble is expected, but
   * one is skipped like any text before it). */
  const char *p = memfind(body, len, boundary + 2, blen - 2);
  if (p == NULL)
    return "the body holds no part";
  p += blen - 2;
  const char *end = body + len;
  bool has_file = false;
  for (;;) {
    if (end - p >= 2 && p[0] == '-' && p[1] == '-')
      break; /* the closing delimiter */
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
      return "a multipart delimiter is not followed by a line end";
    p += 2;
    const char *hend = memfind(p, (size_t)(end - p), "\r\n\r\n", 4);
    if (hend == NULL)
      return "a part's headers do not end";
    char name[64], filename[256];
    bool has_filename;
    const char *err = part_names(p, (size_t)(hend - p) + 2, name, filename, &has_filename);
    if (err != NULL)
      return err;
    char *v = (char *)hend + 4;
    const char *next = memfind(v, (size_t)(end - v), boundary, blen);
    if (next == NULL)
      return "a part does not end with the boundary";
    size_t vlen = (size_t)(next - v);
    if (strcmp(name, "file") == 0) {
      if (has_file)
        return "only one file may be sent";
      has_file = true;
      if (has_filename)
        memcpy(up->filename, filename, sizeof up->filename);
      up->data = v;
      up->len = vlen;
    } else if (strcmp(name, "name") == 0 || strcmp(name, "folder_id") == 0) {
      const char **out = name[0] == 'n' ? &up->name : &up->folder_id;
      err = text_field(v, vlen, out);
      if (err != NULL) {
        *field = name[0] == 'n' ? "name" : "folder_id";
        return err;
      }
    } else {
      *field = "unknown";
      return "unknown form field";
    }
    p = next + blen;
  }
  if (!has_file) {
    *field = "file";
    return "is required";
  }
  return NULL;
}

const char *upload_parse(const char *content_type, char *body, size_t len, struct http_upload *up,
                         const char **field, bool *unsupported)
{
  memset(up, 0, sizeof *up);
  *field = "body";
  *unsupported = false;
  if (content_type != NULL && starts_with_ci(content_type, "multipart/form-data"))
    return multipart(content_type, body, len, up, field);
  if (content_type == NULL || !starts_with_ci(content_type, "image/")) {
    *unsupported = true;
    return "send the file with an image/* Content-Type, or as multipart/form-data";
  }
  up->data = body;
  up->len = len;
  if (len == 0) {
    *field = "file";
    return "is required";
  }
  return NULL;
}

enum http_step upload_read(struct http_request *rq)
{
  const char *field, *detail;
  bool unsupported;
  const char *ct = http_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);
  char empty[1] = "";
  detail = upload_parse(ct, rq->body != NULL ? rq->body : empty, rq->body_len, &rq->upload, &field,
                        &unsupported);
  if (detail == NULL)
    return HTTP_STEP_OK;
  if (unsupported)
    return HTTP_STEP_OF(reply_problem(rq, PROBLEM_UNSUPPORTED_MEDIA_TYPE, detail, NULL));
  enum problem p = strcmp(field, "unknown") == 0 ? PROBLEM_UNKNOWN_FIELD : PROBLEM_INVALID_FIELD;
  return HTTP_STEP_OF(
      reply_problem(rq, p, detail,
                    json_pack("{s:[{s:s, s:s}]}", "errors", "field",
                              strcmp(field, "unknown") == 0 ? "body" : field, "message", detail)));
}
