#include "datakey.h"
#include "unit.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void key_file(char path[64], const unsigned char *bytes, size_t len)
{
  snprintf(path, 64, "/tmp/unit-datakey-XXXXXX");
  int fd = mkstemp(path);
  CHECK(fd >= 0 && write(fd, bytes, len) == (ssize_t)len);
  close(fd);
}

int main(void)
{
  CHECK(sodium_init() >= 0);
  const char *number = "6222020200112233";
  size_t len = strlen(number);
  char id[DATAKEY_ID_SIZE];
  unsigned char nonce[DATAKEY_NONCE_SIZE], box[64], plain[64];

  CHECK(datakey_load(NULL, NULL) && !datakey_ready());
  CHECK(!datakey_seal((const unsigned char *)number, len, "ad", id, nonce, box));

  unsigned char k1[32], k2[32];
  randombytes_buf(k1, sizeof k1);
  randombytes_buf(k2, sizeof k2);
  char p1[64], p2[64], bad[64], old[160];
  key_file(p1, k1, sizeof k1);
  key_file(p2, k2, sizeof k2);
  key_file(bad, k1, 31);
  CHECK(!datakey_load(bad, NULL));

  /* Sealed under the first key... */
  CHECK(datakey_load(p1, NULL) && datakey_ready());
  char id1[DATAKEY_ID_SIZE];
  snprintf(id1, sizeof id1, "%s", datakey_current_id());
  CHECK(strlen(id1) == 16);
  CHECK(datakey_seal((const unsigned char *)number, len, "shop_bank_accounts:7", id, nonce, box));
  CHECK(strcmp(id, id1) == 0);
  CHECK(memmem(box, len + DATAKEY_TAG_SIZE, "2233", 4) == NULL);
  CHECK(datakey_open(id, nonce, box, len + DATAKEY_TAG_SIZE, "shop_bank_accounts:7", plain) &&
        memcmp(plain, number, len) == 0);
  /* ...bound to its additional data, and to every bit of it. */
  CHECK(!datakey_open(id, nonce, box, len + DATAKEY_TAG_SIZE, "shop_bank_accounts:8", plain));
  box[3] ^= 1;
  CHECK(!datakey_open(id, nonce, box, len + DATAKEY_TAG_SIZE, "shop_bank_accounts:7", plain));
  box[3] ^= 1;
  CHECK(!datakey_open("0000000000000000", nonce, box, len + DATAKEY_TAG_SIZE,
                      "shop_bank_accounts:7", plain));

  /* ...and still opened once the second key is current, the first old. */
  snprintf(old, sizeof old, ":%s:", p1);
  CHECK(datakey_load(p2, old));
  CHECK(strcmp(datakey_current_id(), id1) != 0);
  CHECK(datakey_open(id1, nonce, box, len + DATAKEY_TAG_SIZE, "shop_bank_accounts:7", plain) &&
        memcmp(plain, number, len) == 0);
  unsigned char nonce2[DATAKEY_NONCE_SIZE], box2[64];
  CHECK(datakey_seal((const unsigned char *)number, len, "shop_bank_accounts:7", id, nonce2, box2));
  CHECK(strcmp(id, datakey_current_id()) == 0 && memcmp(nonce, nonce2, sizeof nonce) != 0);
  unlink(p1);
  unlink(p2);
  unlink(bad);
  return unit_report("datakey");
}
