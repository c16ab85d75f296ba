/* Money in and out of a shop's ledger (migrations/0026_funds_payouts.sql,
 * db/sql/topup_confirm.sql, withdrawal_*.sql, adjustment_*.sql): top-ups,
 * the shop's bank account (sealed by the caller: this layer stores and
 * returns the sealed bytes, never the number), withdrawals and the payout
 * job's steps, staff adjustments. Every merchant query names the merchant
 * next to the shop: another merchant's shop or object reads as none. */
#ifndef MERCHANTD_DB_PAYOUTS_H
#define MERCHANTD_DB_PAYOUTS_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DB_BANK_NONCE_SIZE 24
#define DB_BANK_BOX_MAX    64

/* Texts point into the query result: valid while the callback runs.
 * Times in microseconds since the epoch, 0 when NULL. */
struct db_topup {
  int64_t id, shop_id;
  const char *account, *status, *provider, *provider_ref;
  int64_t amount_cents, created_at, confirmed_at;
};
typedef void (*db_topup_fn)(const struct db_topup *t, void *arg);

/* A new pending top-up under the provider's reference; DB_NONE when the
 * merchant has no such shop. */
enum db_status db_topup_create(int64_t merchant_id, int64_t shop_id, const char *account,
                               int64_t amount_cents, const char *provider, const char *ref,
                               int64_t now, db_topup_fn fn, void *arg);
/* The shop's top-ups, newest first, ids below before_id (0: from the
 * newest); DB_NONE when the merchant has no such shop. */
enum db_status db_topups_page(int64_t merchant_id, int64_t shop_id, int64_t before_id, int limit,
                              db_topup_fn fn, void *arg);
enum db_status db_topup_get(int64_t merchant_id, int64_t shop_id, int64_t topup_id, db_topup_fn fn,
                            void *arg);
/* A verified provider event confirming the top-up of that reference
 * (SQL topup_confirm). code: ok, webhook_replayed, not_found,
 * amount_mismatch or duplicate; fn gets the top-up when there is one. */
enum db_status db_topup_confirm(const char *provider, const char *event_id, const char *ref,
                                int64_t amount_cents, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                db_topup_fn fn, void *arg);

/* A shop's bank account as stored: the number sealed. */
struct db_bank_account {
  int64_t shop_id;
  const char *holder, *bank, *last4, *key_id;
  unsigned char nonce[DB_BANK_NONCE_SIZE];
  unsigned char box[DB_BANK_BOX_MAX];
  size_t box_len;
  int64_t updated_at;
};
typedef void (*db_bank_account_fn)(const struct db_bank_account *b, void *arg);

/* Saves (or replaces) the shop's bank account, in the audit trail as
 * changed by the merchant; fn gets it. DB_NONE when the merchant has no
 * such shop. */
enum db_status db_bank_account_put(int64_t merchant_id, int64_t shop_id,
                                   const struct db_bank_account *b, int64_t now,
                                   db_bank_account_fn fn, void *arg);
/* The shop's bank account to fn. DB_NONE when the merchant has no such
 * shop; DB_ONE without a call to fn when it has none. */
enum db_status db_bank_account_get(int64_t merchant_id, int64_t shop_id, db_bank_account_fn fn,
                                   void *arg);

/* Up to limit bank accounts sealed under another key than key_id (a
 * rotation under way), to fn. */
enum db_status db_bank_accounts_sealed_by_other(const char *key_id, int limit,
                                                db_bank_account_fn fn, void *arg);
/* Replaces the sealed number of the shop's account, unless it changed
 * since it was read (old_nonce: a save meanwhile wins). DB_ONE when
 * replaced. */
enum db_status db_bank_account_reseal(int64_t shop_id,
                                      const unsigned char old_nonce[DB_BANK_NONCE_SIZE],
                                      const struct db_bank_account *b);

struct db_withdrawal {
  int64_t id, shop_id, amount_cents;
  const char *status, *approval, *holder, *bank, *last4;
  const char *provider, *provider_ref, *reason; /* NULL when none */
  int64_t requested_at, decided_at, submitted_at, resolved_at, returned_at;
};
typedef void (*db_withdrawal_fn)(const struct db_withdrawal *w, void *arg);

/* The limits a request is checked against (settings). */
struct db_withdrawal_rules {
  int64_t minimum_cents, approval_over_cents;
  int daily_limit;
  const char *time_zone; /* the day of the daily limit is this zone's */
};

/* SQL withdrawal_request. code: ok (fn gets the withdrawal), not_found,
 * below_minimum, bank_account_required, withdrawal_open,
 * withdrawal_limit or insufficient_funds. */
