/* Secrets at rest (a shop's bank account number): sealed with
 * XChaCha20-Poly1305 (libsodium's AEAD) under a 32-byte data key read from
 * MERCHANTD_DATA_KEY_FILE, with what the secret belongs to as additional
 * data, so a sealed value copied to another row does not open. Each sealed
 * value names its key by an id derived from the key (the first 8 bytes of
 * its BLAKE2b hash, in hex): older keys listed in
 * MERCHANTD_DATA_OLD_KEY_FILES still open what they sealed while a
 * rotation is under way (docs/operations.md). */
#ifndef MERCHANTD_DATAKEY_H
#define MERCHANTD_DATAKEY_H

#include <stdbool.h>
#include <stddef.h>

#define DATAKEY_ID_SIZE    17 /* 16 hex digits and the NUL */
#define DATAKEY_NONCE_SIZE 24
#define DATAKEY_TAG_SIZE   16
#define DATAKEY_MAX_KEYS   8

/* Reads the current key (path) and the old ones (a colon-separated list of
 * paths, may be NULL or empty). path NULL or empty: no key, and
 * datakey_ready() is false. False, with the reason on stderr, when a file
 * cannot be read or does not hold exactly 32 bytes. */
bool datakey_load(const char *path, const char *old_paths);
bool datakey_ready(void);
/* The current key's id. */
const char *datakey_current_id(void);

/* Seals len bytes of plain, bound to ad: the nonce and the ciphertext
 * (len + DATAKEY_TAG_SIZE bytes, into box) under the current key, whose id
 * goes to key_id. False when there is no key. */
bool datakey_seal(const unsigned char *plain, size_t len, const char *ad,
                  char key_id[DATAKEY_ID_SIZE], unsigned char nonce[DATAKEY_NONCE_SIZE],
                  unsigned char *box);
/* Opens a sealed value (box_len bytes) into plain (box_len -
 * DATAKEY_TAG_SIZE bytes). False when the key is unknown, or the box was
 * altered or belongs to other additional data. */
bool datakey_open(const char *key_id, const unsigned char nonce[DATAKEY_NONCE_SIZE],
                  const unsigned char *box, size_t box_len, const char *ad, unsigned char *plain);

#endif
