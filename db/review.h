/* The platform's order review: holding a paid order (it cannot ship),
 * releasing it, closing it with a full refund, extending its deadline; the
 * reviewers' queue, an order's review history, and the job that releases
 * held orders at their deadline. Every rule lives in the SQL functions of
 * migrations/0003_order_review.sql; these calls run them and read back. */
#ifndef MERCHANTD_DB_REVIEW_H
#define MERCHANTD_DB_REVIEW_H

#include "db.h"

#include <stdint.h>

/* What the merchant (and the ship refusal) is told while an order is held:
 * the one copy of this text. */
#define REVIEW_HOLD_MESSAGE "订单审核中，本审核提示消失后，可正常发货"

/* An order as the review sees it. Text fields point into the query result:
 * they are valid only while the callback that received the order runs.
 * Times are microseconds since the epoch, 0 when not set. */
struct db_review_order {
  int64_t id;
  const char *order_sn;
  int64_t shop_id;
  const char *status;        /* the order's: paid, shipped, closed... */
  const char *review_status; /* under_review, released, closed */
  const char *review_reason; /* the hold's reason */
  int64_t review_deadline;
  int64_t total_cents;
  int64_t paid_at, grouped_at;
  int64_t held_at;      /* the latest hold; 0 when not read (action replies) */
  int64_t refund_cents; /* a close: what it refunded; -1 for the other actions */
  /* Where it goes and the buyer's note ("" when none), as the reviewer
   * judges it: never masked, unlike the merchant's view of a held order. */
  const char *addr_name, *addr_phone, *addr_province, *addr_city, *addr_district, *addr_detail;
  const char *note;
};

typedef void (*db_review_order_fn)(const struct db_review_order *o, void *arg);

/* The reviewer's actions, each a SQL function of the same name. */
enum db_review_action {
  DB_REVIEW_HOLD,    /* review_hold: reason, note */
  DB_REVIEW_RELEASE, /* review_release: note */
  DB_REVIEW_CLOSE,   /* review_close: reason */
  DB_REVIEW_EXTEND,  /* review_extend: hours, note */
};

/* What an action takes; fields an action does not take are ignored, and
 * NULL texts go in as SQL NULL. */
struct db_review_request {
  enum db_review_action action;
  int64_t reviewer_id;
  int64_t order_id;
  const char *reason;
  const char *note;
  int64_t hours;
};

/* Runs the action; code receives "ok" or a problem code (not_found,
 * invalid_state, already_under_review); on "ok" fn receives the order as
 * the action left it. */
enum db_status db_review_act(const struct db_review_request *r, int64_t now,
                             char code[DB_RESULT_CODE_SIZE], db_review_order_fn fn, void *arg);

/* One page of the queue: orders whose review has this status (under_review,
 * released, closed) and whose deadline is before deadline_before (for
 * "overdue"; a far future time for all), after the keyset position
 * (after_deadline, after_id), earliest deadline first, at most limit. */
enum db_status db_review_queue(const char *review_status, int64_t deadline_before,
                               int64_t after_deadline, int64_t after_id, int64_t limit,
                               db_review_order_fn fn, void *arg);

/* One review action of the history. Text fields point into the query result. */
struct db_review_entry {
  int64_t id;
  const char *action;         /* hold, release, close, extend, auto_release */
  int64_t actor_id;           /* 0: the system */
  const char *actor_username; /* NULL for the system */
  const char *reason, *note;  /* NULL when not given */
  int64_t deadline;           /* the review deadline after the action; 0 when none */
  int64_t created_at;
};

typedef void (*db_review_entry_fn)(const struct db_review_entry *a, void *arg);

/* The order's review actions, oldest first. DB_NONE when there is no such
 * order; DB_ONE or DB_MANY otherwise, however many actions fn received. */
enum db_status db_review_history(int64_t order_id, db_review_entry_fn fn, void *arg);

/* The job: releases at most limit held orders whose deadline is at or
 * before now, as done by the system; *moved tells how many. */
enum db_status db_reviews_release_due(int64_t now, int limit, int64_t *moved);

#endif
