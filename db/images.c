#include "images.h"

#include "db_internal.h"

#include <stdio.h>
#include <string.h>

#define SPACE "WITH sp AS (SELECT image_space_of($1::bigint, $2::bigint, $3::bigint) AS id) "
#define IMAGE_COLUMNS                                                                              \
  "i.id, i.folder_id, i.name, i.sha256, i.format, i.width, i.height, i.bytes,"                     \
  " ts_to_us(i.created_at), ts_to_us(i.updated_at)"
#define FOLDER_COLUMNS "f.id, f.parent_id, f.depth, f.name, ts_to_us(f.created_at)"

/* The owner as the first three parameters ($1 merchant, $2 shop, $3 buyer;
 * NULL where they do not apply). */
struct owner_params {
  char b[3][DB_INT64_SIZE];
};

static void owner_set(const struct db_image_owner *o, struct owner_params *ob, const char **p)
{
  p[0] = o->shop_id > 0 ? db_param_int64(ob->b[0], o->merchant_id) : NULL;
  p[1] = o->shop_id > 0 ? db_param_int64(ob->b[1], o->shop_id) : NULL;
  p[2] = o->shop_id > 0 ? NULL : db_param_int64(ob->b[2], o->buyer_id);
}

static int64_t get_id_or_zero(const PGresult *res, int r, int c)
{
  return PQgetisnull(res, r, c) ? 0 : db_get_int64(res, r, c);
}

/* Reads IMAGE_COLUMNS from column c on. */
static void read_image(const PGresult *res, int r, int c, struct db_image *im)
{
  im->id = db_get_int64(res, r, c);
  im->folder_id = get_id_or_zero(res, r, c + 1);
  im->name = PQgetvalue(res, r, c + 2);
  im->sha256 = PQgetvalue(res, r, c + 3);
  im->format = PQgetvalue(res, r, c + 4);
  im->width = (int)db_get_int64(res, r, c + 5);
  im->height = (int)db_get_int64(res, r, c + 6);
  im->bytes = db_get_int64(res, r, c + 7);
  im->created_at = db_get_int64(res, r, c + 8);
  im->updated_at = db_get_int64(res, r, c + 9);
}

struct image_rows {
  db_image_fn fn;
  void *arg;
  int c; /* the column IMAGE_COLUMNS start at */
};

/* A row whose image id is NULL is the space alone (an empty list). */
static void image_row(const PGresult *res, int r, void *arg)
{
  struct image_rows *rows = arg;
  if (PQgetisnull(res, r, rows->c))
    return;
  struct db_image im;
  read_image(res, r, rows->c, &im);
  rows->fn(&im, rows->arg);
}

enum db_status db_image_add(const struct db_image_owner *o, int64_t folder_id, const char *name,
                            const char *sha256, const char *format, int width, int height,
                            int64_t bytes, int64_t now, char code[DB_RESULT_CODE_SIZE], int64_t *id)
{
  static struct db_stmt q = DB_STMT(
      11, "SELECT code, id FROM image_add($1, $2, $3, $4, $5, $6, $7, $8::integer, $9::integer,"
          " $10, us_to_ts($11))");
  struct owner_params ob;
  char fb[DB_INT64_SIZE], wb[DB_INT64_SIZE], hb[DB_INT64_SIZE], bb[DB_INT64_SIZE],
      nb[DB_INT64_SIZE];
  const char *p[11];
  owner_set(o, &ob, p);
  p[3] = folder_id > 0 ? db_param_int64(fb, folder_id) : NULL;
  p[4] = name;
  p[5] = sha256;
  p[6] = format;
  p[7] = db_param_int64(wb, width);
  p[8] = db_param_int64(hb, height);
  p[9] = db_param_int64(bb, bytes);
  p[10] = db_param_int64(nb, now);
  PGresult *res = NULL;
  code[0] = '\0';
  *id = 0;
  enum db_status st = db_exec(&q, p, &res);
  if (st == DB_ONE) {
    snprintf(code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 0));
    *id = get_id_or_zero(res, 0, 1);
  }
  PQclear(res);
  return st;
}

