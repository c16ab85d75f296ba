#include "stats_cli.h"

#include "clock.h"
#include "config.h"
#include "db.h"
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

static const char usage[] = "usage: merchantd stats rebuild [--shop ID] [--from YYYY-MM-DD]\n"
                            "       merchantd stats check\n";

static void print_difference(const char *rollup, const char *difference, void *arg)
{
  (void)arg;
  printf("%s: %s\n", rollup, difference);
}

static int check(void)
{
  int64_t differences = 0;
  enum db_status st = db_stats_check(clock_now_us(), print_difference, NULL, &differences);
  if (st < DB_NONE) {
    fprintf(stderr, "merchantd: could not check the rollups\n");
    return 1;
  }
  if (differences > 0) {
    printf("stats check failed: %lld row%s differ from a rebuild\n", (long long)differences,
           differences == 1 ? "" : "s");
    return 1;
  }
  printf("stats check passed: the rollups equal a rebuild from the raw rows\n");
  return 0;
}

/* A date the way PostgreSQL will read it: YYYY-MM-DD, checked here so
 * that a typo is a usage error rather than a database one. */
static bool valid_day(const char *s)
{
  int y, m, d;
  char end;
  return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 && y >= 1970 &&
         m >= 1 && m <= 12 && d >= 1 && d <= 31 && s[4] == '-' && s[7] == '-';
}

static int rebuild(int argc, char **argv)
{
  int64_t shop = 0;
  const char *from = NULL;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--shop") == 0 && i + 1 < argc) {
      char *end;
      errno = 0;
      long long v = strtoll(argv[++i], &end, 10);
      if (errno != 0 || *end != '\0' || v <= 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
      }
      shop = v;
    } else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc && valid_day(argv[i + 1])) {
      from = argv[++i];
    } else {
      fputs(usage, stderr);
      return EXIT_USAGE;
    }
  }
  if (db_stats_rebuild(shop, from, clock_now_us()) < DB_NONE) {
    fprintf(stderr, "merchantd: could not rebuild the rollups\n");
    return 1;
  }
  printf("rebuilt the rollups of %s from %s\n", shop > 0 ? "one shop" : "every shop",
         from != NULL ? from : "the first day");
  return 0;
}

int stats_cli(int argc, char **argv)
{
  bool is_check = argc == 3 && strcmp(argv[2], "check") == 0;
  bool is_rebuild = argc >= 3 && strcmp(argv[2], "rebuild") == 0;
  if (!is_check && !is_rebuild) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  db_init(config.database_url);
  int rc = is_check ? check() : rebuild(argc, argv);
  db_thread_done();
  return rc;
}
