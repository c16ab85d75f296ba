#include "page_views.h"

#include "db_internal.h"

enum db_status db_page_views_ingest(int64_t account_id, const char *views_json, int64_t now,
                                    db_page_view_result_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT v.idx, v.result FROM views_ingest(us_to_ts($1), $2::bigint, $3::jsonb) v");
  char nb[DB_INT64_SIZE], ab[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(nb, now),
                     account_id > 0 ? db_param_int64(ab, account_id) : NULL, views_json};
  PGresult *res;
  enum db_status st = db_exec(&q, p, &res);
  if (st < DB_NONE)
    return st;
  for (int r = 0; r < PQntuples(res); r++)
    fn(db_get_int64(res, r, 0), PQgetvalue(res, r, 1), arg);
  PQclear(res);
  return st;
}

static void read_count(const PGresult *res, void *arg)
{
  *(int64_t *)arg = db_get_int64(res, 0, 0);
}

enum db_status db_page_views_partitions_ensure(int64_t from, int64_t to, int64_t *created)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT page_views_partitions_ensure(us_to_ts($1), us_to_ts($2))");
  char fb[DB_INT64_SIZE], tb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(fb, from), db_param_int64(tb, to)};
  *created = 0;
  return db_query_row(&q, p, read_count, created);
}

enum db_status db_page_views_partitions_drop(int64_t before, int64_t *dropped)
{
  static struct db_stmt q = DB_STMT(1, "SELECT page_views_partitions_drop(us_to_ts($1))");
  char bb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(bb, before)};
  *dropped = 0;
  return db_query_row(&q, p, read_count, dropped);
}