enum db_status db_images_list(const struct db_image_owner *o, const struct db_image_filter *f,
                              db_image_fn fn, void *arg)
{
  /* One statement per shape would plan better; the space's index on
   * (space_id, id DESC) serves every one of them, the folder's when given. */
  static struct db_stmt q =
      DB_STMT(8, SPACE "SELECT sp.id, " IMAGE_COLUMNS " FROM sp LEFT JOIN LATERAL"
                       " (SELECT * FROM images i WHERE i.space_id = sp.id"
                       "   AND ($4::boolean OR i.folder_id IS NOT DISTINCT FROM $5::bigint)"
                       "   AND ($6::text IS NULL OR strpos(lower(i.name), lower($6)) > 0)"
                       "   AND i.id < $7 ORDER BY i.id DESC LIMIT $8) i ON true"
                       " WHERE sp.id IS NOT NULL ORDER BY i.id DESC");
  struct owner_params ob;
  char fb[DB_INT64_SIZE], bb[DB_INT64_SIZE], lb[DB_INT64_SIZE];
  const char *p[8];
  owner_set(o, &ob, p);
  p[3] = f->folder_id < 0 ? "true" : "false";
  p[4] = f->folder_id > 0 ? db_param_int64(fb, f->folder_id) : NULL;
  p[5] = f->q;
  p[6] = db_param_int64(bb, f->before_id > 0 ? f->before_id : INT64_MAX);
  p[7] = db_param_int64(lb, f->limit);
  struct image_rows rows = {fn, arg, 1};
  return db_each_row(&q, p, image_row, &rows);
}

enum db_status db_image_get(const struct db_image_owner *o, int64_t id, db_image_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, SPACE "SELECT " IMAGE_COLUMNS
                       " FROM sp JOIN images i ON i.space_id = sp.id AND i.id = $4");
  struct owner_params ob;
  char ib[DB_INT64_SIZE];
  const char *p[4];
  owner_set(o, &ob, p);
  p[3] = db_param_int64(ib, id);
  struct image_rows rows = {fn, arg, 0};
  return db_each_row(&q, p, image_row, &rows);
}

enum db_status db_image_update(const struct db_image_owner *o, int64_t id, const char *name,
                               bool move, int64_t folder_id, int64_t now, db_image_fn fn, void *arg,
                               char code[DB_RESULT_CODE_SIZE])
{
  /* A move to a folder of another space matches no folder row: the
   * statement then changes nothing and says which it was. */
  static struct db_stmt q = DB_STMT(
      8, SPACE ", target AS (SELECT NOT $6::boolean OR $7::bigint IS NULL OR EXISTS"
               " (SELECT 1 FROM image_folders f, sp WHERE f.id = $7 AND f.space_id = sp.id) AS ok),"
               " u AS (UPDATE images i SET name = coalesce($5, i.name),"
               " folder_id = CASE WHEN $6::boolean THEN $7::bigint ELSE i.folder_id END,"
               " updated_at = us_to_ts($8) FROM sp, target"
               " WHERE i.id = $4 AND i.space_id = sp.id AND target.ok RETURNING i.*)"
               " SELECT (SELECT ok FROM target), " IMAGE_COLUMNS
               " FROM (SELECT 1) one LEFT JOIN u i ON true");
  struct owner_params ob;
  char ib[DB_INT64_SIZE], fb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[8];
  owner_set(o, &ob, p);
  p[3] = db_param_int64(ib, id);
  p[4] = name;
  p[5] = move ? "true" : "false";
  p[6] = move && folder_id > 0 ? db_param_int64(fb, folder_id) : NULL;
  p[7] = db_param_int64(nb, now);
  PGresult *res = NULL;
  enum db_status st = db_exec(&q, p, &res);
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  if (st == DB_ONE) {
    if (!PQgetisnull(res, 0, 1)) {
      struct db_image im;
      read_image(res, 0, 1, &im);
      snprintf(code, DB_RESULT_CODE_SIZE, "ok");
      fn(&im, arg);
    } else if (!db_get_bool(res, 0, 0)) {
      snprintf(code, DB_RESULT_CODE_SIZE, "invalid_folder");
    }
  }
  PQclear(res);
  return st;
}

