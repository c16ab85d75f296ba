#include "datakey.h"

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct datakey {
  char id[DATAKEY_ID_SIZE];
  unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
};

/* keys[0] is the current key; the others only open. Locked in memory so
 * they are not swapped out, and kept for the process's life. */
static struct datakey *keys;
static size_t nkeys;

/* Reads exactly one key from path into k. */
static bool read_key(const char *path, struct datakey *k)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "merchantd: could not open data key file \"%s\": %s\n", path, strerror(errno));
    return false;
  }
  unsigned char extra;
  size_t n = fread(k->key, 1, sizeof k->key, f);
  bool more = fread(&extra, 1, 1, f) == 1;
  fclose(f);
  if (n != sizeof k->key || more) {
    fprintf(stderr, "merchantd: data key file \"%s\" must hold exactly %zu bytes\n", path,
            sizeof k->key);
    return false;
  }
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, k->key, sizeof k->key, NULL, 0);
  sodium_bin2hex(k->id, sizeof k->id, hash, sizeof hash);
  return true;
}

bool datakey_load(const char *path, const char *old_paths)
{
  /* Loading again (a test) starts from no key: a failed load leaves none. */
  if (keys != NULL)
    sodium_free(keys);
  keys = NULL;
  nkeys = 0;
  if (path == NULL || *path == '\0')
    return true;
  keys = sodium_malloc(DATAKEY_MAX_KEYS * sizeof *keys);
  if (keys == NULL) {
    fprintf(stderr, "merchantd: could not allocate memory for the data keys\n");
    return false;
  }
  size_t n = 0;
  if (!read_key(path, &keys[n++]))
    return false;
  for (const char *p = old_paths; p != NULL && *p != '\0';) {
    const char *end = strchr(p, ':');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    char one[4096];
    if (len > 0) {
      if (len >= sizeof one || n == DATAKEY_MAX_KEYS) {
        fprintf(stderr, "merchantd: MERCHANTD_DATA_OLD_KEY_FILES: too long or over %d keys\n",
                DATAKEY_MAX_KEYS - 1);
        return false;
      }
      memcpy(one, p, len);
      one[len] = '\0';
      if (!read_key(one, &keys[n]))
        return false;
      n++;
    }
    p = end != NULL ? end + 1 : p + len;
  }
  sodium_mprotect_readonly(keys);
  nkeys = n;
  return true;
}

bool datakey_ready(void)
{
  return nkeys > 0;
}

const char *datakey_current_id(void)
{
  return nkeys > 0 ? keys[0].id : "";
}

bool datakey_seal(const unsigned char *plain, size_t len, const char *ad,
                  char key_id[DATAKEY_ID_SIZE], unsigned char nonce[DATAKEY_NONCE_SIZE],
                  unsigned char *box)
{
  if (nkeys == 0)
    return false;
  /* Random 192-bit nonces: XChaCha20 makes a collision negligible however
   * many values one key seals. */
  randombytes_buf(nonce, DATAKEY_NONCE_SIZE);
  crypto_aead_xchacha20poly1305_ietf_encrypt(box, NULL, plain, len, (const unsigned char *)ad,
                                             strlen(ad), NULL, nonce, keys[0].key);
  memcpy(key_id, keys[0].id, DATAKEY_ID_SIZE);
  return true;
}

bool datakey_open(const char *key_id, const unsigned char nonce[DATAKEY_NONCE_SIZE],
                  const unsigned char *box, size_t box_len, const char *ad, unsigned char *plain)
{
  for (size_t i = 0; i < nkeys; i++)
    if (strcmp(keys[i].id, key_id) == 0)
      return box_len >= DATAKEY_TAG_SIZE &&
             crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, box, box_len,
                                                        (const unsigned char *)ad, strlen(ad),
                                                        nonce, keys[i].key) == 0;
  return false;
}
