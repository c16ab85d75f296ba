/* The one table of problem codes: every error merchantd answers with is a
 * row here (docs/openapi.yaml lists the same codes). */
#ifndef MERCHANTD_PROBLEM_H
#define MERCHANTD_PROBLEM_H

#include <stdbool.h>

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
  PROBLEM_INVALID_STATE,
  PROBLEM_OUT_OF_STOCK,
  PROBLEM_PRODUCT_UNAVAILABLE,
  PROBLEM_ORDER_EXPIRED,
  PROBLEM_AFTER_SALE_OPEN,
  PROBLEM_REFUND_EXCEEDS_PAID,
  PROBLEM_RESHIP_WINDOW_CLOSED,
  PROBLEM_DUPLICATE_IN_BATCH,
  PROBLEM_ALREADY_UNDER_REVIEW,
  PROBLEM_ORDER_UNDER_REVIEW,
  PROBLEM_ATTACHMENT_EXPIRED,
  PROBLEM_QUICK_REPLY_LIMIT,
  PROBLEM_SOLD_OUT,
  PROBLEM_CLAIM_LIMIT_REACHED,
  PROBLEM_NOT_CLAIMABLE,
  PROBLEM_COUPON_UNAVAILABLE,
  PROBLEM_IDEMPOTENCY_IN_PROGRESS,
  PROBLEM_IDEMPOTENCY_KEY_REUSED,
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
/* The problem with this code (as SQL functions return them); false when
 * no such code exists. */
bool problem_by_code(const char *code, enum problem *out);

#endif
