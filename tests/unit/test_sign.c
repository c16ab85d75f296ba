#include "sign.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/merchantd-test-sign.XXXXXX";

static const char *path_of(const char *name)
{
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

static void write_file(const char *name, const void *data, size_t len, mode_t mode)
{
  const char *path = path_of(name);
  FILE *f = fopen(path, "wb");
  if (f != NULL) {
    fwrite(data, 1, len, f);
    fclose(f);
  }
  chmod(path, mode);
}

/* A key file of 32 random bytes; loaded into k. */
static bool make_key(const char *name, struct sign_key *k)
{
  unsigned char seed[32];
  char err[256];
  randombytes_buf(seed, sizeof seed);
  write_file(name, seed, sizeof seed, 0600);
  return sign_key_load(path_of(name), k, err, sizeof err);
}

/* A statement-like text signed piece by piece, as a stream is: the text
 * followed by its signature line. Returns its length; out is malloc'd. */
static size_t signed_text(const struct sign_key *k, size_t rows, char **out)
{
  size_t cap = rows * 64 + SIGN_LINE_SIZE, len = 0; /* a row is under 64 bytes */
  char *text = malloc(cap);
  struct sign_stream s;
  sign_stream_init(&s);
  for (size_t i = 0; i < rows; i++) {
    int n = snprintf(text + len, cap - len, "%zu,2026-01-01T00:00:00Z,in,%zu\r\n", i, i * 7);
    sign_stream_update(&s, text + len, (size_t)n);
    len += (size_t)n;
  }
  len += sign_stream_line(&s, k, text + len);
  *out = text;
  return len;
}

static enum sign_verdict verify_text(const struct sign_key *k, const char *text, size_t len)
{
  char id[SIGN_KEY_ID_SIZE];
  write_file("statement.csv", text, len, 0600);
  return sign_verify_file(path_of("statement.csv"), k, id);
}

int main(void)
{
  if (sodium_init() < 0 || mkdtemp(dir) == NULL)
    return 1;
  struct sign_key key, other, pub;
  char err[256];
  CHECK(make_key("a.key", &key));
  CHECK(make_key("b.key", &other));
  CHECK(strlen(key.id) == 16 && strcmp(key.id, other.id) != 0);

  /* The public half round-trips through base64 with the same id. */
  char b64[SIGN_PUBLIC_B64_SIZE];
  sign_key_public_b64(&key, b64);
  CHECK(sign_key_public(b64, &pub) && !pub.has_secret && strcmp(pub.id, key.id) == 0);
  CHECK(!sign_key_public("not base64!", &pub));
  CHECK(!sign_key_public("AAAA", &pub)); /* 3 bytes, not 32 */
  sign_key_public(b64, &pub);

  /* Signed in pieces, verified whole; one line and thousands alike. */
  for (size_t rows = 0; rows <= 5000; rows += 2500) {
    char *text;
    size_t len = signed_text(&key, rows, &text);
    CHECK(len > 0 && memcmp(text + len - 2, "\r\n", 2) == 0);
    CHECK(verify_text(&pub, text, len) == SIGN_VALID);
    CHECK(verify_text(&key, text, len) == SIGN_VALID);
    CHECK(verify_text(&other, text, len) == SIGN_OTHER_KEY);
    /* Any byte changed before the signature line: invalid. */
    if (rows > 0) {
      text[len / 3] ^= 0x20;
      CHECK(verify_text(&pub, text, len) == SIGN_INVALID);
      text[len / 3] ^= 0x20;
    }
    /* Cut short, or something after the signature: not signed. */
    CHECK(verify_text(&pub, text, len - 1) == SIGN_NO_SIGNATURE);
    char *longer = malloc(len + 4);
    memcpy(longer, text, len);
    memcpy(longer + len, "x\r\n", 3);
    CHECK(verify_text(&pub, longer, len + 3) == SIGN_NO_SIGNATURE);
    free(longer);
    free(text);
  }
  CHECK(verify_text(&pub, "", 0) == SIGN_NO_SIGNATURE);
  char id[SIGN_KEY_ID_SIZE];
  CHECK(sign_verify_file(path_of("missing.csv"), &pub, id) == SIGN_UNREADABLE);

  /* Key files: exactly 32 bytes, and no access for other users. */
  unsigned char bytes[33] = {0};
  write_file("short.key", bytes, 31, 0600);
  CHECK(!sign_key_load(path_of("short.key"), &pub, err, sizeof err) &&
        strstr(err, "exactly 32 bytes") != NULL);
  write_file("long.key", bytes, 33, 0600);
  CHECK(!sign_key_load(path_of("long.key"), &pub, err, sizeof err));
  write_file("open.key", bytes, 32, 0644);
  CHECK(!sign_key_load(path_of("open.key"), &pub, err, sizeof err) &&
        strstr(err, "other users") != NULL);
  CHECK(!sign_key_load(path_of("none.key"), &pub, err, sizeof err));
  write_file("group.key", bytes, 32, 0640);
  CHECK(sign_key_load(path_of("group.key"), &pub, err, sizeof err));

  const char *names[] = {"a.key",    "b.key",    "statement.csv", "short.key",
                         "long.key", "open.key", "group.key"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unlink(path_of(names[i]));
  rmdir(dir);
  return unit_report("sign");
}
