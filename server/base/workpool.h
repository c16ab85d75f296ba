/* A fixed pool of low-priority worker threads with a bounded queue, for
 * CPU-bound work that must not run on an HTTP thread (argon2id hashing,
 * image decoding). A job embeds a struct workpool_item; the pool runs
 * work() on a worker, then finish(), which typically resumes a request. */
#ifndef MERCHANTD_WORKPOOL_H
#define MERCHANTD_WORKPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct workpool_item {
  struct workpool_item *next;
};

struct workpool {
  const char *name; /* for the log */
  void (*work)(struct workpool_item *item);
  void (*finish)(struct workpool_item *item); /* once the job left the count */
  pthread_mutex_t lock;
  pthread_cond_t wake;
  struct workpool_item *head, *tail;
  /* Jobs submitted and not yet finished, and the most allowed at once. */
  unsigned in_system, in_system_max;
  bool running, stopping;
  pthread_t *threads;
  unsigned nthreads;
};

#define WORKPOOL_INIT(nm, work_fn, finish_fn)                                                      \
  {                                                                                                \
    .name = (nm), .work = (work_fn), .finish = (finish_fn), .lock = PTHREAD_MUTEX_INITIALIZER,     \
    .wake = PTHREAD_COND_INITIALIZER                                                               \
  }

/* The job an item is embedded in. */
#define WORKPOOL_JOB(item, type, member) ((type *)((char *)(item)-offsetof(type, member)))

bool workpool_start(struct workpool *p, unsigned workers, unsigned queue_limit);
/* Finishes queued jobs, then stops the workers. */
void workpool_stop(struct workpool *p);
/* False when the queue is full (or the pool is not running): not run. */
bool workpool_submit(struct workpool *p, struct workpool_item *item);
/* Jobs submitted and not yet finished. */
unsigned workpool_in_system(struct workpool *p);

#endif
