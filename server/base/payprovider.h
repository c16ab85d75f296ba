/* The payment provider interface: how merchantd takes money in (top-ups,
 * confirmed by the provider's signed webhooks) and pays it out
 * (withdrawals, submitted and then polled by the payout job). One
 * provider ships, "sandbox": a test-mode provider inside merchantd, like a
 * payment company's test mode (docs/funds.md, The sandbox provider). A
 * real one is another struct payprovider registered in payprovider.c. */
#ifndef MERCHANTD_PAYPROVIDER_H
#define MERCHANTD_PAYPROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAYPROVIDER_REF_SIZE    64
#define PAYPROVIDER_REASON_SIZE 128
/* Signatures older or newer than this (against the server's clock) are
 * refused: a captured delivery cannot be replayed later. */
#define PAYPROVIDER_WEBHOOK_WINDOW_S 300

enum payprovider_signature {
  PAYPROVIDER_SIGNATURE_OK,
  PAYPROVIDER_SIGNATURE_BAD,   /* missing, malformed or not the provider's */
  PAYPROVIDER_SIGNATURE_STALE, /* the provider's, but outside the window */
  PAYPROVIDER_SIGNATURE_NO_SECRET,
};

enum payprovider_payout {
  PAYPROVIDER_PAYOUT_PENDING,
  PAYPROVIDER_PAYOUT_SUCCEEDED,
  PAYPROVIDER_PAYOUT_FAILED,
  PAYPROVIDER_PAYOUT_RETURNED, /* paid, then sent back by the bank */
};

struct payprovider {
  const char *name;
  /* The request header its webhooks carry their signature in. */
  const char *signature_header;
  /* How long after success the bank may still return a payout. */
  int64_t return_window_us;
  /* A new top-up's reference at the provider (where the payer pays). */
  void (*topup_ref)(char ref[PAYPROVIDER_REF_SIZE]);
  /* Whether a webhook delivery (the signature header's value, the raw
   * body) comes from the provider, at now_us. */
  enum payprovider_signature (*verify)(const char *signature, const char *body, size_t len,
                                       int64_t now_us);
  /* Submits a payout of amount_cents to the account number; its reference
   * goes to ref. False when the provider could not be reached (the job
   * tries again later). */
  bool (*payout_submit)(int64_t withdrawal_id, const char *account_no, int64_t amount_cents,
                        int64_t now_us, char ref[PAYPROVIDER_REF_SIZE]);
  /* Where a submitted payout is; reason says why it failed or came back. */
  enum payprovider_payout (*payout_status)(const char *ref, int64_t submitted_us, int64_t now_us,
                                           char reason[PAYPROVIDER_REASON_SIZE]);
};

/* Reads the sandbox's webhook secret (path NULL or empty: none, and
 * webhooks are refused). False, with the reason on stderr, when the file
 * cannot be read or holds fewer than 32 bytes (a trailing newline does
 * not count). */
bool payprovider_init(const char *webhook_secret_path);
/* The provider of that name, or NULL. */
const struct payprovider *payprovider_find(const char *name);
/* The provider new top-ups and withdrawals go to. */
const struct payprovider *payprovider_default(void);

/* The sandbox's side of a delivery: the signature header value for body
 * signed at now_us ("t=<seconds>,v1=<hex HMAC-SHA256>"). False without a
 * secret. */
#define PAYPROVIDER_SIGNATURE_SIZE 96
bool payprovider_sandbox_sign(const char *body, size_t len, int64_t now_us,
                              char out[PAYPROVIDER_SIGNATURE_SIZE]);

#endif
