/* Stored replies for writes sent with an Idempotency-Key. */
#ifndef MERCHANTD_DB_IDEMPOTENCY_KEYS_H
#define MERCHANTD_DB_IDEMPOTENCY_KEYS_H

#include "db.h"

#include <stdint.h>

#define DB_IDEM_HASH_SIZE 32

enum db_idem_state {
  DB_IDEM_FRESH,    /* first use of the key: run the request */
  DB_IDEM_RUNNING,  /* the first request with this key is still running */
  DB_IDEM_MISMATCH, /* the key was used for another request */
  DB_IDEM_REPLAY,   /* the stored reply is in the result */
};

struct db_idem {
  enum db_idem_state state;
  unsigned status;
  char *content_type; /* malloc'd, REPLAY only */
  char *body;         /* malloc'd, REPLAY only */
};

/* Claims the key for this request, or reports what it holds. A claim older
 * than stale_before whose request never finished is taken over. */
enum db_status db_idem_begin(int64_t account_id, const char *key,
                             const unsigned char hash[DB_IDEM_HASH_SIZE], int64_t now,
                             int64_t stale_before, struct db_idem *out);
enum db_status db_idem_finish(int64_t account_id, const char *key, unsigned status,
                              const char *content_type, const char *body);
/* Forgets a claim whose request failed, so that a retry runs again. */
enum db_status db_idem_abandon(int64_t account_id, const char *key);
enum db_status db_idem_purge(int64_t before);

#endif
