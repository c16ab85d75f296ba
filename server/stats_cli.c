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

/* How long stats check waits for a moment when everything written is
 * below the watermark (db_stats_check): older transactions of the whole
 * cluster hold it back, so under a steady load of long transactions the
 * check may not find one. */
#define CHECK_SETTLE_US (120 * 1000000LL)

static int check(void)
{
  int64_t differences = 0, deadline = clock_mono_us() + CHECK_SETTLE_US;
  bool settled = false;
  for (unsigned pause_ms = 20;; pause_ms = pause_ms < 1000 ? pause_ms * 2 : 1000) {
    enum db_status st =
        db_stats_check(clock_now_us(), print_difference, NULL, &settled, &differences);
    if (st < DB_NONE && st != DB_SOFT_ERROR) {
      fprintf(stderr, "merchantd: could not check the rollups\n");
      return 1;
    }
    if (st >= DB_NONE && settled)
      break;
    if (clock_mono_us() > deadline) {
      fprintf(stderr,
              "merchantd: could not check the rollups: writes kept committing above the"
              " watermark for %lld s\n",
              CHECK_SETTLE_US / 1000000);
      return 1;
    }
    clock_sleep_ms(pause_ms);
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

static int rebuild_failed(void)
{
  fprintf(stderr, "merchantd: could not rebuild the rollups (the days rebuilt so far stay)\n");
  return 1;
}

/* Steps the rebuild in progress to its end, a day per transaction. */
static enum db_status step_to_end(long *days)
{
  char day[11];
  do {
    enum db_status st = db_stats_rebuild_step(clock_now_us(), day);
    if (st < DB_NONE)
      return st;
    *days += day[0] != '\0';
  } while (day[0] != '\0');
  return DB_NONE;
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
  bool busy;
  long days = 0, before = 0;
  if (db_stats_rebuild_start(shop, from, clock_now_us(), &busy) < DB_NONE)
    return rebuild_failed();
  /* A rebuild in progress (the first fold's, another command's) is
   * finished first: two at once would forget each other's days. */
  if (busy && (step_to_end(&before) < DB_NONE ||
               db_stats_rebuild_start(shop, from, clock_now_us(), &busy) < DB_NONE || busy))
    return rebuild_failed();
  if (step_to_end(&days) < DB_NONE)
    return rebuild_failed();
  printf("rebuilt the rollups of %s from %s: %ld day%s\n", shop > 0 ? "one shop" : "every shop",
         from != NULL ? from : "the first day", days, days == 1 ? "" : "s");
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
