/* Accounts, sessions and login throttling. */
#ifndef MERCHANTD_DB_ACCOUNTS_H
#define MERCHANTD_DB_ACCOUNTS_H

#include "db.h"

#include <libpq-fe.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DB_ROLE_SIZE         16
#define DB_USERNAME_SIZE     33
#define DB_DISPLAY_NAME_SIZE 257 /* 64 characters of up to 4 bytes */
#define DB_DEVICE_SIZE       513 /* 128 characters */
#define DB_HASH_SIZE         128 /* crypto_pwhash_STRBYTES */
#define DB_TOKEN_HASH_SIZE   32

/* What platform staff may do, one bit per kind of work; accounts hold them
 * by name (accounts.permissions, whose CHECK lists the same names). */
enum db_permission {
  DB_PERMISSION_REVIEW = 1 << 0,
  DB_PERMISSION_FINANCE = 1 << 1,
  DB_PERMISSION_CAMPAIGNS = 1 << 2,
  DB_PERMISSION_COMMUNITY = 1 << 3,
  DB_PERMISSION_SUPPORT = 1 << 4,
  DB_PERMISSION_GROWTH = 1 << 5,
};
#define DB_PERMISSION_COUNT 6

/* The name of permission number i (bit 1 << i), i < DB_PERMISSION_COUNT. */
const char *db_permission_name(unsigned i);
/* The bit of a permission name; 0 for an unknown one. */
unsigned db_permission_bit(const char *name, size_t len);

struct db_account {
  int64_t id;
  char role[DB_ROLE_SIZE];
  char username[DB_USERNAME_SIZE];
  char display_name[DB_DISPLAY_NAME_SIZE];
  int64_t created_at;
  unsigned permissions; /* enum db_permission bits; staff only */
  bool disabled;
};

enum db_session_end {
  DB_SESSION_LIVE,
  DB_SESSION_REPLACED,
  DB_SESSION_LOGGED_OUT,
  DB_SESSION_DISABLED, /* ended when its account was disabled */
};

struct db_session {
  int64_t id;
  struct db_account account;
  int64_t expires_at;
  enum db_session_end end;
  int64_t ended_at;
  char replaced_by_device[DB_DEVICE_SIZE]; /* when end is DB_SESSION_REPLACED */
};

#define ACCOUNT_COLUMNS                                                                            \
  "a.id, a.role, a.username, a.display_name, ts_to_us(a.created_at),"                              \
  " array_to_string(a.permissions, ','), a.disabled_at IS NOT NULL"
#define ACCOUNT_NCOLUMNS 7

/* For queries that fold authentication into their own (ROUTE_FOLDED_AUTH):
 * the columns of a live session over "sessions s" (no other table), and
 * the condition naming it by the token hash in parameter $n. The live case
 * is all such a query settles; any other session goes the ordinary way. */
#define DB_LIVE_SESSION_COLUMNS                                                                    \
  "s.id, s.account_id, s.role, ts_to_us(s.expires_at), s.ended_at IS NULL"
#define DB_LIVE_SESSION_NCOLUMNS 5
#define DB_SESSION_WHERE(n)      "s.token_hash = $" #n "::bytea"

/* DB_ONE: created; DB_NONE: the username is taken. permissions: staff only. */
enum db_status db_account_create(const char *role, const char *username, const char *display_name,
                                 unsigned permissions, const char *password_hash, int64_t now,
                                 struct db_account *out);
/* Adds (grant) or removes permissions of a staff account; DB_ONE with the
 * account as it is now, DB_NONE when no staff account has that name. */
enum db_status db_staff_permissions(const char *username, unsigned permissions, bool grant,
                                    struct db_account *out);
/* Disables a staff account and ends its live sessions in one transaction
 * (SQL function staff_disable); DB_NONE when no staff account has that name. */
enum db_status db_staff_disable(const char *username, int64_t now);
/* DB_ONE with the account and its password hash, or DB_NONE. */
enum db_status db_account_by_username(const char *username, struct db_account *out,
                                      char hash[DB_HASH_SIZE]);
enum db_status db_account_set_password_hash(int64_t account_id, const char *password_hash);

/* Starts a session and ends every other live session of the account, in one
 * transaction (SQL function auth_login). DB_NONE: the account is disabled. */
enum db_status db_session_start(int64_t account_id,
                                const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                const char *device, int64_t now, int64_t expires_at,
                                int64_t *session_id);
/* The session a token hash names, with its account, in one round trip. */
enum db_status db_session_lookup(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                 struct db_session *out);
/* GET /v1/me in one round trip: the live session the token hash names with
 * its account (DB_NONE: none, or it has ended) and, for a merchant, the id
 * and name of each shop, oldest first, as a JSON array (shops_json: NULL
 * for other roles; valid during the call of fn only). */
enum db_status db_me(const unsigned char token_hash[DB_TOKEN_HASH_SIZE], struct db_session *session,
                     void (*fn)(const char *shops_json, void *arg), void *arg);
/* DB_ONE when a live session was ended, DB_NONE when it was not live. */
enum db_status db_session_logout(int64_t session_id, int64_t now);
enum db_status db_sessions_active(int64_t now, int64_t *count);
/* Deletes sessions that expired or ended before `before`. */
enum db_status db_sessions_purge(int64_t before, int64_t *deleted);

struct db_throttle {
  int failures;
  int64_t window_start;
};

/* Failed logins are counted per username key and per client-address key in
 * fixed windows of window_us. */
enum db_status db_throttle_read(const char *user_key, const char *ip_key, int64_t now,
                                int64_t window_us, struct db_throttle *user,
                                struct db_throttle *ip);
enum db_status db_throttle_fail(const char *user_key, const char *ip_key, int64_t now,
                                int64_t window_us);
enum db_status db_throttle_clear(const char *key);
enum db_status db_throttle_purge(int64_t now, int64_t window_us);

#endif
