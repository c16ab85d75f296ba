#include "logistics.h"

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
