/* Clients waiting for chat events (GET /v1/events and /v1/events/poll) and
 * the thread that wakes them.
 *
 * A waiting client costs no thread: its connection is suspended
 * (MHD_suspend_connection) and sits in a registry keyed by account id. One
 * listener thread per instance holds a PostgreSQL connection that LISTENs
 * on merchantd_events; a notification names the accounts an event is for,
 * and their waiters are resumed to read the events from the database. The
 * same thread resumes waiters whose wake-up time (heartbeat, long-poll
 * timeout, retry) has come. */
#ifndef MERCHANTD_EVENTS_H
#define MERCHANTD_EVENTS_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

/* A waiting client; embedded in the stream or poll state of a request. The
 * members are the registry's (read them only through the functions). */
struct events_waiter {
  struct MHD_Connection *conn;
  int64_t account_id;
  int64_t wake_at; /* clock_mono_us; 0: only a notification wakes it */
  bool suspended;  /* the connection is suspended and waits for us */
  bool woken;      /* something may have arrived since the last read */
  bool stream;     /* an SSE stream (counted in events_open_streams) */
  struct events_waiter *prev, *next;
};

bool events_start(void);
/* At shutdown, before the HTTP daemon stops: wakes every waiter, and no
 * waiter sleeps from now on (streams end, polls answer). */
void events_close_all(void);
/* Stops the listener thread. */
void events_stop(void);
bool events_closing(void);

/* Registers a waiter of an account on conn (not suspended yet). */
void events_waiter_add(struct events_waiter *w, struct MHD_Connection *conn, int64_t account_id,
                       bool stream);
/* Unregisters it; the connection must not be suspended (it is being
 * completed). */
void events_waiter_remove(struct events_waiter *w);
/* True when the waiter was woken since the last call (and clears that);
 * called right before reading, so that a wake during the read counts. */
bool events_waiter_take_wake(struct events_waiter *w);
/* On the connection's thread, from the access handler or the content
 * reader: suspends the connection until a notification for the account,
 * or until wake_at (clock_mono_us, 0 for none). False when it did not
 * suspend because the waiter was woken meanwhile or events are closing:
 * read again. */
bool events_waiter_sleep(struct events_waiter *w, int64_t wake_at);

/* SSE streams open on this instance (a gauge). */
long long events_open_streams(void);

#endif
