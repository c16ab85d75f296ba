/* Feedback (意见反馈, migrations/0037_feedback_support.sql, docs/support.md):
 * a merchant's feedback with pictures of their image space, the merchant's
 * and the staff's lists, replies and closing. */
#ifndef MERCHANTD_DB_FEEDBACK_H
#define MERCHANTD_DB_FEEDBACK_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

#define DB_FEEDBACK_IMAGES_MAX 6

/* One feedback as read; strings valid only during the callback. */
struct db_feedback {
  int64_t id, merchant_id;
  const char *merchant_name;
  int64_t shop_id;       /* 0: not about a shop */
  const char *shop_name; /* when shop_id is not 0 */
  const char *category, *text;
  const char *app_version, *device; /* NULL when not given */
  const char *status;               /* open, replied, closed */
  int64_t reply_count;
  int64_t created_at, updated_at;
  int64_t closed_at;  /* 0 while not closed */
  const char *images; /* JSON array text: [{"image_id", "url"}] */
};

struct db_feedback_reply {
  int64_t id, staff_id;
  const char *text;
  int64_t created_at;
};

typedef void (*db_feedback_fn)(const struct db_feedback *f, void *arg);
typedef void (*db_feedback_reply_fn)(const struct db_feedback_reply *r, void *arg);

/* What a merchant sends; image_ids is a SQL array text ("{1,2}") or NULL. */
struct db_feedback_draft {
  const char *category, *text, *image_ids, *app_version, *device;
  int64_t shop_id; /* 0: none */
};

/* Files the merchant's feedback (SQL feedback_create). code: "ok" (fn
 * gets it), or "invalid_field" with field naming shop_id (not one of the
 * merchant's shops) or the image_ids[i] that is not an image of one of the
 * merchant's shops. */
enum db_status db_feedback_create(int64_t merchant_id, const struct db_feedback_draft *d,
                                  int64_t now, char code[DB_RESULT_CODE_SIZE],
                                  char field[DB_RESULT_CODE_SIZE], db_feedback_fn fn, void *arg);

/* A page, newest first: ids below before_id (INT64_MAX: from the newest),
 * limit rows. merchant_id 0: everyone's (staff), shop_id 0, status and
 * category NULL for any. */
struct db_feedback_page {
  int64_t merchant_id, shop_id;
  const char *status, *category;
  int64_t before_id;
  int limit;
};
enum db_status db_feedback_page(const struct db_feedback_page *p, db_feedback_fn fn, void *arg);

/* One feedback with its replies, oldest first: fn once, then reply_fn for
 * each. merchant_id 0: any merchant's (staff). DB_NONE when there is no
 * such feedback (of that merchant). */
enum db_status db_feedback_get(int64_t merchant_id, int64_t feedback_id, db_feedback_fn fn,
                               db_feedback_reply_fn reply_fn, void *arg);

/* A staff reply (SQL feedback_reply): code "ok", "not_found" or
 * "invalid_state" (closed); *reply_id the new reply. */
enum db_status db_feedback_reply(int64_t staff_id, int64_t feedback_id, const char *text,
                                 int64_t now, char code[DB_RESULT_CODE_SIZE], int64_t *reply_id);

/* Closes it (SQL feedback_close): code "ok" or "not_found". */
enum db_status db_feedback_close(int64_t staff_id, int64_t feedback_id, int64_t now,
                                 char code[DB_RESULT_CODE_SIZE]);

#endif
