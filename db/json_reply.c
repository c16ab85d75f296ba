#include "db_internal.h"

#include <stdio.h>

struct json_one {
  db_json_fn *fn;
  void *arg;
};

static void json_row(const PGresult *res, void *arg)
{
  struct json_one *j = arg;
  j->fn(db_get_text(res, 0, 0), j->arg);
}

enum db_status db_query_json(struct db_stmt *stmt, const char *const *params, db_json_fn *fn,
                             void *arg)
{
  struct json_one j = {fn, arg};
  return db_query_row(stmt, params, json_row, &j);
}

struct id_json {
  db_id_json_fn *fn;
  void *arg;
};

static void id_json_row(const PGresult *res, int r, void *arg)
{
  struct id_json *rows = arg;
  if (PQgetisnull(res, r, 0))
    return; /* the row of NULLs of an empty page joined to its owner */
  rows->fn(db_get_int64(res, r, 0), PQgetvalue(res, r, 1), rows->arg);
}

enum db_status db_each_id_json(struct db_stmt *stmt, const char *const *params, db_id_json_fn *fn,
                               void *arg)
{
  struct id_json rows = {fn, arg};
  return db_each_row(stmt, params, id_json_row, &rows);
}

void db_json_coded_row(const PGresult *res, void *arg)
{
  struct db_json_coded *c = arg;
  snprintf(c->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 0));
  c->fn(db_get_text(res, 0, 1), c->arg);
}

enum db_status db_query_coded_json(struct db_stmt *stmt, const char *const *params,
                                   char code[DB_RESULT_CODE_SIZE], db_json_fn *fn, void *arg)
{
  struct db_json_coded c = {code, fn, arg};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  return db_query_row(stmt, params, db_json_coded_row, &c);
}
