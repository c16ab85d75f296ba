/* The chat event stream (table events, migrations/0005_chat.sql): what a
 * connected client reads, and the LISTEN connection that tells an instance
 * when to read. */
#ifndef MERCHANTD_DB_EVENT_LOG_H
#define MERCHANTD_DB_EVENT_LOG_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

struct db_event {
  int64_t id; /* the position: (xid << 20) | n */
  const char *kind;
  int64_t shop_id;  /* 0 when the event has no shop */
  const char *data; /* JSON text, as stored */
  int64_t created_at;
};

/* Called for each event read; the strings live during the call only. */
typedef void (*db_event_fn)(const struct db_event *e, void *arg);

/* What a read found beside the events. */
struct db_events_read {
  int n;           /* events handed to fn */
  bool held_back;  /* later events exist but their transactions may still
                      have company below them: read again shortly */
  const char *end; /* NULL while the session is live; else "replaced",
                      "logout" or "expired" (a static string) */
};

/* Whose events an account reads: a merchant's (events.merchant_id), a
 * buyer's (buyer_id) or a staff member's (staff_id). */
enum db_event_audience {
  DB_EVENTS_MERCHANT,
  DB_EVENTS_BUYER,
  DB_EVENTS_STAFF,
};

/* The events of an account as the audience it is after position `after`, oldest first, at most
 * limit, in one round trip with the check that session_id is still live at `now`. Events of
 * transactions that may still be followed by a smaller position are held
 * back (see db_erp_orders_after for the technique). */
enum db_status db_events_after(int64_t session_id, enum db_event_audience audience,
                               int64_t account_id, int64_t after, int limit, int64_t now,
                               db_event_fn fn, void *arg, struct db_events_read *out);

/* The position "now": every event committed before this call is at or
 * below it; every event committed later is above it. */
enum db_status db_events_now(int64_t *position);

/* Deletes events created before `before`, in batches of `batch`. */
enum db_status db_events_purge(int64_t before, int batch, int64_t *deleted);

/* The listener's own connection (LISTEN merchantd_events); one thread
 * uses it. */
struct db_listener;

/* Connects and listens; NULL (logged) when PostgreSQL is out of reach. */
struct db_listener *db_listener_open(const char *conninfo);
/* The socket to wait on for notifications. */
int db_listener_socket(const struct db_listener *l);
/* Consumes what arrived and calls fn once per account named by each
 * notification (payload "<merchant_id> <buyer_id> <staff_id>", any may be
 * empty).
 * False when the connection is broken (reopen it). */
bool db_listener_drain(struct db_listener *l, void (*fn)(int64_t account_id, void *arg), void *arg);
void db_listener_close(struct db_listener *l);

#endif
