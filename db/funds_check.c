#include "funds_check.h"

#include "db_internal.h"

struct check {
  const char *name;
  struct db_stmt stmt;
};

/* In the order they are reported: the whole first, then its parts. */
static struct check checks[] = {
    {"trial_balance", DB_STMT(0, "SELECT subject, detail FROM funds_check_trial_balance()")},
    {"balances", DB_STMT(0, "SELECT subject, detail FROM funds_check_balances()")},
    {"running_balances", DB_STMT(0, "SELECT subject, detail FROM funds_check_running_balances()")},
    {"held", DB_STMT(0, "SELECT subject, detail FROM funds_check_held()")},
    {"pending", DB_STMT(0, "SELECT subject, detail FROM funds_check_pending()")},
    {"settlements", DB_STMT(0, "SELECT subject, detail FROM funds_check_settlements()")},
    {"holds", DB_STMT(0, "SELECT subject, detail FROM funds_check_holds()")},
};

struct found {
  const char *check;
  db_funds_difference_fn fn;
  void *arg;
  int64_t n;
};

static void difference(const PGresult *res, int r, void *arg)
{
  struct found *f = arg;
  f->n++;
  f->fn(f->check, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), f->arg);
}

enum db_status db_funds_check(db_funds_difference_fn fn, void *arg, int64_t *differences)
{
  struct found f = {NULL, fn, arg, 0};
  *differences = 0;
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    f.check = checks[i].name;
    enum db_status st = db_each_row(&checks[i].stmt, NULL, difference, &f);
    if (st < DB_NONE)
      return st;
  }
  *differences = f.n;
  return DB_NONE;
}

enum db_status db_funds_check_record(int64_t now, const char *source, int64_t differences,
                                     int64_t duration_ms)
{
  static struct db_stmt q =
      DB_STMT(4, "INSERT INTO funds_check_runs (checked_at, source, differences, duration_ms)"
                 " VALUES (us_to_ts($1), $2, $3, $4)");
  char nb[DB_INT64_SIZE], db[DB_INT64_SIZE], ms[DB_INT64_SIZE];
  return db_run(&q,
                (const char *[]){db_param_int64(nb, now), source, db_param_int64(db, differences),
                                 db_param_int64(ms, duration_ms)});
}

struct last {
  int64_t *differences, *checked_at;
};

static void read_last(const PGresult *res, void *arg)
{
  struct last *l = arg;
  *l->differences = db_get_int64(res, 0, 0);
  *l->checked_at = db_get_int64(res, 0, 1);
}

enum db_status db_funds_check_last(int64_t *differences, int64_t *checked_at)
{
  static struct db_stmt q = DB_STMT(
      0, "SELECT differences, ts_to_us(checked_at) FROM funds_check_runs ORDER BY id DESC LIMIT 1");
  struct last l = {differences, checked_at};
  return db_query_row(&q, NULL, read_last, &l);
}