static void read_code(const PGresult *res, void *arg)
{
  snprintf(arg, DB_RESULT_CODE_SIZE, "%s",
           PQgetisnull(res, 0, 0) ? "not_found" : PQgetvalue(res, 0, 0));
}

enum db_status db_image_delete(const struct db_image_owner *o, int64_t id, bool force,
                               char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q =
      DB_STMT(5, SPACE "SELECT CASE WHEN sp.id IS NULL THEN 'not_found'"
                       " ELSE image_delete(sp.id, $4, $5::boolean) END FROM sp");
  struct owner_params ob;
  char ib[DB_INT64_SIZE];
  const char *p[5];
  owner_set(o, &ob, p);
  p[3] = db_param_int64(ib, id);
  p[4] = force ? "true" : "false";
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  return db_query_row(&q, p, read_code, code);
}

static void read_folder(const PGresult *res, int r, int c, struct db_image_folder *f)
{
  f->id = db_get_int64(res, r, c);
  f->parent_id = get_id_or_zero(res, r, c + 1);
  f->depth = (int)db_get_int64(res, r, c + 2);
  f->name = PQgetvalue(res, r, c + 3);
  f->created_at = db_get_int64(res, r, c + 4);
}

struct folder_rows {
  db_image_folder_fn fn;
  void *arg;
  int c;
};

static void folder_row(const PGresult *res, int r, void *arg)
{
  struct folder_rows *rows = arg;
  if (PQgetisnull(res, r, rows->c))
    return;
  struct db_image_folder f;
  read_folder(res, r, rows->c, &f);
  rows->fn(&f, rows->arg);
}

enum db_status db_image_folder_add(const struct db_image_owner *o, int64_t parent_id,
                                   const char *name, int64_t now, db_image_folder_fn fn, void *arg,
                                   char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q = DB_STMT(
      6,
      SPACE ", a AS (SELECT r.* FROM sp, LATERAL image_folder_add(sp.id, $4, $5, us_to_ts($6)) r"
            " WHERE sp.id IS NOT NULL)"
            " SELECT coalesce(a.code, 'not_found'), a.id, $4::bigint, a.depth, $5::text, $6::bigint"
            " FROM (SELECT 1) one LEFT JOIN a ON true");
  struct owner_params ob;
  char pb[DB_INT64_SIZE], nb[DB_INT64_SIZE];
  const char *p[6];
  owner_set(o, &ob, p);
  p[3] = parent_id > 0 ? db_param_int64(pb, parent_id) : NULL;
  p[4] = name;
  p[5] = db_param_int64(nb, now);
  PGresult *res = NULL;
  enum db_status st = db_exec(&q, p, &res);
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  if (st == DB_ONE) {
    snprintf(code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, 0, 0));
    if (strcmp(code, "ok") == 0) {
      struct db_image_folder f;
      read_folder(res, 0, 1, &f);
      fn(&f, arg);
    }
  }
  PQclear(res);
  return st;
}

enum db_status db_image_folders_list(const struct db_image_owner *o, db_image_folder_fn fn,
                                     void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, SPACE "SELECT " FOLDER_COLUMNS " FROM sp LEFT JOIN image_folders f"
                       " ON f.space_id = sp.id WHERE sp.id IS NOT NULL"
                       " ORDER BY f.depth, f.parent_id NULLS FIRST, f.id");
  struct owner_params ob;
  const char *p[3];
  owner_set(o, &ob, p);
  struct folder_rows rows = {fn, arg, 0};
  return db_each_row(&q, p, folder_row, &rows);
}