enum db_status db_withdrawal_request(int64_t merchant_id, int64_t shop_id, int64_t amount_cents,
                                     const struct db_withdrawal_rules *rules, int64_t now,
                                     char code[DB_RESULT_CODE_SIZE], db_withdrawal_fn fn,
                                     void *arg);
enum db_status db_withdrawals_page(int64_t merchant_id, int64_t shop_id, int64_t before_id,
                                   int limit, db_withdrawal_fn fn, void *arg);
enum db_status db_withdrawal_get(int64_t merchant_id, int64_t shop_id, int64_t withdrawal_id,
                                 db_withdrawal_fn fn, void *arg);
/* The merchant cancels (staff_id 0) or staff reject (staff_id, reason) a
 * withdrawal still requested. code: ok (fn gets it), not_found,
 * invalid_state. */
enum db_status db_withdrawal_cancel(int64_t merchant_id, int64_t shop_id, int64_t withdrawal_id,
                                    int64_t staff_id, const char *reason, int64_t now,
                                    char code[DB_RESULT_CODE_SIZE], db_withdrawal_fn fn, void *arg);
/* Staff approve one awaiting approval. code: ok, not_found, invalid_state. */
enum db_status db_withdrawal_approve(int64_t staff_id, int64_t withdrawal_id, int64_t now,
                                     char code[DB_RESULT_CODE_SIZE], db_withdrawal_fn fn,
                                     void *arg);
/* Withdrawals awaiting approval, oldest first, ids above after_id. */
enum db_status db_withdrawals_awaiting(int64_t after_id, int limit, db_withdrawal_fn fn, void *arg);

/* What the payout job needs of a withdrawal in flight (or paid since
 * paid_since, which the bank may still return). */
struct db_payout {
  int64_t id, shop_id, amount_cents;
  const char *status, *provider, *provider_ref; /* provider_ref NULL until submitted */
  struct db_bank_account account;               /* as the withdrawal took it */
  int64_t submitted_at;
};
typedef void (*db_payout_fn)(const struct db_payout *p, void *arg);
/* Up to limit withdrawals with ids above after_id: requested (and not
 * awaiting approval), submitted, or succeeded since paid_since. */
enum db_status db_payouts_due(int64_t after_id, int64_t paid_since, int limit, db_payout_fn fn,
                              void *arg);
/* SQL withdrawal_advance: to is submitted, succeeded, failed or returned.
 * code: ok, invalid_state, not_found. */
enum db_status db_payout_advance(int64_t withdrawal_id, const char *to, const char *provider,
                                 const char *ref, const char *reason, int64_t now,
                                 char code[DB_RESULT_CODE_SIZE]);

struct db_adjustment {
  int64_t id, shop_id, amount_cents, created_by, decided_by;
  const char *account, *platform_account, *direction, *reason, *status;
  const char *decision_reason; /* NULL when none */
  int64_t created_at, decided_at;
};
typedef void (*db_adjustment_fn)(const struct db_adjustment *a, void *arg);

/* SQL adjustment_create. code: ok (fn gets it), not_found,
 * insufficient_funds. */
enum db_status db_adjustment_create(int64_t staff_id, const struct db_adjustment *a,
                                    int64_t approval_over_cents, int64_t now,
                                    char code[DB_RESULT_CODE_SIZE], db_adjustment_fn fn, void *arg);
/* SQL adjustment_decide. code: ok (fn gets it), not_found, invalid_state,
 * four_eyes_required, insufficient_funds. */
enum db_status db_adjustment_decide(int64_t staff_id, int64_t adjustment_id, bool approve,
                                    const char *reason, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                    db_adjustment_fn fn, void *arg);
/* Adjustments newest first, of one status (NULL: any), ids below
 * before_id. */
enum db_status db_adjustments_page(const char *status, int64_t before_id, int limit,
                                   db_adjustment_fn fn, void *arg);

/* One step of the funds audit trail. detail: its JSON object, as text. */
struct db_audit_entry {
  int64_t id, actor_id, object_id, shop_id, at; /* actor_id 0: the system */
  const char *action, *object, *detail;
};
typedef void (*db_audit_fn)(const struct db_audit_entry *e, void *arg);
/* The trail newest first, ids below before_id (0: from the newest), of one
 * shop (0: any) and one object (NULL: any; object_id 0: any of its kind). */
enum db_status db_funds_audit_page(int64_t shop_id, const char *object, int64_t object_id,
                                   int64_t before_id, int limit, db_audit_fn fn, void *arg);

#endif
