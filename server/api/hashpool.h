/* Argon2id hashing off the HTTP threads. A fixed set of low-priority worker
 * threads hashes and verifies passwords; requests wait suspended, so HTTP
 * threads keep serving. The queue is bounded: past it, callers answer 503. */
#ifndef MERCHANTD_HASHPOOL_H
#define MERCHANTD_HASHPOOL_H

#include "accounts.h"
#include "workpool.h"

#include <stdbool.h>
#include <stddef.h>

#define HASHPOOL_PASSWORD_MAX 1024

enum hashpool_kind { HASHPOOL_CREATE, HASHPOOL_VERIFY };

struct hashpool_job {
  enum hashpool_kind kind;
  char password[HASHPOOL_PASSWORD_MAX + 1]; /* wiped once the job is done */
  size_t password_len;
  /* VERIFY: the stored hash in; CREATE: the new hash out. When a verified
   * hash uses outdated limits, a fresh one is put in rehash. */
  char hash[DB_HASH_SIZE];
  char rehash[DB_HASH_SIZE];
  bool ok;
  /* Called on a worker thread when the job is done. */
  void (*done)(struct hashpool_job *job, void *arg);
  void *arg;
  struct workpool_item item; /* the pool's */
};

bool hashpool_start(unsigned workers, unsigned queue_limit);
/* Finishes queued jobs, then stops the workers. */
void hashpool_stop(void);
/* False when the queue is full (or the pool stopped): the job is not run. */
bool hashpool_submit(struct hashpool_job *job);
/* Runs a job on the calling thread (command-line use). */
void hashpool_run(struct hashpool_job *job);

/* A hash of a random password, verified in place of a missing account's so
 * that an unknown username costs the same time as a wrong password. */
const char *hashpool_dummy_hash(void);

#endif
