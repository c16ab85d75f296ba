/* Buyer-merchant chat (see migrations/0005_chat.sql and
 * 0006_chat_messages.sql): conversations, their messages, read markers,
 * the lists of either side, and a conversation's orders.
 *
 * Every query names the caller next to the conversation or shop, so that
 * a conversation of someone else answers DB_NONE (404) in the same round
 * trip. The caller's side follows from the conversation: its merchant_id
 * or its buyer_id is the caller (a merchant is never a buyer), or in a
 * support conversation (docs/support.md) its claimer, staff_id. */
#ifndef MERCHANTD_DB_CHAT_H
#define MERCHANTD_DB_CHAT_H

#include "db.h"
#include "orders.h"

#include <stdbool.h>
#include <stdint.h>

/* A page holds at most this many rows; queries return one more, which
 * tells that there is a next page. */
#define DB_CHAT_PAGE_MAX 100
/* The first page's keyset bound by time: later than any activity (9999-12-31). */
#define DB_CHAT_KEY_MAX INT64_C(253402300799000000)

/* One conversation. Text fields point into the query result: they are
 * valid only while the callback that received it runs. Times are
 * microseconds since the epoch. */
struct db_conversation {
  int64_t id, shop_id, merchant_id, buyer_id; /* buyer_id 0: a support conversation */
  const char *buyer_name;
  int64_t last_message_id;                            /* 0 while there is no message */
  const char *last_type, *last_sender, *last_preview; /* when last_message_id is not 0 */
  int64_t last_created_at;
  int64_t last_activity_at;
  int64_t merchant_unread, buyer_unread;
  bool awaiting_reply;
  int64_t created_at;
  const char *kind;     /* buyer, support (docs/support.md) */
  int64_t staff_id;     /* support: the claimer, 0 before the claim */
  int64_t staff_unread; /* support: merchant messages the staff have not read */
  /* Each side's read marker: the last message id it has read, 0 before any. */
  int64_t merchant_read_up_to, buyer_read_up_to, staff_read_up_to;
};

/* One message; texts as in struct db_conversation. */
struct db_message {
  int64_t id, conversation_id;
  const char *sender; /* buyer, merchant, auto, staff */
  int64_t sender_id;  /* 0 for auto */
  const char *type;   /* text, image, product_card, products_card, order_card */
  const char *body;   /* the text (text) or the URL (image); "" for cards */
  const char *card;   /* the snapshot as JSON text for cards, else NULL */
  int64_t created_at;
};

typedef void (*db_conversation_fn)(const struct db_conversation *c, void *arg);
typedef void (*db_message_fn)(const struct db_message *m, void *arg);

/* Gets or creates the buyer's conversation with the shop (SQL
 * conversation_open). code receives "ok" or "not_found" (no such shop);
 * on "ok" *created tells whether it is new, and fn receives it. */
enum db_status db_conversation_open(int64_t buyer_id, int64_t shop_id, int64_t now,
                                    char code[DB_RESULT_CODE_SIZE], bool *created,
                                    db_conversation_fn fn, void *arg);

/* The merchant's conversation lists. */
enum db_conversation_filter {
  DB_CONVERSATIONS_ALL,
  DB_CONVERSATIONS_UNREAD,    /* with buyer messages the merchant has not read */
  DB_CONVERSATIONS_UNREPLIED, /* the buyer waits for a reply */
};

/* A page: newest activity first, the conversations before (before_key,
 * before_id) in that order; the first page passes DB_CHAT_KEY_MAX and
 * INT64_MAX. limit is at most DB_CHAT_PAGE_MAX + 1. */
struct db_conversation_page {
  int64_t account_id; /* the merchant (shop lists) or the buyer */
  int64_t shop_id;    /* shop lists only */
  enum db_conversation_filter filter;
  int64_t before_key, before_id;
  int limit;
};

/* The count of each filter, as the shop's counter tabs keep them. */
struct db_conversation_counts {
  int64_t all, unread, unreplied;
};

/* A page of a shop's conversations with the counts. DB_NONE when the
 * merchant has no such shop; DB_ONE otherwise, however many fn received. */
enum db_status db_shop_conversations_page(const struct db_conversation_page *p,
                                          db_conversation_fn fn, void *arg,
                                          struct db_conversation_counts *counts);
/* A page of the buyer's conversations (filter and shop_id are ignored). */
enum db_status db_buyer_conversations_page(const struct db_conversation_page *p,
                                           db_conversation_fn fn, void *arg);

/* A page of a conversation's messages, handed to fn in ascending id order:
 * newer false, the newest limit messages below bound; newer true, the
 * oldest limit messages above bound. *more tells that there are further
 * messages beyond the page in the same direction. DB_NONE when the
 * conversation is not the caller's (nor, with preview, an unclaimed
 * support conversation). */
struct db_message_page {
  int64_t caller, conversation_id;
  bool newer;
  int64_t bound; /* a message id: exclusive */
  int limit;     /* at most DB_CHAT_PAGE_MAX */
  bool preview;  /* the caller is staff with support: an unclaimed support
                    conversation is readable too (docs/support.md) */
};
enum db_status db_messages_page(const struct db_message_page *p, db_message_fn fn, void *arg,
                                bool *more);

/* What a message to send is made of; unused members are NULL or 0. */
struct db_message_draft {
  const char *type;
  const char *body;        /* text or image URL */
  int64_t quick_reply_id;  /* text, instead of body */
  const char *product_ids; /* the cards' products as a SQL array, "{1,2}" */
  int64_t order_id;        /* order_card */
  int64_t image_id;        /* image, instead of body: an image of the sender's space */
};

/* Sends a message as the caller (SQL message_send). code receives "ok",
 * "not_found" or "invalid_field" (field names the member at fault); on
 * "ok" fn receives the message. */
enum db_status db_message_send(int64_t caller, int64_t conversation_id,
                               const struct db_message_draft *d, int64_t now,
                               char code[DB_RESULT_CODE_SIZE], char field[DB_RESULT_CODE_SIZE],
                               db_message_fn fn, void *arg);

/* Moves the caller's read marker forward to up_to at now (SQL
 * conversation_read).
 * code receives "ok", "not_found" or "invalid_field" (up_to is not a
 * message of the conversation); on "ok" fn receives the conversation. */
enum db_status db_conversation_mark_read(int64_t caller, int64_t conversation_id, int64_t up_to,
                                         int64_t now, char code[DB_RESULT_CODE_SIZE],
                                         db_conversation_fn fn, void *arg);

/* The conversation's buyer's orders in its shop, newest (highest id)
 * first, those below before_id. DB_NONE when the conversation is not the
 * merchant's; DB_ONE otherwise, however many orders fn received. */
enum db_status db_conversation_orders_page(int64_t merchant_id, int64_t conversation_id,
                                           int64_t before_id, int limit, db_order_fn fn, void *arg);

#endif
