#include "workpool.h"

#include "log.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static void *worker(void *arg)
{
  struct workpool *p = arg;
  /* The work is CPU-bound by design; a lower priority lets HTTP threads
   * preempt it so that it never slows down other requests. */
  setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (p->head == NULL && !p->stopping)
      pthread_cond_wait(&p->wake, &p->lock);
    struct workpool_item *item = p->head;
    if (item == NULL) {
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    p->head = item->next;
    if (p->head == NULL)
      p->tail = NULL;
    pthread_mutex_unlock(&p->lock);
    p->work(item);
    pthread_mutex_lock(&p->lock);
    p->in_system--;
    pthread_mutex_unlock(&p->lock);
    p->finish(item);
  }
}

bool workpool_start(struct workpool *p, unsigned workers, unsigned queue_limit)
{
  p->threads = calloc(workers, sizeof *p->threads);
  if (p->threads == NULL)
    return false;
  p->in_system_max = workers + queue_limit;
  p->stopping = false;
  for (p->nthreads = 0; p->nthreads < workers; p->nthreads++)
    if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0) {
      log_error("could not start %s worker", p->name);
      workpool_stop(p);
      return false;
    }
  p->running = true;
  return true;
}

void workpool_stop(struct workpool *p)
{
  pthread_mutex_lock(&p->lock);
  p->stopping = true;
  p->running = false;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (unsigned i = 0; i < p->nthreads; i++)
    pthread_join(p->threads[i], NULL);
  free(p->threads);
  p->threads = NULL;
  p->nthreads = 0;
}

bool workpool_submit(struct workpool *p, struct workpool_item *item)
{
  pthread_mutex_lock(&p->lock);
  bool ok = p->running && !p->stopping && p->in_system < p->in_system_max;
  if (ok) {
    item->next = NULL;
    if (p->tail != NULL)
      p->tail->next = item;
    else
      p->head = item;
    p->tail = item;
    p->in_system++;
    pthread_cond_signal(&p->wake);
  }
  pthread_mutex_unlock(&p->lock);
  return ok;
}

unsigned workpool_in_system(struct workpool *p)
{
  pthread_mutex_lock(&p->lock);
  unsigned n = p->in_system;
  pthread_mutex_unlock(&p->lock);
  return n;
}
