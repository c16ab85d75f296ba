#include "payprovider.h"

#include <sodium.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_S INT64_C(1000000)

/* The sandbox's webhook secret: HMAC-SHA256 keys of any length are
 * allowed, at least 32 bytes are required (a shorter one is guessable). */
#define SECRET_MIN 32
#define SECRET_MAX 256
static unsigned char secret[SECRET_MAX];
static size_t secret_len;

bool payprovider_init(const char *path)
{
  if (path == NULL || *path == '\0')
    return true;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "merchantd: could not open webhook secret file \"%s\": %s\n", path,
            strerror(errno));
    return false;
  }
  size_t n = fread(secret, 1, sizeof secret, f);
  bool more = fgetc(f) != EOF;
  fclose(f);
  while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r'))
    n--;
  if (n < SECRET_MIN || more) {
    sodium_memzero(secret, sizeof secret);
    fprintf(stderr, "merchantd: webhook secret file \"%s\" must hold %d to %d bytes\n", path,
            SECRET_MIN, SECRET_MAX);
    return false;
  }
  secret_len = n;
  return true;
}

/* HMAC-SHA256 of "<t>.<body>": the timestamp is signed with the body, so
 * it cannot be moved to replay the body later. */
static void sign(int64_t t, const char *body, size_t len,
                 unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
  char prefix[32];
  int plen = snprintf(prefix, sizeof prefix, "%" PRId64 ".", t);
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, secret, secret_len);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)plen);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
  crypto_auth_hmacsha256_final(&st, mac);
}

bool payprovider_sandbox_sign(const char *body, size_t len, int64_t now_us,
                              char out[PAYPROVIDER_SIGNATURE_SIZE])
{
  if (secret_len == 0)
    return false;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  char hex[2 * sizeof mac + 1];
  int64_t t = now_us / US_PER_S;
  sign(t, body, len, mac);
  snprintf(out, PAYPROVIDER_SIGNATURE_SIZE, "t=%" PRId64 ",v1=%s", t,
           sodium_bin2hex(hex, sizeof hex, mac, sizeof mac));
  return true;
}

/* "t=<seconds>,v1=<64 hex digits>", nothing else. */
static enum payprovider_signature sandbox_verify(const char *header, const char *body, size_t len,
                                                 int64_t now_us)
{
  if (secret_len == 0)
    return PAYPROVIDER_SIGNATURE_NO_SECRET;
  if (header == NULL || strncmp(header, "t=", 2) != 0)
    return PAYPROVIDER_SIGNATURE_BAD;
  char *end;
  errno = 0;
  long long t = strtoll(header + 2, &end, 10);
  unsigned char given[crypto_auth_hmacsha256_BYTES];
  size_t glen = 0;
  const char *hex_end;
  if (errno != 0 || end == header + 2 || !(*end == ',' && strncmp(end + 1, "v1=", 3) == 0) ||
      sodium_hex2bin(given, sizeof given, end + 4, strlen(end + 4), NULL, &glen, &hex_end) != 0 ||
      glen != sizeof given || *hex_end != '\0')
    return PAYPROVIDER_SIGNATURE_BAD;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  sign((int64_t)t, body, len, mac);
  /* Constant time: a forger learns nothing from how long a refusal takes. */
  if (sodium_memcmp(mac, given, sizeof mac) != 0)
    return PAYPROVIDER_SIGNATURE_BAD;
  int64_t skew = now_us / US_PER_S - (int64_t)t;
  if (skew > PAYPROVIDER_WEBHOOK_WINDOW_S || skew < -PAYPROVIDER_WEBHOOK_WINDOW_S)
    return PAYPROVIDER_SIGNATURE_STALE;
  return PAYPROVIDER_SIGNATURE_OK;
}

/* Random: a reference names one top-up and cannot be guessed from
 * another's. */
static void sandbox_topup_ref(char ref[PAYPROVIDER_REF_SIZE])
{
  unsigned char r[12];
  char hex[2 * sizeof r + 1];
  randombytes_buf(r, sizeof r);
  snprintf(ref, PAYPROVIDER_REF_SIZE, "sbx_tp_%s", sodium_bin2hex(hex, sizeof hex, r, sizeof r));
}

/* The sandbox's payouts settle this long after submission, and a returned
 * one comes back as long again after that. */
#define SANDBOX_SETTLE_US (2 * US_PER_S)

/* The sandbox keeps no state of its own: what a real provider remembers of
 * a payout, the outcome its test account number decides, it writes into
 * the reference, the one thing merchantd keeps for it. Test accounts
 * (docs/funds.md): a number ending in 0000 fails, one ending in 9999 is
 * paid and then returned by the bank; any other is paid. */
static bool sandbox_payout_submit(int64_t withdrawal_id, const char *account_no,
                                  int64_t amount_cents, int64_t now_us,
                                  char ref[PAYPROVIDER_REF_SIZE])
{
  (void)amount_cents;
  (void)now_us;
  size_t n = strlen(account_no);
  const char *tail = n >= 4 ? account_no + n - 4 : account_no;
  char outcome = strcmp(tail, "0000") == 0 ? 'f' : strcmp(tail, "9999") == 0 ? 'r' : 'p';
  snprintf(ref, PAYPROVIDER_REF_SIZE, "sbx_po_%" PRId64 "_%c", withdrawal_id, outcome);
  return true;
}

static enum payprovider_payout sandbox_payout_status(const char *ref, int64_t submitted_us,
                                                     int64_t now_us,
                                                     char reason[PAYPROVIDER_REASON_SIZE])
{
  size_t n = strlen(ref);
  char outcome = n > 0 ? ref[n - 1] : 'p';
  reason[0] = '\0';
  if (now_us < submitted_us + SANDBOX_SETTLE_US)
    return PAYPROVIDER_PAYOUT_PENDING;
  if (outcome == 'f') {
    snprintf(reason, PAYPROVIDER_REASON_SIZE, "sandbox: the bank refused the account (closed)");
    return PAYPROVIDER_PAYOUT_FAILED;
  }
  if (outcome == 'r' && now_us >= submitted_us + 2 * SANDBOX_SETTLE_US) {
    snprintf(reason, PAYPROVIDER_REASON_SIZE, "sandbox: returned by the bank (account frozen)");
    return PAYPROVIDER_PAYOUT_RETURNED;
  }
  return PAYPROVIDER_PAYOUT_SUCCEEDED;
}

static const struct payprovider sandbox = {
    .name = "sandbox",
    .signature_header = "Sandbox-Signature",
    .return_window_us = 86400 * US_PER_S,
    .topup_ref = sandbox_topup_ref,
    .verify = sandbox_verify,
    .payout_submit = sandbox_payout_submit,
    .payout_status = sandbox_payout_status,
};

static const struct payprovider *const providers[] = {&sandbox};

const struct payprovider *payprovider_find(const char *name)
{
  for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
    if (strcmp(providers[i]->name, name) == 0)
      return providers[i];
  return NULL;
}

const struct payprovider *payprovider_default(void)
{
  return &sandbox;
}
