#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIGN_B64_SIZE 89 /* base64 of 64 bytes */
#define SIGN_LINE_KEY " key "

static struct sign_key platform;
static bool platform_set;

/* The id names a key in a signature line and in the published key: short,
 * and no use to anyone without the key itself. */
static void key_id(struct sign_key *k)
{
  unsigned char h[8];
  crypto_generichash(h, sizeof h, k->pk, sizeof k->pk, NULL, 0);
  sodium_bin2hex(k->id, sizeof k->id, h, sizeof h);
}

bool sign_key_load(const char *path, struct sign_key *k, char *err, size_t errlen)
{
  unsigned char seed[crypto_sign_SEEDBYTES + 1];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "could not open statement key \"%s\": %s", path, strerror(errno));
    return false;
  }
  struct stat st;
  ssize_t n = -1;
  if (fstat(fd, &st) != 0) {
    snprintf(err, errlen, "could not stat statement key \"%s\": %s", path, strerror(errno));
  } else if ((st.st_mode & (S_IRWXO)) != 0) {
    /* A signing key others can read is a key anyone on the host can sign
     * statements with. */
    snprintf(err, errlen, "statement key \"%s\" is accessible to other users (chmod o-rwx)", path);
  } else {
    n = read(fd, seed, sizeof seed);
    if (n != crypto_sign_SEEDBYTES) {
      snprintf(err, errlen, "statement key \"%s\" must hold exactly %d bytes", path,
               crypto_sign_SEEDBYTES);
      n = -1;
    }
  }
  close(fd);
  if (n < 0) {
    sodium_memzero(seed, sizeof seed);
    return false;
  }
  crypto_sign_seed_keypair(k->pk, k->sk, seed);
  sodium_memzero(seed, sizeof seed);
  k->has_secret = true;
  key_id(k);
  return true;
}

bool sign_key_public(const char *b64, struct sign_key *k)
{
  size_t len;
  memset(k, 0, sizeof *k);
  if (sodium_base642bin(k->pk, sizeof k->pk, b64, strlen(b64), NULL, &len, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != sizeof k->pk)
    return false;
  key_id(k);
  return true;
}

void sign_key_public_b64(const struct sign_key *k, char out[SIGN_PUBLIC_B64_SIZE])
{
  sodium_bin2base64(out, SIGN_PUBLIC_B64_SIZE, k->pk, sizeof k->pk, sodium_base64_VARIANT_ORIGINAL);
}

bool sign_platform_load(const char *path, char *err, size_t errlen)
{
  platform_set = sign_key_load(path, &platform, err, errlen);
  return platform_set;
}

const struct sign_key *sign_platform(void)
{
  return platform_set ? &platform : NULL;
}

void sign_stream_init(struct sign_stream *s)
{
  crypto_sign_ed25519ph_init(&s->st);
}

void sign_stream_update(struct sign_stream *s, const void *data, size_t len)
{
  crypto_sign_ed25519ph_update(&s->st, data, len);
}

size_t sign_stream_line(struct sign_stream *s, const struct sign_key *k, char out[SIGN_LINE_SIZE])
{
  unsigned char sig[crypto_sign_BYTES];
  char b64[SIGN_B64_SIZE];
  crypto_sign_ed25519ph_final_create(&s->st, sig, NULL, k->sk);
  sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
  int n = snprintf(out, SIGN_LINE_SIZE, SIGN_LINE_PREFIX "%s" SIGN_LINE_KEY "%s\r\n", b64, k->id);
  return n > 0 && n < SIGN_LINE_SIZE ? (size_t)n : 0;
}

/* Parses the signature line that must end the file's tail: its offset in
 * the file, the signature and the key id. */
static bool find_line(const char *tail, size_t len, long long tail_at, long long *line_at,
                      unsigned char sig[crypto_sign_BYTES], char key_id[SIGN_KEY_ID_SIZE])
{
  size_t plen = strlen(SIGN_LINE_PREFIX);
  /* The line's start: just after the last LF before the final CRLF, or the
   * start of the file. */
  if (len < 2 || tail[len - 2] != '\r' || tail[len - 1] != '\n')
    return false;
  size_t start = len - 2;
  while (start > 0 && tail[start - 1] != '\n')
    start--;
  if (start == 0 && tail_at != 0)
    return false; /* longer than any signature line */
  const char *line = tail + start;
  size_t line_len = len - 2 - start;
  if (line_len != plen + SIGN_B64_SIZE - 1 + strlen(SIGN_LINE_KEY) + SIGN_KEY_ID_SIZE - 1 ||
      memcmp(line, SIGN_LINE_PREFIX, plen) != 0 ||
      memcmp(line + plen + SIGN_B64_SIZE - 1, SIGN_LINE_KEY, strlen(SIGN_LINE_KEY)) != 0)
    return false;
  size_t sig_len;
  if (sodium_base642bin(sig, crypto_sign_BYTES, line + plen, SIGN_B64_SIZE - 1, NULL, &sig_len,
                        NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      sig_len != crypto_sign_BYTES)
    return false;
  const char *id = line + plen + SIGN_B64_SIZE - 1 + strlen(SIGN_LINE_KEY);
  for (int i = 0; i < SIGN_KEY_ID_SIZE - 1; i++)
    if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
      return false;
  memcpy(key_id, id, SIGN_KEY_ID_SIZE - 1);
  key_id[SIGN_KEY_ID_SIZE - 1] = '\0';
  *line_at = tail_at + (long long)start;
  return true;
}

enum sign_verdict sign_verify_file(const char *path, const struct sign_key *k,
                                   char key_id[SIGN_KEY_ID_SIZE])
{
  key_id[0] = '\0';
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return SIGN_UNREADABLE;
  enum sign_verdict v = SIGN_UNREADABLE;
  char buf[64 * 1024];
  unsigned char sig[crypto_sign_BYTES];
  long long size, line_at;
  if (fseeko(f, 0, SEEK_END) != 0 || (size = ftello(f)) < 0)
    goto out;
  /* The tail holds the whole signature line and the LF before it. */
  long long tail_at = size > SIGN_LINE_SIZE ? size - SIGN_LINE_SIZE : 0;
  size_t tail_len = (size_t)(size - tail_at);
  if (fseeko(f, tail_at, SEEK_SET) != 0 || fread(buf, 1, tail_len, f) != tail_len)
    goto out;
  if (!find_line(buf, tail_len, tail_at, &line_at, sig, key_id)) {
    v = SIGN_NO_SIGNATURE;
    goto out;
  }
  if (strcmp(key_id, k->id) != 0) {
    v = SIGN_OTHER_KEY;
    goto out;
  }
  struct sign_stream s;
  sign_stream_init(&s);
  if (fseeko(f, 0, SEEK_SET) != 0)
    goto out;
  for (long long left = line_at; left > 0;) {
    size_t want = left < (long long)sizeof buf ? (size_t)left : sizeof buf;
    if (fread(buf, 1, want, f) != want)
      goto out;
    sign_stream_update(&s, buf, want);
    left -= (long long)want;
  }
  v = crypto_sign_ed25519ph_final_verify(&s.st, sig, k->pk) == 0 ? SIGN_VALID : SIGN_INVALID;
out:
  fclose(f);
  return v;
}
