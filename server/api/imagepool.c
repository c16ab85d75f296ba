#include "imagepool.h"

#include "log.h"
#include "mediastore.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct imagepool_job *head, *tail;
static unsigned in_system, in_system_max;
static bool running, stopping;
static pthread_t *threads;
static unsigned nthreads;

/* The renditions first, the original last: whichever file a crash leaves,
 * no row names it yet, and the garbage collector takes it. */
static bool store(struct imagepool_job *job, const struct image_out *out)
{
  const struct mediastore_backend *ms = mediastore();
  char name[MEDIASTORE_NAME_SIZE];
  snprintf(name, sizeof name, "%s_800.webp", job->sha256);
  if (!ms->put(name, out->large, out->large_len))
    return false;
  snprintf(name, sizeof name, "%s_200.webp", job->sha256);
  if (!ms->put(name, out->thumb, out->thumb_len))
    return false;
  snprintf(name, sizeof name, "%s.%s", job->sha256, image_format_ext(out->header.format));
  return ms->put(name, out->original, out->original_len);
}

void imagepool_run(struct imagepool_job *job)
{
  struct image_out out;
  job->result = image_process(job->data, job->len, &out, job->reason);
  if (job->result != IMAGE_OK)
    return;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, out.original, out.original_len);
  sodium_bin2hex(job->sha256, sizeof job->sha256, digest, sizeof digest);
  job->header = out.header;
  job->bytes = out.original_len;
  if (!store(job, &out)) {
    job->result = IMAGE_FAILED;
    snprintf(job->reason, sizeof job->reason, "could not store the image");
  }
  image_out_free(&out);
}

static void *worker(void *unused)
{
  /* Decoding is CPU-bound: HTTP threads preempt it. */
  setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
  for (;;) {
    pthread_mutex_lock(&lock);
    while (head == NULL && !stopping)
      pthread_cond_wait(&wake, &lock);
    struct imagepool_job *job = head;
    if (job == NULL) {
      pthread_mutex_unlock(&lock);
      return NULL;
    }
    head = job->next;
    if (head == NULL)
      tail = NULL;
    pthread_mutex_unlock(&lock);
    imagepool_run(job);
    pthread_mutex_lock(&lock);
    in_system--;
    pthread_mutex_unlock(&lock);
    job->done(job, job->arg);
  }
}

bool imagepool_start(unsigned workers, unsigned queue_limit)
{
  threads = calloc(workers, sizeof *threads);
  if (threads == NULL)
    return false;
  in_system_max = workers + queue_limit;
  stopping = false;
  for (nthreads = 0; nthreads < workers; nthreads++)
    if (pthread_create(&threads[nthreads], NULL, worker, NULL) != 0) {
      log_error("could not start image worker");
      imagepool_stop();
      return false;
    }
  running = true;
  return true;
}

void imagepool_stop(void)
{
  pthread_mutex_lock(&lock);
  stopping = true;
  running = false;
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  for (unsigned i = 0; i < nthreads; i++)
    pthread_join(threads[i], NULL);
  free(threads);
  threads = NULL;
  nthreads = 0;
}

bool imagepool_submit(struct imagepool_job *job)
{
  pthread_mutex_lock(&lock);
  bool ok = running && !stopping && in_system < in_system_max;
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

unsigned imagepool_in_system(void)
{
  pthread_mutex_lock(&lock);
  unsigned n = in_system;
  pthread_mutex_unlock(&lock);
  return n;
}
