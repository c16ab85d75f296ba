#include "events.h"

#include "clock.h"
#include "config.h"
#include "event_log.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define BUCKETS 1024
/* The longest the listener sleeps without looking at the clock, and the
 * wait between attempts to reconnect its PostgreSQL connection. */
#define MAX_SLEEP_MS 1000
#define RECONNECT_MS 1000

/* The registry: waiters by account id. One mutex guards it and every
 * waiter's suspended/woken/wake_at; MHD's suspend and resume are called
 * under it (they take only MHD's own locks, and MHD calls nothing of ours
 * while holding those), so a waiter is never resumed twice or after its
 * connection has gone. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct events_waiter *buckets[BUCKETS];
static bool closing;
static int64_t next_wake; /* the listener's next timed look, clock_mono_us */
static _Atomic long long open_streams;

static pthread_t thread;
static bool running;
static int wake_fd = -1; /* eventfd: stop, or an earlier timed wake */
static _Atomic bool stopping;

static struct events_waiter **bucket(int64_t account_id)
{
  return &buckets[(uint64_t)account_id % BUCKETS];
}

static void poke(void)
{
  uint64_t one = 1;
  if (wake_fd >= 0 && write(wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
    log_warn("could not wake the event listener");
}

/* Under the lock. */
static void wake_locked(struct events_waiter *w)
{
  w->woken = true;
  w->wake_at = 0;
  if (w->suspended) {
    w->suspended = false;
    MHD_resume_connection(w->conn);
  }
}

void events_waiter_add(struct events_waiter *w, struct MHD_Connection *conn, int64_t account_id,
                       bool stream)
{
  w->conn = conn;
  w->account_id = account_id;
  w->wake_at = 0;
  w->suspended = false;
  w->woken = false;
  w->stream = stream;
  w->prev = NULL;
  pthread_mutex_lock(&lock);
  struct events_waiter **head = bucket(account_id);
  w->next = *head;
  if (*head != NULL)
    (*head)->prev = w;
  *head = w;
  pthread_mutex_unlock(&lock);
  if (stream)
    atomic_fetch_add(&open_streams, 1);
}

void events_waiter_remove(struct events_waiter *w)
{
  pthread_mutex_lock(&lock);
  if (w->prev != NULL)
    w->prev->next = w->next;
  else
    *bucket(w->account_id) = w->next;
  if (w->next != NULL)
    w->next->prev = w->prev;
  w->prev = w->next = NULL;
  pthread_mutex_unlock(&lock);
  if (w->stream)
    atomic_fetch_sub(&open_streams, 1);
}

bool events_waiter_take_wake(struct events_waiter *w)
{
  pthread_mutex_lock(&lock);
  bool woken = w->woken;
  w->woken = false;
  pthread_mutex_unlock(&lock);
  return woken;
}

bool events_waiter_sleep(struct events_waiter *w, int64_t wake_at)
{
  pthread_mutex_lock(&lock);
  if (w->woken || closing) {
    w->woken = false;
    pthread_mutex_unlock(&lock);
    return false;
  }
  w->wake_at = wake_at;
  w->suspended = true;
  MHD_suspend_connection(w->conn);
  bool earlier = wake_at != 0 && wake_at < next_wake;
  if (earlier)
    next_wake = wake_at;
  pthread_mutex_unlock(&lock);
  if (earlier)
    poke();
  return true;
}

bool events_closing(void)
{
  pthread_mutex_lock(&lock);
  bool c = closing;
  pthread_mutex_unlock(&lock);
  return c;
}

long long events_open_streams(void)
{
  return atomic_load(&open_streams);
}

static void wake_all_locked(void)
{
  for (size_t i = 0; i < BUCKETS; i++)
    for (struct events_waiter *w = buckets[i]; w != NULL; w = w->next)
      wake_locked(w);
}

void events_close_all(void)
{
  pthread_mutex_lock(&lock);
  closing = true;
  wake_all_locked();
  pthread_mutex_unlock(&lock);
}

/* db_listener_drain's callback: wakes the account's waiters. */
static void wake_account(int64_t account_id, void *arg)
{
  pthread_mutex_lock(&lock);
  for (struct events_waiter *w = *bucket(account_id); w != NULL; w = w->next)
    if (w->account_id == account_id)
      wake_locked(w);
  pthread_mutex_unlock(&lock);
}

/* Resumes the waiters whose time has come; returns the milliseconds until
 * the next one (at most MAX_SLEEP_MS). */
static int wake_due(void)
{
  int64_t now = clock_mono_us(), soonest = now + MAX_SLEEP_MS * 1000;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < BUCKETS; i++)
    for (struct events_waiter *w = buckets[i]; w != NULL; w = w->next) {
      if (w->wake_at == 0 || !w->suspended)
        continue;
      if (w->wake_at <= now)
        wake_locked(w);
      else if (w->wake_at < soonest)
        soonest = w->wake_at;
    }
  next_wake = soonest;
  pthread_mutex_unlock(&lock);
  return (int)((soonest - now + 999) / 1000);
}

static void *listen_loop(void *unused)
{
  struct db_listener *l = NULL;
  int64_t retry_at = 0;
  while (!atomic_load(&stopping)) {
    int64_t now = clock_mono_us();
    if (l == NULL && now >= retry_at) {
      l = db_listener_open(config.database_url);
      retry_at = now + RECONNECT_MS * 1000;
      if (l != NULL) {
        /* Notifications sent while there was no connection are lost:
         * everyone reads once. */
        pthread_mutex_lock(&lock);
        wake_all_locked();
        pthread_mutex_unlock(&lock);
      }
    }
    int timeout = wake_due();
    struct pollfd fds[2] = {{wake_fd, POLLIN, 0}, {l ? db_listener_socket(l) : -1, POLLIN, 0}};
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
      log_error("could not wait for event notifications: %s", strerror(errno));
      break;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t n;
      if (read(wake_fd, &n, sizeof n) < 0 && errno != EAGAIN)
        log_warn("could not read the event listener's wake-up");
    }
    if (l != NULL && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) &&
        !db_listener_drain(l, wake_account, NULL)) {
      db_listener_close(l);
      l = NULL;
      retry_at = clock_mono_us() + RECONNECT_MS * 1000;
    }
  }
  db_listener_close(l);
  return NULL;
}

bool events_start(void)
{
  wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    log_error("could not create an eventfd: %s", strerror(errno));
    return false;
  }
  next_wake = clock_mono_us();
  if (pthread_create(&thread, NULL, listen_loop, NULL) != 0) {
    log_error("could not start the event listener");
    close(wake_fd);
    wake_fd = -1;
    return false;
  }
  running = true;
  return true;
}

void events_stop(void)
{
  if (!running)
    return;
  atomic_store(&stopping, true);
  poke();
  pthread_join(thread, NULL);
  running = false;
  close(wake_fd);
  wake_fd = -1;
}
