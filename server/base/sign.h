/* Ed25519 signatures of the platform's statements (libsodium).
 *
 * A statement is signed as it streams: its bytes go through the Ed25519ph
 * prehash (RFC 8032: SHA-512 of the message, then signed) as they are
 * written, and the last line of the file carries the signature of every
 * byte before it:
 *
 *   # signature: ed25519ph <base64 of the 64-byte signature> key <key id>\r\n
 *
 * The key id is the hex of the first 8 bytes of BLAKE2b (crypto_generichash)
 * of the 32-byte public key: it names the key without being it. The secret
 * key is a file of exactly 32 random bytes (the Ed25519 seed) that no other
 * user may access. */
#ifndef MERCHANTD_SIGN_H
#define MERCHANTD_SIGN_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#define SIGN_KEY_ID_SIZE     17 /* 16 hex digits */
#define SIGN_PUBLIC_B64_SIZE 45 /* base64 of 32 bytes */
#define SIGN_LINE_SIZE       160
#define SIGN_LINE_PREFIX     "# signature: ed25519ph "

struct sign_key {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  bool has_secret; /* false for a key known by its public half only */
  char id[SIGN_KEY_ID_SIZE];
};

/* Reads a secret key file (32 bytes, the seed). False with a message in
 * err when it cannot be read, is not 32 bytes, or other users may access
 * it. */
bool sign_key_load(const char *path, struct sign_key *k, char *err, size_t errlen);
/* A public key given as base64 (as GET /v1/platform/statement-key has it). */
bool sign_key_public(const char *b64, struct sign_key *k);
void sign_key_public_b64(const struct sign_key *k, char out[SIGN_PUBLIC_B64_SIZE]);

/* The process's statement key, loaded once at start (NULL: none set). */
bool sign_platform_load(const char *path, char *err, size_t errlen);
const struct sign_key *sign_platform(void);

/* A signature over bytes given piece by piece. */
struct sign_stream {
  crypto_sign_ed25519ph_state st;
};
void sign_stream_init(struct sign_stream *s);
void sign_stream_update(struct sign_stream *s, const void *data, size_t len);
/* The signature line of everything given so far (CRLF included, NUL
 * terminated); returns its length. k must have its secret. */
size_t sign_stream_line(struct sign_stream *s, const struct sign_key *k, char out[SIGN_LINE_SIZE]);

enum sign_verdict {
  SIGN_VALID,
  SIGN_UNREADABLE,   /* the file could not be read */
  SIGN_NO_SIGNATURE, /* no well-formed signature line ends it */
  SIGN_OTHER_KEY,    /* signed by a key of another id */
  SIGN_INVALID,      /* the signature does not match the bytes */
};
/* Checks a signed file against k, reading it once in constant memory.
 * key_id receives the id its signature line names (empty if none). */
enum sign_verdict sign_verify_file(const char *path, const struct sign_key *k,
                                   char key_id[SIGN_KEY_ID_SIZE]);

#endif
