#include "request.h"
#include "unit.h"

int main(void)
{
  /* No header, or one without gzip or "*": identity only. */
  CHECK(!http_accepts_gzip(NULL));
  CHECK(!http_accepts_gzip(""));
  CHECK(!http_accepts_gzip("identity"));
  CHECK(!http_accepts_gzip("br, deflate"));
  CHECK(!http_accepts_gzip("gzipx"));
  CHECK(!http_accepts_gzip("gzi"));

  CHECK(http_accepts_gzip("gzip"));
  CHECK(http_accepts_gzip("GZip"));
  CHECK(http_accepts_gzip("x-gzip"));
  CHECK(http_accepts_gzip("gzip, deflate, br"));
  CHECK(http_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
  CHECK(http_accepts_gzip(" deflate ,gzip ; q=0.5 "));
  CHECK(http_accepts_gzip("gzip;q=1"));
  CHECK(http_accepts_gzip("gzip;q=1.000"));
  CHECK(http_accepts_gzip("gzip;q=0.001"));
  CHECK(http_accepts_gzip("gzip;Q=0.5"));
  CHECK(http_accepts_gzip("*"));
  CHECK(http_accepts_gzip("br, *;q=0.5"));
  CHECK(http_accepts_gzip(",,gzip,,"));

  /* q=0 refuses; gzip named wins over "*". */
  CHECK(!http_accepts_gzip("gzip;q=0"));
  CHECK(!http_accepts_gzip("gzip; q=0.0"));
  CHECK(!http_accepts_gzip("gzip;q=0.000"));
  CHECK(!http_accepts_gzip("gzip;q=0, *"));
  CHECK(!http_accepts_gzip("*, gzip;q=0"));
  CHECK(!http_accepts_gzip("*;q=0"));
  CHECK(!http_accepts_gzip("identity, *;q=0"));
  CHECK(http_accepts_gzip("gzip;q=0.5, *;q=0"));

  /* A q-value that cannot be read is a refusal. */
  CHECK(!http_accepts_gzip("gzip;q="));
  CHECK(!http_accepts_gzip("gzip;q=1.5"));
  CHECK(!http_accepts_gzip("gzip;q=2"));
  CHECK(!http_accepts_gzip("gzip;q=0.0001"));
  CHECK(!http_accepts_gzip("gzip;q=abc"));
  CHECK(!http_accepts_gzip("gzip;q=-1"));
  CHECK(!http_accepts_gzip("gzip garbage"));
  /* Other parameters are passed over. */
  CHECK(http_accepts_gzip("gzip;level=9;q=0.3"));
  CHECK(!http_accepts_gzip("gzip;level=9;q=0"));
  return unit_report("request");
}
