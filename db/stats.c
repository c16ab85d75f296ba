#include "stats.h"

#include "db_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void read_time(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

static void read_as_of(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_text(res, 0, 0) != NULL ? db_get_int64(res, 0, 0) : 0;
}

/* The connections' statement timeout (db.c) is for requests. A fold after
 * a long pause, the first fold of an installation with history, and a
 * rebuild read far more than a request: they get minutes, or no limit. */
static enum db_status allow(const char *timeout)
{
  static struct db_stmt q = DB_STMT(1, "SELECT set_config('statement_timeout', $1, true)");
  return db_run(&q, (const char *[]){timeout});
}

struct fold {
  int64_t now, *as_of;
};

static enum db_status fold_body(void *arg, bool last)
{
  (void)last;
  struct fold *f = arg;
  static struct db_stmt q = DB_STMT(1, "SELECT ts_to_us(stats_fold(us_to_ts($1), false))");
  char nb[DB_INT64_SIZE];
  enum db_status st = allow("10min");
  if (st < DB_NONE)
    return st;
  return db_query_row(&q, (const char *[]){db_param_int64(nb, f->now)}, read_as_of, f->as_of);
}

enum db_status db_stats_fold(int64_t now, int64_t *as_of)
{
  struct fold f = {now, as_of};
  return db_txn_run(fold_body, &f);
}

static void read_text(const PGresult *res, void *arg)
{
  const char *v = db_get_text(res, 0, 0);
  snprintf(arg, DB_RESULT_CODE_SIZE, "%s", v != NULL ? v : "");
}

static void read_bool(const PGresult *res, void *arg)
{
  *(bool *)arg = db_get_bool(res, 0, 0);
}

struct start {
  int64_t shop_id, now;
  const char *from;
  bool started;
};

static enum db_status start_body(void *arg, bool last)
{
  (void)last;
  static struct db_stmt q =
      DB_STMT(3, "SELECT stats_rebuild_start($1, coalesce($2::date, '-infinity'), us_to_ts($3))");
  struct start *a = arg;
  char sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  enum db_status st = allow("10min");
  if (st < DB_NONE)
    return st;
  return db_query_row(&q,
                      (const char *[]){a->shop_id > 0 ? db_param_int64(sb, a->shop_id) : NULL,
                                       a->from, db_param_int64(nb, a->now)},
                      read_bool, &a->started);
}

enum db_status db_stats_rebuild_start(int64_t shop_id, const char *from, int64_t now, bool *busy)
{
  struct start a = {shop_id, now, from, false};
  enum db_status st = db_txn_run(start_body, &a);
  *busy = !a.started;
  return st;
}

struct step {
  int64_t now;
  char *day;
};

static enum db_status step_body(void *arg, bool last)
{
  (void)last;
  static struct db_stmt q = DB_STMT(1, "SELECT stats_rebuild_step(us_to_ts($1))::text");
  struct step *a = arg;
  char nb[DB_INT64_SIZE], day[DB_RESULT_CODE_SIZE] = "";
  enum db_status st = allow("10min");
  if (st < DB_NONE)
    return st;
  st = db_query_row(&q, (const char *[]){db_param_int64(nb, a->now)}, read_text, day);
  snprintf(a->day, 11, "%s", day);
  return st;
}

enum db_status db_stats_rebuild_step(int64_t now, char day[11])
{
  struct step a = {now, day};
  day[0] = '\0';
  return db_txn_run(step_body, &a);
}

struct found {
  db_stats_difference_fn fn;
  void *arg;
  int64_t n;
};

static void difference(const PGresult *res, int r, void *arg)
{
  struct found *f = arg;
  f->fn(db_get_text(res, r, 0), db_get_text(res, r, 1), f->arg);
  f->n++;
}

enum db_status db_stats_check(int64_t now, db_stats_difference_fn fn, void *arg, bool *settled,
                              int64_t *differences)
{
  /* One snapshot for the fold and the rebuild, so both see the same rows. */
  static struct db_stmt rr = DB_STMT(0, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  static struct db_stmt s = DB_STMT(1, "SELECT stats_check_settled(us_to_ts($1))");
  static struct db_stmt q = DB_STMT(1, "SELECT rollup, difference FROM stats_check(us_to_ts($1))");
  char nb[DB_INT64_SIZE];
  struct found f = {fn, arg, 0};
  *differences = 0;
  *settled = false;
  enum db_status st = db_begin();
  if (st < DB_NONE)
    return st;
  st = db_run(&rr, NULL);
  if (st >= DB_NONE)
    st = allow("0");
  if (st >= DB_NONE)
    st = db_query_row(&s, (const char *[]){db_param_int64(nb, now)}, read_bool, settled);
  if (st >= DB_NONE && *settled)
    st = db_each_row(&q, (const char *[]){db_param_int64(nb, now)}, difference, &f);
  if (st < DB_NONE && db_txn_conflicted())
    st = DB_SOFT_ERROR;
  /* The rebuild was only to compare with: nothing of it stays. */
  db_rollback();
  if (st >= DB_NONE)
    *differences = f.n;
  return st < DB_NONE ? st : DB_NONE;
}

enum db_status db_stats_prune(int64_t now, int64_t *deleted)
{
  static struct db_stmt q = DB_STMT(1, "SELECT stats_prune(us_to_ts($1))");
  char nb[DB_INT64_SIZE];
  *deleted = 0;
  return db_query_row(&q, (const char *[]){db_param_int64(nb, now)}, read_time, deleted);
}
