#include "request.h"

#include "db.h"
#include "log.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

static atomic_bool draining;

const char *http_header(struct http_request *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_request *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

bool http_suspend(struct http_request *rq)
{
  if (db_txn_open()) {
    log_error("could not suspend %s %s: a transaction is open on this thread", rq->method,
              rq->path);
    return false;
  }
  MHD_suspend_connection(rq->conn);
  return true;
}

void http_resume(struct http_request *rq)
{
  MHD_resume_connection(rq->conn);
}

bool http_draining(void)
{
  return atomic_load(&draining);
}

void http_set_draining(void)
{
  atomic_store(&draining, true);
}

/* A qvalue (RFC 9110 12.4.2) in thousandths: "0" to "0.999" or "1" to
 * "1.000"; -1 for anything else. */
static int qvalue(const char *s, size_t len)
{
  if (len == 0 || (s[0] != '0' && s[0] != '1') || (len > 1 && s[1] != '.') || len > 5)
    return -1;
  int q = (s[0] - '0') * 1000, scale = 100;
  for (size_t i = 2; i < len; i++, scale /= 10) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    q += (s[i] - '0') * scale;
  }
  return q <= 1000 ? q : -1;
}

bool http_accepts_gzip(const char *accept_encoding)
{
  static const char ows[] = " \t";
  int gzip = -1, any = -1; /* the q-values named, -1 when not named */
  for (const char *p = accept_encoding; p != NULL && *p != '\0';) {
    size_t len = strcspn(p, ",");
    const char *end = p + len;
    p += strspn(p, ows);
    size_t clen = strcspn(p, ";, \t");
    if (clen > (size_t)(end - p))
      clen = (size_t)(end - p);
    const char *coding = p;
    int q = 1000;
    /* The parameters: ;name=value, q among them. */
    for (const char *s = p + clen; s < end;) {
      s += strspn(s, ows);
      if (s >= end)
        break;
      if (*s != ';') {
        q = -1; /* not a parameter: unreadable */
        break;
      }
      s++;
      s += strspn(s, ows);
      size_t plen = strcspn(s, ";,");
      if (s + plen > end)
        plen = (size_t)(end - s);
      size_t vlen = plen;
      while (vlen > 0 && strchr(ows, s[vlen - 1]) != NULL)
        vlen--;
      if (vlen >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=')
        q = qvalue(s + 2, vlen - 2);
      s += plen;
    }
    if (q < 0)
      q = 0;
    if ((clen == 4 && strncasecmp(coding, "gzip", 4) == 0) ||
        (clen == 6 && strncasecmp(coding, "x-gzip", 6) == 0))
      gzip = q > gzip ? q : gzip;
    else if (clen == 1 && coding[0] == '*')
      any = q > any ? q : any;
    p = *end == ',' ? end + 1 : end;
  }
  return gzip >= 0 ? gzip > 0 : any > 0;
}
