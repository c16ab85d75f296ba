#include "staff_cli.h"

#include "accounts.h"
#include "clock.h"
#include "config.h"
#include "credentials.h"
#include "hashpool.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define EXIT_USAGE 2

/* Reads one line (the password) from stdin into out, without its line
 * ending; false when it is longer than out can hold. */
static bool read_password(char *out, size_t size, size_t *len)
{
  char line[HASHPOOL_PASSWORD_MAX + 3]; /* the longest password, "\r\n" and NUL */
  if (fgets(line, sizeof line, stdin) == NULL)
    return false;
  size_t n = strcspn(line, "\r\n");
  if (n >= size || (line[n] == '\0' && !feof(stdin)))
    return false;
  memcpy(out, line, n);
  out[n] = '\0';
  sodium_memzero(line, sizeof line);
  *len = n;
  return true;
}

/* "review,finance" to permission bits; false (said on stderr) for an
 * unknown or empty name. */
static bool parse_permissions(const char *list, unsigned *bits)
{
  *bits = 0;
  for (const char *p = list;;) {
    size_t n = strcspn(p, ",");
    unsigned bit = db_permission_bit(p, n);
    if (bit == 0) {
      fprintf(stderr, "merchantd: unknown permission \"%.*s\"; the permissions are", (int)n, p);
      for (unsigned i = 0; i < DB_PERMISSION_COUNT; i++)
        fprintf(stderr, "%s %s", i > 0 ? "," : "", db_permission_name(i));
      fputc('\n', stderr);
      return false;
    }
    *bits |= bit;
    if (p[n] == '\0')
      return true;
    p += n + 1;
  }
}

static void print_account(const char *what, const struct db_account *a)
{
  printf("%s staff %s (id %lld), permissions:", what, a->username, (long long)a->id);
  bool any = false;
  for (unsigned i = 0; i < DB_PERMISSION_COUNT; i++)
    if (a->permissions & (1u << i)) {
      printf("%s %s", any ? "," : "", db_permission_name(i));
      any = true;
    }
  printf("%s\n", any ? "" : " none");
}

static int create(const char *username, unsigned permissions)
{
  const char *why = credentials_username_problem(username);
  if (why != NULL) {
    fprintf(stderr, "merchantd: invalid username \"%s\": %s\n", username, why);
    return EXIT_USAGE;
  }
  struct hashpool_job job = {.kind = HASHPOOL_CREATE};
  if (!read_password(job.password, sizeof job.password, &job.password_len) ||
      job.password_len < CREDENTIALS_PASSWORD_MIN || job.password_len > CREDENTIALS_PASSWORD_MAX) {
    fprintf(stderr, "merchantd: the password on stdin must be %d to %d bytes\n",
            CREDENTIALS_PASSWORD_MIN, CREDENTIALS_PASSWORD_MAX);
    return EXIT_USAGE;
  }
  hashpool_run(&job);
  if (!job.ok)
    return 1;
  db_init(config.database_url);
  struct db_account account;
  enum db_status st = db_account_create("staff", username, username, permissions, job.hash,
                                        clock_now_us(), &account);
  db_thread_done();
  if (st == DB_NONE) {
    fprintf(stderr, "merchantd: username \"%s\" is already taken\n", username);
    return 1;
  }
  if (st < DB_NONE) {
    fprintf(stderr, "merchantd: could not create the staff account\n");
    return 1;
  }
  print_account("created", &account);
  return 0;
}

int staff_cli_create(int argc, char **argv)
{
  unsigned permissions = 0;
  if (argc == 5 && strcmp(argv[3], "--permissions") == 0) {
    if (!parse_permissions(argv[4], &permissions))
      return EXIT_USAGE;
  } else if (argc != 3) {
    fprintf(stderr, "usage: merchantd create-staff USERNAME [--permissions P[,P...]]\n");
    return EXIT_USAGE;
  }
  return create(argv[2], permissions);
}

int staff_cli_create_reviewer(const char *username)
{
  return create(username, DB_PERMISSION_REVIEW);
}

/* Whether a staff command found its account; says why not on stderr. */
static bool found(enum db_status st, const char *username, const char *what)
{
  if (st == DB_NONE)
    fprintf(stderr, "merchantd: no staff account is named \"%s\"\n", username);
  else if (st < DB_NONE)
    fprintf(stderr, "merchantd: could not %s\n", what);
  return st == DB_ONE;
}

static int change(const char *verb, const char *username, const char *list)
{
  unsigned permissions;
  if (!parse_permissions(list, &permissions))
    return EXIT_USAGE;
  db_init(config.database_url);
  struct db_account account;
  enum db_status st =
      db_staff_permissions(username, permissions, strcmp(verb, "grant") == 0, &account);
  db_thread_done();
  if (!found(st, username, "change the permissions"))
    return 1;
  print_account("updated", &account);
  return 0;
}

static int disable(const char *username)
{
  db_init(config.database_url);
  enum db_status st = db_staff_disable(username, clock_now_us());
  db_thread_done();
  if (!found(st, username, "disable the account"))
    return 1;
  printf("disabled staff %s; its sessions have ended\n", username);
  return 0;
}

int staff_cli(int argc, char **argv)
{
  if (argc == 5 && (strcmp(argv[2], "grant") == 0 || strcmp(argv[2], "revoke") == 0))
    return change(argv[2], argv[3], argv[4]);
  if (argc == 4 && strcmp(argv[2], "disable") == 0)
    return disable(argv[3]);
  fprintf(stderr, "usage: merchantd staff grant|revoke USERNAME P[,P...]\n"
                  "       merchantd staff disable USERNAME\n");
  return EXIT_USAGE;
}
