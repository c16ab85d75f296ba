#include "hashpool.h"

#include "log.h"
#include "workpool.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define HASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static char dummy_hash[crypto_pwhash_STRBYTES];

void hashpool_run(struct hashpool_job *job)
{
  if (job->kind == HASHPOOL_CREATE) {
    job->ok =
        crypto_pwhash_str(job->hash, job->password, job->password_len, HASH_OPS, HASH_MEM) == 0;
    if (!job->ok)
      log_error("could not hash password: out of memory");
  } else {
    job->ok = crypto_pwhash_str_verify(job->hash, job->password, job->password_len) == 0;
    job->rehash[0] = '\0';
    if (job->ok && crypto_pwhash_str_needs_rehash(job->hash, HASH_OPS, HASH_MEM) != 0 &&
        crypto_pwhash_str(job->rehash, job->password, job->password_len, HASH_OPS, HASH_MEM) != 0)
      job->rehash[0] = '\0';
  }
  sodium_memzero(job->password, sizeof job->password);
}

static void work(struct workpool_item *item)
{
  hashpool_run(WORKPOOL_JOB(item, struct hashpool_job, item));
}

static void finish(struct workpool_item *item)
{
  struct hashpool_job *job = WORKPOOL_JOB(item, struct hashpool_job, item);
  job->done(job, job->arg);
}

static struct workpool pool = WORKPOOL_INIT("hash", work, finish);

bool hashpool_start(unsigned workers, unsigned queue_limit)
{
  char pw[32];
  randombytes_buf(pw, sizeof pw);
  if (crypto_pwhash_str(dummy_hash, pw, sizeof pw, HASH_OPS, HASH_MEM) != 0) {
    log_error("could not hash password: out of memory");
    return false;
  }
  return workpool_start(&pool, workers, queue_limit);
}

void hashpool_stop(void)
{
  workpool_stop(&pool);
}

bool hashpool_submit(struct hashpool_job *job)
{
  return workpool_submit(&pool, &job->item);
}

const char *hashpool_dummy_hash(void)
{
  return dummy_hash;
}
