/* Logging: one JSON object per line. Request lines go to stdout, everything
 * else to stderr. Messages follow PostgreSQL style: lowercase, no period. */
#ifndef MERCHANTD_LOG_H
#define MERCHANTD_LOG_H

#include "config.h"

#include <stdint.h>

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

struct log_request {
  const char *request_id;
  const char *method;
  const char *path;
  unsigned status;
  int64_t duration_us;
  int64_t account_id; /* 0 when the request was not authenticated */
  const char *client; /* the client's address (behind a trusted proxy, its X-Forwarded-For) */
};

void log_request(const struct log_request *r);

#endif
