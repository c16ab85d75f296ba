#include "growth.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* Runs a save function: $1 the id (NULL: create), $2 the body, $3 the
 * staff, $4 now. */
static enum db_status save(struct db_stmt *q, int64_t id, const char *body_json, int64_t staff_id,
                           int64_t now, char code[DB_RESULT_CODE_SIZE], db_growth_json_fn *fn,
                           void *arg)
{
  char ib[DB_INT64_SIZE], sb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {id > 0 ? db_param_int64(ib, id) : NULL, body_json,
                     db_param_int64(sb, staff_id), db_param_int64(nb, now)};
  return db_query_coded_json(q, p, code, fn, arg);
}

enum db_status db_growth_task_save(int64_t id, const char *body_json, int64_t staff_id, int64_t now,
                                   char code[DB_RESULT_CODE_SIZE], db_growth_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT result, body FROM growth_task_save($1, $2::jsonb, $3, us_to_ts($4))");
  return save(&q, id, body_json, staff_id, now, code, fn, arg);
}

enum db_status db_growth_task_get(int64_t id, db_growth_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(1, "SELECT growth_task_json(t) FROM growth_tasks t WHERE t.id = $1");
  char ib[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id)};
  return db_query_json(&q, p, fn, arg);
}

enum db_status db_growth_tasks_page(const char *group, int64_t after, int limit,
                                    db_growth_row_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT t.id, growth_task_json(t) FROM growth_tasks t"
                 " WHERE t.id > $2 AND ($1::text IS NULL OR t.task_group = $1)"
                 " ORDER BY t.id LIMIT $3");
  char ab[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {group, db_param_int64(ab, after), db_param_int64(lb, limit)};
  return db_each_id_json(&q, p, fn, arg);
}

enum db_status db_growth_medal_save(int64_t id, const char *body_json, int64_t staff_id,
                                    int64_t now, char code[DB_RESULT_CODE_SIZE],
                                    db_growth_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT result, body FROM growth_medal_save($1, $2::jsonb, $3, us_to_ts($4))");
  return save(&q, id, body_json, staff_id, now, code, fn, arg);
}

enum db_status db_growth_medal_get(int64_t id, db_growth_json_fn *fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(1, "SELECT growth_medal_json(m) FROM growth_medals m WHERE m.id = $1");
  char ib[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ib, id)};
  return db_query_json(&q, p, fn, arg);
}

enum db_status db_growth_medals_page(int64_t after, int limit, db_growth_row_fn *fn, void *arg)
{
  static struct db_stmt q = DB_STMT(2, "SELECT m.id, growth_medal_json(m) FROM growth_medals m"
                                       " WHERE m.id > $1 ORDER BY m.id LIMIT $2");
  char ab[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(ab, after), db_param_int64(lb, limit)};
  return db_each_id_json(&q, p, fn, arg);
}

/* The shop functions answer NULL for another merchant's shop: DB_NONE. */
static enum db_status shop_json(struct db_stmt *q, const char *const *p, db_growth_json_fn *fn,
                                void *arg)
{
  PGresult *res;
  enum db_status st = db_exec(q, p, &res);
  if (st < DB_NONE)
    return st;
  if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
    PQclear(res);
    return DB_NONE;
  }
  fn(PQgetvalue(res, 0, 0), arg);
  PQclear(res);
  return DB_ONE;
}

enum db_status db_growth_shop(int64_t merchant_id, int64_t shop_id, const char *group,
                              db_growth_json_fn *fn, void *arg)
{
  static struct db_stmt q = DB_STMT(3, "SELECT growth_shop_json($1, $2, $3)");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id), group};
  return shop_json(&q, p, fn, arg);
}

enum db_status db_growth_shop_medals(int64_t merchant_id, int64_t shop_id, db_growth_json_fn *fn,
                                     void *arg)
{
  static struct db_stmt q = DB_STMT(2, "SELECT growth_shop_medals_json($1, $2)");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id)};
  return shop_json(&q, p, fn, arg);
}

enum db_status db_growth_evaluate(int64_t now, int64_t *shops, int64_t *medals)
{
  static struct db_stmt q =
      DB_STMT(1, "SELECT e.shops, e.medals FROM growth_evaluate(us_to_ts($1)) e");
  char nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(nb, now)};
  PGresult *res;
  enum db_status st = db_exec(&q, p, &res);
  *shops = *medals = 0;
  if (st < DB_NONE)
    return st;
  *shops = db_get_int64(res, 0, 0);
  *medals = db_get_int64(res, 0, 1);
  PQclear(res);
  return st;
}

enum db_status db_growth_sweep(int64_t now, int batch, int64_t *shops, int64_t *medals, bool *done)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT e.shops, e.medals, e.done FROM growth_sweep(us_to_ts($1), $2) e");
  char nb[DB_INT64_SIZE], bb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(nb, now), db_param_int64(bb, batch)};
  PGresult *res;
  enum db_status st = db_exec(&q, p, &res);
  *shops = *medals = 0;
  *done = true;
  if (st < DB_NONE)
    return st;
  *shops = db_get_int64(res, 0, 0);
  *medals = db_get_int64(res, 0, 1);
  *done = db_get_bool(res, 0, 2);
  PQclear(res);
  return st;
}
