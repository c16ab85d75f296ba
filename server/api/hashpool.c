#include "hashpool.h"

#include "log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define HASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define HASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct hashpool_job *head, *tail;
/* Jobs submitted and not yet finished, and the most allowed at once. */
static unsigned in_system, in_system_max;
static bool stopping;
static pthread_t *threads;
static unsigned nthreads;
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

static void *worker(void *unused)
{
  /* Hashing is CPU-bound by design; a lower priority lets HTTP threads
   * preempt it so that logins never slow down other requests. */
  setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
  for (;;) {
    pthread_mutex_lock(&lock);
    while (head == NULL && !stopping)
      pthread_cond_wait(&wake, &lock);
    struct hashpool_job *job = head;
    if (job == NULL) {
      pthread_mutex_unlock(&lock);
      return NULL;
    }
    head = job->next;
    if (head == NULL)
      tail = NULL;
    pthread_mutex_unlock(&lock);
    hashpool_run(job);
    pthread_mutex_lock(&lock);
    in_system--;
    pthread_mutex_unlock(&lock);
    job->done(job, job->arg);
  }
}

bool hashpool_start(unsigned workers, unsigned queue_limit)
{
  char pw[32];
  randombytes_buf(pw, sizeof pw);
  if (crypto_pwhash_str(dummy_hash, pw, sizeof pw, HASH_OPS, HASH_MEM) != 0) {
    log_error("could not hash password: out of memory");
    return false;
  }
  threads = calloc(workers, sizeof *threads);
  if (threads == NULL)
    return false;
  in_system_max = workers + queue_limit;
  for (nthreads = 0; nthreads < workers; nthreads++)
    if (pthread_create(&threads[nthreads], NULL, worker, NULL) != 0) {
      log_error("could not start hash worker");
      hashpool_stop();
      return false;
    }
  return true;
}

void hashpool_stop(void)
{
  pthread_mutex_lock(&lock);
  stopping = true;
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  for (unsigned i = 0; i < nthreads; i++)
    pthread_join(threads[i], NULL);
  free(threads);
  threads = NULL;
  nthreads = 0;
}

bool hashpool_submit(struct hashpool_job *job)
{
  pthread_mutex_lock(&lock);
  bool ok = !stopping && in_system < in_system_max;
  if (ok) {
    job->next = NULL;
    if (tail != NULL)
      tail->next = job;
    else
      head = job;
    tail = job;
    in_system++;
    pthread_cond_signal(&wake);
  }
  pthread_mutex_unlock(&lock);
  return ok;
}

const char *hashpool_dummy_hash(void)
{
  return dummy_hash;
}
