#include "payprovider.h"
#include "unit.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S INT64_C(1000000)

/* A secret file of these bytes; its path, to unlink. */
static void secret_file(char path[64], const char *bytes)
{
  snprintf(path, 64, "/tmp/unit-webhook-XXXXXX");
  int fd = mkstemp(path);
  CHECK(fd >= 0 && write(fd, bytes, strlen(bytes)) == (ssize_t)strlen(bytes));
  close(fd);
}

int main(void)
{
  CHECK(sodium_init() >= 0);
  const struct payprovider *p = payprovider_find("sandbox");
  CHECK(p != NULL && p == payprovider_default() && payprovider_find("other") == NULL);
  const char *body = "{\"a\":1}";
  CHECK(p->verify("t=1700000000,v1=00", body, strlen(body), 1700000000 * S) ==
        PAYPROVIDER_SIGNATURE_NO_SECRET);

  char path[64];
  secret_file(path, "short\n");
  CHECK(!payprovider_init(path));
  unlink(path);
  char key[40];
  memset(key, 'k', 32);
  strcpy(key + 32, "\n"); /* the newline is not part of the secret */
  secret_file(path, key);
  CHECK(payprovider_init(path));
  unlink(path);

  /* The HMAC any provider SDK computes: Python's hmac.new(b"k" * 32,
   * b"1700000000." + body, sha256). */
  const char *good =
      "t=1700000000,v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033";
  char sig[PAYPROVIDER_SIGNATURE_SIZE];
  CHECK(payprovider_sandbox_sign(body, strlen(body), 1700000000 * S + 123, sig));
  CHECK(strcmp(sig, good) == 0);
  CHECK(p->verify(good, body, strlen(body), 1700000000 * S) == PAYPROVIDER_SIGNATURE_OK);
  CHECK(p->verify(good, body, strlen(body), 1700000300 * S) == PAYPROVIDER_SIGNATURE_OK);
  CHECK(p->verify(good, body, strlen(body), 1700000301 * S) == PAYPROVIDER_SIGNATURE_STALE);
  CHECK(p->verify(good, body, strlen(body), 1699999699 * S) == PAYPROVIDER_SIGNATURE_STALE);
  CHECK(p->verify(good, "{\"a\":2}", 7, 1700000000 * S) == PAYPROVIDER_SIGNATURE_BAD);
  /* The timestamp is signed: moving it breaks the signature. */
  const char *moved =
      "t=1700000001,v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033";
  CHECK(p->verify(moved, body, strlen(body), 1700000000 * S) == PAYPROVIDER_SIGNATURE_BAD);
  static const char *const malformed[] = {
      NULL,
      "",
      "t=",
      "v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033",
      "t=1700000000",
      "t=1700000000,v1=",
      "t=1700000000,v1=6935",
      "t=1700000000,v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f03300",
      "t=1700000000,v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033 ",
      "t=x,v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033",
      "t=99999999999999999999,v1=6935b796c0fec66e5dee52c86c7fd1218a424c32f1adb239ff2893c31e54f033"};
  for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
    CHECK(p->verify(malformed[i], body, strlen(body), 1700000000 * S) == PAYPROVIDER_SIGNATURE_BAD);

  /* Payouts: the test account numbers decide, two seconds after submission. */
  char ref[PAYPROVIDER_REF_SIZE], reason[PAYPROVIDER_REASON_SIZE];
  CHECK(p->payout_submit(7, "6222020200112233", 100, 0, ref) && strcmp(ref, "sbx_po_7_p") == 0);
  CHECK(p->payout_status(ref, 10 * S, 11 * S, reason) == PAYPROVIDER_PAYOUT_PENDING);
  CHECK(p->payout_status(ref, 10 * S, 12 * S, reason) == PAYPROVIDER_PAYOUT_SUCCEEDED);
  CHECK(p->payout_submit(8, "6222020200110000", 100, 0, ref) &&
        p->payout_status(ref, 10 * S, 12 * S, reason) == PAYPROVIDER_PAYOUT_FAILED &&
        strstr(reason, "refused") != NULL);
  CHECK(p->payout_submit(9, "6222020200119999", 100, 0, ref));
  CHECK(p->payout_status(ref, 10 * S, 12 * S, reason) == PAYPROVIDER_PAYOUT_SUCCEEDED);
  CHECK(p->payout_status(ref, 10 * S, 14 * S, reason) == PAYPROVIDER_PAYOUT_RETURNED &&
        strstr(reason, "returned") != NULL);

  char a[PAYPROVIDER_REF_SIZE], b[PAYPROVIDER_REF_SIZE];
  p->topup_ref(a);
  p->topup_ref(b);
  CHECK(strncmp(a, "sbx_tp_", 7) == 0 && strlen(a) == 7 + 24 && strcmp(a, b) != 0);
  return unit_report("payprovider");
}
