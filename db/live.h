/* The live room (migrations/0032_live_room.sql, docs/live.md): a shop's
 * live state, buyers joining and leaving, the coupon pushed to the room,
 * red packets and their grabs, and the two jobs. The rules are the SQL
 * functions of db/sql (live_*, red_packet_*); they answer a result code
 * and, when it is ok, the reply's JSON document, which these functions
 * hand back as text (*json, malloc'd, freed by the caller; NULL when
 * there is none). presence_s is how long a join lasts without another
 * (MERCHANTD_LIVE_PRESENCE_SECONDS). */
#ifndef MERCHANTD_DB_LIVE_H
#define MERCHANTD_DB_LIVE_H

#include "accounts.h"
#include "db.h"

#include <stdint.h>

/* Limits the table's CHECKs hold too. */
#define DB_RED_PACKET_TOTAL_MAX      INT64_C(20000000) /* 200,000 yuan, in fen */
#define DB_RED_PACKET_COUNT_MAX      10000
#define DB_RED_PACKET_VALID_DAYS_MAX 365

/* The shop's live state. merchant_id 0: anyone's shop (a buyer asks);
 * else only that merchant's. DB_NONE when there is no such shop. */
enum db_status db_live_state(int64_t merchant_id, int64_t shop_id, int64_t now, int presence_s,
                             char **json);

/* Starts or stops the merchant's shop's live session with its room; the
 * live state after it. DB_NONE when the merchant has no such shop. */
enum db_status db_live_set(int64_t merchant_id, int64_t shop_id, bool live, int64_t now,
                           int presence_s, char **json);

/* A buyer joins (or renews presence in) a room, or leaves it. code: ok,
 * not_found, not_live (join only). */
enum db_status db_live_join(int64_t buyer_id, int64_t live_id, bool join, int64_t now,
                            int presence_s, char code[DB_RESULT_CODE_SIZE], char **json);

/* Pushes a live coupon to the shop's room. code: ok, not_found, not_live,
 * not_claimable. */
enum db_status db_live_coupon_push(int64_t merchant_id, int64_t shop_id, int64_t coupon_id,
                                   int64_t now, int presence_s, char code[DB_RESULT_CODE_SIZE],
                                   char **json);

struct db_red_packet_new {
  const char *kind; /* "lucky" or "equal" */
  int64_t total_cents, count, valid_days;
};

/* Hands out a red packet in the shop's room. code: ok, not_found,
 * not_live. */
enum db_status db_red_packet_create(int64_t merchant_id, int64_t shop_id,
                                    const struct db_red_packet_new *n, int64_t now, int presence_s,
                                    char code[DB_RESULT_CODE_SIZE], char **json);

/* One of the merchant's shop's red packets; DB_NONE when there is none. */
enum db_status db_red_packet_get(int64_t merchant_id, int64_t shop_id, int64_t packet_id,
                                 int64_t now, char **json);

/* A buyer grabs a red packet. code: ok, not_found, already_grabbed,
 * red_packet_empty, red_packet_expired, not_live, not_in_room. */
enum db_status db_red_packet_grab(int64_t buyer_id, int64_t packet_id, int64_t now, int presence_s,
                                  char code[DB_RESULT_CODE_SIZE], char **json);

/* The grab with the session judged in the same statement (as
 * db_coupon_claim_by_token): DB_ONE with *session filled when the token's
 * session is live; code is empty when no grab ran (not a live buyer
 * session at now: the caller takes the ordinary path). */
enum db_status db_red_packet_grab_by_token(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                           int64_t packet_id, int64_t now, int presence_s,
                                           struct db_session *session,
                                           char code[DB_RESULT_CODE_SIZE], char **json);

/* The jobs: close up to batch red packets past their 24 hours, recording
 * what was left unclaimed; delete up to batch viewer rows whose presence
 * lapsed or whose room ended. *n: how many. */
enum db_status db_red_packets_expire(int64_t now, int batch, int64_t *n);
enum db_status db_live_viewers_purge(int64_t now, int presence_s, int batch, int64_t *n);

#endif