enum db_status db_image_folder_rename(const struct db_image_owner *o, int64_t id, const char *name,
                                      db_image_folder_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, SPACE "UPDATE image_folders f SET name = $5 FROM sp"
                       " WHERE f.id = $4 AND f.space_id = sp.id RETURNING " FOLDER_COLUMNS);
  struct owner_params ob;
  char ib[DB_INT64_SIZE];
  const char *p[5];
  owner_set(o, &ob, p);
  p[3] = db_param_int64(ib, id);
  p[4] = name;
  struct folder_rows rows = {fn, arg, 0};
  return db_each_row(&q, p, folder_row, &rows);
}

enum db_status db_image_folder_delete(const struct db_image_owner *o, int64_t id,
                                      char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q = DB_STMT(4, SPACE "SELECT CASE WHEN sp.id IS NULL THEN 'not_found'"
                                             " ELSE image_folder_delete(sp.id, $4) END FROM sp");
  struct owner_params ob;
  char ib[DB_INT64_SIZE];
  const char *p[4];
  owner_set(o, &ob, p);
  p[3] = db_param_int64(ib, id);
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  return db_query_row(&q, p, read_code, code);
}

struct foreign_rows {
  void (*fn)(int64_t position, void *arg);
  void *arg;
  bool *owned;
};

static void foreign_row(const PGresult *res, int r, void *arg)
{
  struct foreign_rows *rows = arg;
  *rows->owned = db_get_bool(res, r, 0);
  if (*rows->owned && !PQgetisnull(res, r, 1))
    rows->fn(db_get_int64(res, r, 1), rows->arg);
}

enum db_status db_images_foreign(int64_t merchant_id, int64_t shop_id, const char *ids,
                                 void (*fn)(int64_t position, void *arg), void *arg, bool *owned)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT s.owned, t.n - 1 FROM (SELECT EXISTS (SELECT 1 FROM shops WHERE id = $2"
                 " AND merchant_id = $1) AS owned) s LEFT JOIN LATERAL (SELECT u.n FROM"
                 " unnest($3::bigint[]) WITH ORDINALITY u (id, n) WHERE u.id > 0 AND NOT EXISTS"
                 " (SELECT 1 FROM images i JOIN image_spaces sp ON sp.id = i.space_id"
                 " WHERE i.id = u.id AND sp.shop_id = $2)) t ON true ORDER BY t.n");
  char mb[DB_INT64_SIZE], sb[DB_INT64_SIZE];
  const char *p[] = {db_param_int64(mb, merchant_id), db_param_int64(sb, shop_id), ids};
  *owned = false;
  struct foreign_rows rows = {fn, arg, owned};
  return db_each_row(&q, p, foreign_row, &rows);
}

struct unnamed_rows {
  void (*fn)(const char *sha256, void *arg);
  void *arg;
};

static void unnamed_row(const PGresult *res, int r, void *arg)
{
  struct unnamed_rows *rows = arg;
  rows->fn(PQgetvalue(res, r, 0), rows->arg);
}

enum db_status db_images_unnamed(const char *const *sha256, int n,
                                 void (*fn)(const char *sha256, void *arg), void *arg)
{
  static struct db_stmt q =
      DB_STMT(1, "SELECT h FROM unnest(string_to_array($1, ',')) h"
                 " WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.sha256 = h)"
                 " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.image_sha256 = h)"
                 " AND NOT EXISTS (SELECT 1 FROM feedback_images f WHERE f.sha256 = h)");
  if (n <= 0)
    return DB_NONE;
  char list[(64 + 1) * 256];
  size_t used = 0;
  for (int i = 0; i < n && i < 256; i++) {
    memcpy(list + used, sha256[i], 64);
    used += 64;
    list[used++] = ',';
  }
  list[used - 1] = '\0';
  const char *p[] = {list};
  struct unnamed_rows rows = {fn, arg};
  return db_each_row(&q, p, unnamed_row, &rows);
}

enum db_status db_image_collectable(const char *sha256, bool *collectable)
{
  static struct db_stmt q = DB_STMT(1, "SELECT image_collectable($1)");
  const char *p[] = {sha256};
  PGresult *res = NULL;
  *collectable = false;
  enum db_status st = db_exec(&q, p, &res);
  if (st == DB_ONE)
    *collectable = db_get_bool(res, 0, 0);
  PQclear(res);
  return st;
}
