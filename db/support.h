/* Official support chat (官方服务, docs/support.md): support conversations
 * are chat conversations of kind support (migrations/0037), read and
 * written through db/chat.h like any other; this is what is theirs alone:
 * a shop's open one, the staff's queue and claimed ones, claim, release
 * and close. */
#ifndef MERCHANTD_DB_SUPPORT_H
#define MERCHANTD_DB_SUPPORT_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* One support conversation; strings valid only during the callback.
 * Times in microseconds, 0 for none. */
struct db_support {
  int64_t id, shop_id, merchant_id, staff_id; /* staff_id 0: not claimed */
  const char *shop_name, *merchant_name, *staff_name;
  const char *status; /* open, queued, claimed, closed */
  int64_t last_message_id;
  const char *last_type, *last_sender, *last_preview;
  int64_t last_created_at, last_activity_at;
  int64_t merchant_unread, staff_unread;
  bool awaiting_reply;
  int64_t waiting_since, claimed_at, closed_at, created_at;
  int64_t merchant_read_up_to, staff_read_up_to; /* each side's read marker, 0 before any */
};

typedef void (*db_support_fn)(const struct db_support *s, void *arg);

/* Gets or creates the shop's open support conversation (SQL support_open):
 * code "ok" (fn gets it, *created says whether it is new) or "not_found"
 * (no such shop of the merchant). */
enum db_status db_support_open(int64_t merchant_id, int64_t shop_id, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], bool *created, db_support_fn fn,
                               void *arg);

/* Claims (SQL support_claim: "ok", "not_found", "already_claimed",
 * "invalid_state") or closes (support_close: "ok", "not_found") one as a
 * staff member; on "ok" fn gets it as it is now. */
enum db_status db_support_claim(int64_t staff_id, int64_t conversation_id, int64_t now,
                                char code[DB_RESULT_CODE_SIZE], db_support_fn fn, void *arg);
enum db_status db_support_close(int64_t staff_id, int64_t conversation_id, int64_t now,
                                char code[DB_RESULT_CODE_SIZE], db_support_fn fn, void *arg);
/* The claimer hands it back to the queue (SQL support_release: "ok",
 * "not_found" when the caller has not claimed it, "invalid_state" when it is
 * closed); on "ok" fn gets it as it is now. */
enum db_status db_support_release(int64_t staff_id, int64_t conversation_id, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_support_fn fn, void *arg);

/* The lists; each reads limit rows after the keyset (key, id):
 * DB_SUPPORT_QUEUE   unclaimed open ones with the merchant waiting, by
 *                    (waiting_since, id) ascending: waiting longest first;
 * DB_SUPPORT_MINE    those the staff member (account_id) claimed, by
 *                    (last_activity_at, id) descending;
 * DB_SUPPORT_SHOP    the shop's (shop_id, of the merchant account_id), by
 *                    (last_activity_at, id) descending; DB_NONE when the
 *                    shop is not the merchant's. */
enum db_support_list { DB_SUPPORT_QUEUE, DB_SUPPORT_MINE, DB_SUPPORT_SHOP };
struct db_support_page {
  enum db_support_list list;
  int64_t account_id, shop_id;
  int64_t key, id;
  int limit;
};
enum db_status db_support_page(const struct db_support_page *p, db_support_fn fn, void *arg);

#endif
