#include "feedback.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

/* The columns read_feedback reads, over "f" (feedback) and "a" (its
 * merchant's account). */
#define FEEDBACK_COLUMNS                                                                           \
  "f.id, f.merchant_id, a.display_name, f.category, f.text, f.app_version, f.device, f.status,"    \
  " f.reply_count, ts_to_us(f.created_at), ts_to_us(f.updated_at), ts_to_us(f.closed_at),"         \
  " (SELECT coalesce(json_agg(json_build_object('image_id', i.image_id, 'url',"                    \
  " '/media/' || i.sha256 || '_800.webp') ORDER BY i.position), '[]')::text"                       \
  " FROM feedback_images i WHERE i.feedback_id = f.id), f.shop_id,"                                \
  " (SELECT sh.name FROM shops sh WHERE sh.id = f.shop_id)"
#define FEEDBACK_NCOLUMNS 15

static void read_feedback(const PGresult *res, int r, int c, struct db_feedback *f)
{
  f->id = db_get_int64(res, r, c);
  f->merchant_id = db_get_int64(res, r, c + 1);
  f->merchant_name = PQgetvalue(res, r, c + 2);
  f->category = PQgetvalue(res, r, c + 3);
  f->text = PQgetvalue(res, r, c + 4);
  f->app_version = db_get_text(res, r, c + 5);
  f->device = db_get_text(res, r, c + 6);
  f->status = PQgetvalue(res, r, c + 7);
  f->reply_count = db_get_int64(res, r, c + 8);
  f->created_at = db_get_int64(res, r, c + 9);
  f->updated_at = db_get_int64(res, r, c + 10);
  f->closed_at = PQgetisnull(res, r, c + 11) ? 0 : db_get_int64(res, r, c + 11);
  f->images = PQgetvalue(res, r, c + 12);
  f->shop_id = PQgetisnull(res, r, c + 13) ? 0 : db_get_int64(res, r, c + 13);
  f->shop_name = PQgetvalue(res, r, c + 14);
}

struct create_rows {
  char *code, *field;
  int64_t id;
};

static void create_row(const PGresult *res, int r, void *arg)
{
  struct create_rows *rows = arg;
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  snprintf(rows->field, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 1));
  rows->id = PQgetisnull(res, r, 2) ? 0 : db_get_int64(res, r, 2);
}

enum db_status db_feedback_create(int64_t merchant_id, const struct db_feedback_draft *d,
                                  int64_t now, char code[DB_RESULT_CODE_SIZE],
                                  char field[DB_RESULT_CODE_SIZE], db_feedback_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(8, "SELECT r.result, r.field, r.feedback_id FROM feedback_create($1, $2, $3,"
                 " $4::bigint[], $5, $6, us_to_ts($7), $8) r");
  char mb[DB_INT64_SIZE], nb[DB_INT64_SIZE], sb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id),
                     d->category,
                     d->text,
                     d->image_ids,
                     d->app_version,
                     d->device,
                     db_param_int64(nb, now),
                     d->shop_id > 0 ? db_param_int64(sb, d->shop_id) : NULL};
  struct create_rows rows = {code, field, 0};
  code[0] = field[0] = '\0';
  enum db_status st = db_each_row(&q, p, create_row, &rows);
  if (st < DB_NONE || strcmp(code, "ok") != 0)
    return st;
  /* Read back as the lists show it (its pictures' URLs): feedback is rare
   * enough that the second round trip costs nothing worth a fresh-snapshot
   * function. */
  return db_feedback_get(merchant_id, rows.id, fn, NULL, arg);
}

struct feedback_rows {
  db_feedback_fn fn;
  db_feedback_reply_fn reply_fn;
  void *arg;
};

static void feedback_row(const PGresult *res, int r, void *arg)
{
  struct feedback_rows *rows = arg;
  struct db_feedback f;
  read_feedback(res, r, 0, &f);
  rows->fn(&f, rows->arg);
}

// clang-format off
/* A page newest first below $1, $2 rows; the filters' values follow. Each
 * filter has its statement, so that each walks the index of its filter
 * (merchant, status, category) by keyset. */
#define FEEDBACK_PAGE(n, where) \
  DB_STMT(n, "SELECT " FEEDBACK_COLUMNS " FROM feedback f JOIN accounts a ON a.id = f.merchant_id" \
             " WHERE f.id < $1" where " ORDER BY f.id DESC LIMIT $2")
// clang-format on

