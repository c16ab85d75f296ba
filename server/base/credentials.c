#include "credentials.h"

#include <string.h>

const char *credentials_username_problem(const char *username)
{
  size_t n = strlen(username);
  if (n < CREDENTIALS_USERNAME_MIN || n > CREDENTIALS_USERNAME_MAX)
    return "must be 3 to 32 characters long";
  if (strspn(username, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
    return "may contain only a-z, 0-9, '_', '.' and '-'";
  return NULL;
}
