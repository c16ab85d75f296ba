#include "funds_cli.h"

#include "config.h"
#include "db.h"
#include "reconcile.h"
#include "sign.h"

#include <stdio.h>
#include <string.h>

#define EXIT_USAGE 2

static void print_difference(const char *check, const char *subject, const char *detail, void *arg)
{
  (void)arg;
  printf("%s: %s: %s\n", check, subject, detail);
}

int funds_cli(int argc, char **argv)
{
  if (argc != 3 || strcmp(argv[2], "check") != 0) {
    fprintf(stderr, "usage: merchantd funds check\n");
    return EXIT_USAGE;
  }
  db_init(config.database_url);
  int64_t differences = 0;
  enum db_status st = reconcile_run("cli", print_difference, NULL, &differences);
  db_thread_done();
  if (st < DB_NONE) {
    fprintf(stderr, "merchantd: could not run the funds check\n");
    return 1;
  }
  if (differences > 0) {
    printf("funds check failed: %lld difference%s\n", (long long)differences,
           differences == 1 ? "" : "s");
    return 1;
  }
  printf("funds check passed: the trial balance is zero, every balance and hold reconciles, "
         "every settlement and hold posted at most once\n");
  return 0;
}

int funds_cli_verify(int argc, char **argv)
{
  const char *file = NULL, *public_key = NULL;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
      public_key = argv[++i];
    else if (file == NULL && argv[i][0] != '-')
      file = argv[i];
    else
      file = NULL, i = argc;
  }
  if (file == NULL) {
    fprintf(stderr, "usage: merchantd verify-statement FILE [--key PUBLIC_KEY_BASE64]\n");
    return EXIT_USAGE;
  }
  /* Without --key: the key this installation signs with. */
  struct sign_key key;
  char err[256];
  if (public_key != NULL) {
    if (!sign_key_public(public_key, &key)) {
      fprintf(stderr, "merchantd: --key must be a base64 Ed25519 public key (32 bytes)\n");
      return EXIT_USAGE;
    }
  } else if (config.statement_key_file == NULL) {
    fprintf(stderr, "merchantd: give --key, or set MERCHANTD_STATEMENT_KEY_FILE\n");
    return EXIT_USAGE;
  } else if (!sign_key_load(config.statement_key_file, &key, err, sizeof err)) {
    fprintf(stderr, "merchantd: %s\n", err);
    return EXIT_USAGE;
  }
  char found[SIGN_KEY_ID_SIZE];
  enum sign_verdict v = sign_verify_file(file, &key, found);
  sodium_memzero(&key, sizeof key);
  switch (v) {
  case SIGN_VALID:
    printf("%s: signature valid (ed25519ph, key %s)\n", file, found);
    return 0;
  case SIGN_UNREADABLE:
    printf("%s: could not read the file\n", file);
    break;
  case SIGN_NO_SIGNATURE:
    printf("%s: not signed: no signature line ends the file\n", file);
    break;
  case SIGN_OTHER_KEY:
    printf("%s: signed by another key (%s), not this one\n", file, found);
    break;
  case SIGN_INVALID:
    printf("%s: signature invalid: the file was changed after it was signed\n", file);
    break;
  }
  return 1;
}