enum db_status db_feedback_page(const struct db_feedback_page *p, db_feedback_fn fn, void *arg)
{
  static struct db_stmt mine = FEEDBACK_PAGE(3, " AND f.merchant_id = $3"),
                        any = FEEDBACK_PAGE(2, ""), status = FEEDBACK_PAGE(3, " AND f.status = $3"),
                        category = FEEDBACK_PAGE(3, " AND f.category = $3"),
                        both = FEEDBACK_PAGE(4, " AND f.status = $3 AND f.category = $4"),
                        /* A shop's feedback is little: its index, then the
                         * other filters on its rows. */
      shop = FEEDBACK_PAGE(5, " AND f.shop_id = $3"
                              " AND ($4::text IS NULL OR f.status = $4)"
                              " AND ($5::text IS NULL OR f.category = $5)");
  char mb[DB_INT64_SIZE], bb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  char sb[DB_INT64_SIZE];
  const char *params[5] = {db_param_int64(bb, p->before_id), db_param_int64(lb, p->limit)};
  struct db_stmt *q = &any;
  if (p->merchant_id != 0) {
    q = &mine;
    params[2] = db_param_int64(mb, p->merchant_id);
  } else if (p->shop_id != 0) {
    q = &shop;
    params[2] = db_param_int64(sb, p->shop_id);
    params[3] = p->status;
    params[4] = p->category;
  } else if (p->status != NULL && p->category != NULL) {
    q = &both;
    params[2] = p->status;
    params[3] = p->category;
  } else if (p->status != NULL || p->category != NULL) {
    q = p->status != NULL ? &status : &category;
    params[2] = p->status != NULL ? p->status : p->category;
  }
  struct feedback_rows rows = {fn, NULL, arg};
  return db_each_row(q, params, feedback_row, &rows);
}

/* The feedback on every row, then a reply (NULL columns: none). */
static void detail_row(const PGresult *res, int r, void *arg)
{
  struct feedback_rows *rows = arg;
  if (r == 0)
    feedback_row(res, r, arg);
  if (rows->reply_fn == NULL || PQgetisnull(res, r, FEEDBACK_NCOLUMNS))
    return;
  struct db_feedback_reply reply = {
      .id = db_get_int64(res, r, FEEDBACK_NCOLUMNS),
      .staff_id = db_get_int64(res, r, FEEDBACK_NCOLUMNS + 1),
      .text = PQgetvalue(res, r, FEEDBACK_NCOLUMNS + 2),
      .created_at = db_get_int64(res, r, FEEDBACK_NCOLUMNS + 3),
  };
  rows->reply_fn(&reply, rows->arg);
}

enum db_status db_feedback_get(int64_t merchant_id, int64_t feedback_id, db_feedback_fn fn,
                               db_feedback_reply_fn reply_fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT " FEEDBACK_COLUMNS ", r.id, r.staff_id, r.text, ts_to_us(r.created_at)"
                 " FROM feedback f JOIN accounts a ON a.id = f.merchant_id"
                 " LEFT JOIN feedback_replies r ON r.feedback_id = f.id"
                 " WHERE f.id = $2 AND ($1::bigint = 0 OR f.merchant_id = $1) ORDER BY r.id");
  char mb[DB_INT64_SIZE], fb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(fb, feedback_id)};
  struct feedback_rows rows = {fn, reply_fn, arg};
  enum db_status st = db_each_row(&q, p, detail_row, &rows);
  return st == DB_MANY ? DB_ONE : st;
}

struct reply_rows {
  char *code;
  int64_t *reply_id;
};

static void reply_row(const PGresult *res, int r, void *arg)
{
  struct reply_rows *rows = arg;
  snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  *rows->reply_id = PQgetisnull(res, r, 1) ? 0 : db_get_int64(res, r, 1);
}

enum db_status db_feedback_reply(int64_t staff_id, int64_t feedback_id, const char *text,
                                 int64_t now, char code[DB_RESULT_CODE_SIZE], int64_t *reply_id)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT r.result, r.reply_id FROM feedback_reply($1, $2, $3, us_to_ts($4)) r");
  char sb[DB_INT64_SIZE], fb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, staff_id), db_param_int64(fb, feedback_id), text,
                     db_param_int64(nb, now)};
  struct reply_rows rows = {code, reply_id};
  code[0] = '\0';
  *reply_id = 0;
  return db_each_row(&q, p, reply_row, &rows);
}

static void code_row(const PGresult *res, int r, void *arg)
{
  snprintf(arg, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
}

enum db_status db_feedback_close(int64_t staff_id, int64_t feedback_id, int64_t now,
                                 char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q = DB_STMT(3, "SELECT feedback_close($1, $2, us_to_ts($3))");
  char sb[DB_INT64_SIZE], fb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(sb, staff_id), db_param_int64(fb, feedback_id),
                     db_param_int64(nb, now)};
  code[0] = '\0';
  return db_each_row(&q, p, code_row, code);
}
