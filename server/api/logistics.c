#include "logistics.h"

#include "jsonin.h"
#include "reply.h"

#include <string.h>

const char *logistics_carrier_problem(const char *code)
{
  size_t n = strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_");
  if (code[n] != '\0' || n < 2 || n > 20)
    return "must be a carrier code from GET /v1/carriers";
  return NULL;
}

const char *logistics_tracking_problem(const char *tracking_no)
{
  size_t n = strspn(tracking_no, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
  if (tracking_no[n] != '\0' || n < 6 || n > 40)
    return "must be 6 to 40 letters, digits and '-'";
  return NULL;
}

enum http_step logistics_read(struct http_request *rq, const char **carrier,
                              const char **tracking_no)
{
  const struct jsonin_field fields[] = {
      JSONIN_BYTES("carrier", carrier, 0, 64, JSONIN_REQUIRED, .check = logistics_carrier_problem),
      JSONIN_BYTES("tracking_no", tracking_no, 0, 64, JSONIN_REQUIRED,
                   .check = logistics_tracking_problem),
  };
  return jsonin_read(rq, fields, JSONIN_COUNT(fields));
}

json_t *logistics_unknown_carrier_errors(void)
{
  return json_pack("[{s:s, s:s}]", "field", "carrier", "message",
                   "is not a carrier of GET /v1/carriers");
}

enum MHD_Result logistics_reply_unknown_carrier(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_INVALID_FIELD, "unknown carrier",
                       json_pack("{s:o}", "errors", logistics_unknown_carrier_errors()));
}
