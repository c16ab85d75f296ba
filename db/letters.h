/* In-app letters about order reviews (see migrations/0004_letters.sql): a
 * shop's delivered letters, their lines, the read marker, and the job that
 * delivers them on the hour. */
#ifndef MERCHANTD_DB_LETTERS_H
#define MERCHANTD_DB_LETTERS_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A page holds at most this many letters. */
#define DB_LETTERS_PAGE_MAX 100
/* The first page's keyset bound: later than any delivery (9999-12-31). */
#define DB_LETTERS_KEY_MAX INT64_C(253402300799000000)

/* One letter. Text fields point into the query result: they are valid only
 * while the callback that received the letter runs. Times are microseconds
 * since the epoch; read_at is 0 while unread. */
struct db_letter {
  int64_t id;
  const char *kind; /* hold, result, extend */
  const char *title;
  const char *summary;
  const char *body; /* NULL in lists */
  int64_t order_count;
  int64_t delivered_at, read_at;
};

/* One line of a letter: an order and the review action the letter is
 * about. Texts as in struct db_letter; reason, note NULL when not given,
 * deadline 0 when the action has none. */
struct db_letter_line {
  int64_t order_id;
  const char *order_sn;
  const char *buyer_name;
  int64_t items_cents, total_cents;
  const char *action; /* hold, release, auto_release, close, extend */
  const char *reason, *note;
  int64_t deadline, acted_at;
};

typedef void (*db_letter_fn)(const struct db_letter *l, void *arg);
typedef void (*db_letter_line_fn)(const struct db_letter_line *d, void *arg);

/* Which letters a page shows: newest first, those before (after_key,
 * after_id) in that order; the first page passes DB_LETTERS_KEY_MAX and
 * INT64_MAX. */
struct db_letter_page {
  int64_t merchant_id, shop_id;
  bool unread_only;
  int64_t after_key, after_id;
  int limit; /* at most DB_LETTERS_PAGE_MAX + 1 */
};

/* The page's letters go to fn (body NULL); *unread is the shop's count of
 * unread letters. DB_NONE when the merchant has no such shop. */
enum db_status db_letters_page(const struct db_letter_page *p, db_letter_fn fn, void *arg,
                               int64_t *unread);

/* One letter of the merchant's shop to fn, then its lines to line_fn (when
 * not NULL), in order. DB_NONE when there is no such letter. */
enum db_status db_letter_get(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                             db_letter_fn fn, db_letter_line_fn line_fn, void *arg);
/* The same for the CSV attachment's download: from the read replica when
 * it is fresh (db/replica.h), the primary otherwise. */
enum db_status db_letter_attachment(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                                    db_letter_fn fn, db_letter_line_fn line_fn, void *arg);

/* Marks the letter read at now unless it already was (the first read_at
 * stays), and hands it to fn. DB_NONE when there is no such letter. */
enum db_status db_letter_mark_read(int64_t merchant_id, int64_t shop_id, int64_t letter_id,
                                   int64_t now, db_letter_fn fn, void *arg);

/* The delivery job's batch: turns up to limit notices due at now (hours of
 * time zone zone) into letters; *delivered is how many it took. */
enum db_status db_letters_deliver(int64_t now, const char *zone, int limit, int64_t *delivered);

#endif
