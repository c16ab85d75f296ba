/* The one table of problem codes: every error merchantd answers with is a
 * row here (docs/openapi.yaml lists the same codes). */
#ifndef MERCHANTD_PROBLEM_H
#define MERCHANTD_PROBLEM_H

enum problem {
  PROBLEM_INVALID_JSON,
  PROBLEM_UNKNOWN_FIELD,
  PROBLEM_INVALID_FIELD,
  PROBLEM_UNEXPECTED_BODY,
  PROBLEM_UNAUTHENTICATED,
  PROBLEM_INVALID_CREDENTIALS,
  PROBLEM_SESSION_EXPIRED,
  PROBLEM_SESSION_REPLACED,
  PROBLEM_FORBIDDEN,
  PROBLEM_NOT_FOUND,
  PROBLEM_METHOD_NOT_ALLOWED,
  PROBLEM_USERNAME_TAKEN,
  PROBLEM_PAYLOAD_TOO_LARGE,
  PROBLEM_UNSUPPORTED_MEDIA_TYPE,
  PROBLEM_TOO_MANY_ATTEMPTS,
  PROBLEM_INTERNAL_ERROR,
  PROBLEM_SERVER_BUSY,
  PROBLEM_DATABASE_UNAVAILABLE,
  PROBLEM_NOT_READY,
  PROBLEM_COUNT
};

struct problem_info {
  const char *code;  /* stable, machine-readable */
  unsigned status;   /* HTTP status */
  const char *title; /* short, human-readable, the same for every occurrence */
};

const struct problem_info *problem_info(enum problem p);

#endif
