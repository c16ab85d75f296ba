/* The image space (图片空间): a shop's library of pictures, and a buyer's.
 *   POST   /v1/shops/{id}/images              upload (raw "image/..." or multipart)
 *   GET    /v1/shops/{id}/images              ?folder_id=&q=&cursor=&limit=
 *   GET    /v1/shops/{id}/images/{id}
 *   PATCH  /v1/shops/{id}/images/{id}         {"name"?, "folder_id"?}
 *   DELETE /v1/shops/{id}/images/{id}         ?force=true detaches it first
 *   POST   /v1/me/images                      a buyer's upload (chat photos)
 * An upload is decoded on the image pool while its request waits suspended;
 * the row is written on the HTTP thread once it is resumed. */
#include "clock.h"
#include "handlers.h"
#include "idempotency.h"
#include "imagepool.h"
#include "images.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "routes.h"
#include "tenancy.h"
#include "utf8.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_NAME_MAX 128

static struct db_image_owner owner_of(struct http_request *rq)
{
  struct db_image_owner o = {0};
  if (strcmp(rq->session.account.role, "buyer") == 0) {
    o.buyer_id = rq->session.account.id;
  } else {
    o.merchant_id = rq->session.account.id;
    o.shop_id = rq->ids[0];
  }
  return o;
}

static json_t *view_image(const struct db_image *im)
{
  char original[96], large[96], thumb[96];
  enum image_format f = IMAGE_UNKNOWN;
  for (int i = IMAGE_JPEG; i <= IMAGE_GIF; i++)
    if (strcmp(im->format, image_format_name((enum image_format)i)) == 0)
      f = (enum image_format)i;
  snprintf(original, sizeof original, "/media/%s.%s", im->sha256, image_format_ext(f));
  snprintf(large, sizeof large, "/media/%s_800.webp", im->sha256);
  snprintf(thumb, sizeof thumb, "/media/%s_200.webp", im->sha256);
  json_t *folder = im->folder_id > 0 ? json_integer(im->folder_id) : json_null();
  return json_pack("{s:I, s:s, s:o, s:i, s:i, s:I, s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "id",
                   (json_int_t)im->id, "name", im->name, "folder_id", folder, "width", im->width,
                   "height", im->height, "bytes", (json_int_t)im->bytes, "format", im->format,
                   "sha256", im->sha256, "urls", "original", original, "large", large, "thumb",
                   thumb, "created_at", view_time(im->created_at));
}

/* What a suspended upload keeps until it is resumed. */
struct upload_wait {
  struct imagepool_job job;
  struct http_request *rq;
  bool refused; /* the pool was full */
  bool claimed; /* its Idempotency-Key was looked at */
  int64_t folder_id;
  char name[IMAGE_NAME_MAX * 4 + 1];
};

static void on_decoded(struct imagepool_job *job, void *arg)
{
  struct upload_wait *w = arg;
  http_resume(w->rq);
}

static enum MHD_Result field_error(struct http_request *rq, const char *field, const char *message)
{
  return reply_problem(rq, PROBLEM_INVALID_FIELD, message,
                       json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message));
}

/* A name: valid UTF-8 without control characters, at most
 * IMAGE_NAME_MAX characters. */
static bool name_ok(const char *s)
{
  size_t chars = 0;
  while (*s != '\0') {
    size_t n = utf8_sequence((const unsigned char *)s);
    if (n == 0 || (n == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f)))
      return false;
    s += n;
    chars++;
  }
  return chars <= IMAGE_NAME_MAX;
}

/* The form's name and folder_id; a name defaults to the file's name, or
 * to "image". */
static enum http_step read_form(struct http_request *rq, struct upload_wait *w)
{
  const struct http_upload *up = &rq->upload;
  if (up->folder_id != NULL) {
    char *end;
    long long v = strtoll(up->folder_id, &end, 10);
    if (*end != '\0' || end == up->folder_id || v < 1)
      return HTTP_STEP_OF(field_error(rq, "folder_id", "must be a positive integer"));
    w->folder_id = v;
  }
  const char *name = up->name != NULL ? up->name : up->filename;
  /* A browser may send the client's path: the last part is the name. */
  const char *slash = strrchr(name, '/'), *backslash = strrchr(name, '\\');
  if (up->name == NULL && (slash != NULL || backslash != NULL))
    name = (slash > backslash ? slash : backslash) + 1;
  if (name == NULL || name[0] == '\0')
    name = "image";
  size_t n = strlen(name);
  if (!name_ok(name) || n >= sizeof w->name)
    return HTTP_STEP_OF(field_error(rq, "name", "must be 1 to 128 characters of UTF-8"));
  memcpy(w->name, name, n + 1);
  return HTTP_STEP_OK;
}

/* An upload's entry, added in a transaction of its own or in its
 * Idempotency-Key's. */
struct entry_add {
  struct http_request *rq;
  struct upload_wait *w;
  int64_t now, id;
  char code[DB_RESULT_CODE_SIZE];
  bool files_gone;
};

/* Adds the entry, then looks at its files under the picture's lock, which
 * image_add took shared (db/sql/image_blob_lock.sql). The collector removes
 * files only while it holds that lock exclusively, having found no entry:
 * files seen now stay, and files it removed after they were stored (they
 * were old and unnamed, and storing them only renewed their time) are
 * missing now. Then the entry must not commit: DB_HARD_ERROR rolls it
 * back. */
static enum db_status entry_add(void *arg, bool last)
{
  struct entry_add *a = arg;
  struct upload_wait *w = a->w;
  const struct image_header *h = &w->job.header;
  struct db_image_owner o = owner_of(a->rq);
  enum db_status st =
      db_image_add(&o, w->folder_id, w->name, w->job.sha256, image_format_name(h->format), h->width,
                   h->height, (int64_t)w->job.bytes, a->now, a->code, &a->id);
  if (st >= DB_NONE && strcmp(a->code, "ok") == 0 && !imagepool_stored(w->job.sha256, h->format)) {
    a->files_gone = true;
    return DB_HARD_ERROR;
  }
  return st;
}

static enum MHD_Result upload_finish(struct http_request *rq, struct upload_wait *w)
{
  if (w->refused)
    return reply_problem_retry(rq, PROBLEM_SERVER_BUSY,
                               "too many images are being processed; try again shortly", 1);
  if (w->job.result == IMAGE_UNSUPPORTED)
    return reply_problem(rq, PROBLEM_UNSUPPORTED_MEDIA, w->job.reason, NULL);
  if (w->job.result == IMAGE_INVALID)
    return reply_problem(rq, PROBLEM_INVALID_IMAGE, w->job.reason, NULL);
  if (w->job.result != IMAGE_OK)
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  /* The Idempotency-Key is claimed only now, once the image is decoded:
   * the request held no claim and no transaction while it waited. The
   * write then runs as every keyed write does: idempotency_run calls this
   * handler again inside the key's transaction, which stores the reply
   * with the row (and may run it again after a conflict). */
  if (rq->route->idempotent && !w->claimed) {
    w->claimed = true;
    enum http_step step = idempotency_begin(rq);
    if (step != HTTP_STEP_OK)
      return http_step_result(step);
    return idempotency_run(rq);
  }
  /* A keyed upload is inside its key's transaction already. */
  struct entry_add a = {.rq = rq, .w = w, .now = clock_now_us()};
  enum db_status st = db_txn_open() ? entry_add(&a, true) : db_txn_run(entry_add, &a);
  if (a.files_gone)
    return reply_problem_retry(rq, PROBLEM_SERVER_BUSY,
                               "the image's files were being removed; send it again", 1);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  const struct image_header *h = &w->job.header;
  const char *code = a.code;
  int64_t now = a.now, id = a.id;
  if (strcmp(code, "not_found") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  if (strcmp(code, "invalid_folder") == 0)
    return field_error(rq, "folder_id", "no such folder in this image space");
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code, "the image space is full (1 GiB or 10,000 images)");
  struct db_image im = {id,
                        w->folder_id,
                        w->name,
                        w->job.sha256,
                        image_format_name(h->format),
                        h->width,
                        h->height,
                        (int64_t)w->job.bytes,
                        now,
                        now};
  return reply_json_steal(rq, MHD_HTTP_CREATED, view_image(&im));
}

/* Both upload routes: the shop's and the buyer's own. */
enum MHD_Result h_images_upload(struct http_request *rq)
{
  if (rq->async != NULL)
    return upload_finish(rq, rq->async);
  if (rq->upload.len > IMAGE_MAX_BYTES) {
    char detail[64];
    snprintf(detail, sizeof detail, "the file exceeds %u bytes", IMAGE_MAX_BYTES);
    return reply_problem(rq, PROBLEM_PAYLOAD_TOO_LARGE, detail, NULL);
  }
  struct upload_wait *w = calloc(1, sizeof *w);
  if (w == NULL)
    return MHD_NO;
  enum http_step step = read_form(rq, w);
  /* Another merchant's shop costs no decode. */
  if (step == HTTP_STEP_OK && strcmp(rq->session.account.role, "merchant") == 0)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK) {
    free(w);
    return http_step_result(step);
  }
  w->rq = rq;
  w->job.data = rq->upload.data;
  w->job.len = rq->upload.len;
  w->job.done = on_decoded;
  w->job.arg = w;
  rq->async = w;
  rq->async_free = free;
  if (!http_suspend(rq))
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  if (!imagepool_submit(&w->job)) {
    w->refused = true;
    http_resume(rq);
  }
  return MHD_YES;
}

struct image_out_ctx {
  json_t *one;
  struct page *pg;
  bool failed;
};

static void set_image(const struct db_image *im, void *arg)
{
  struct image_out_ctx *out = arg;
  out->one = view_image(im);
  out->failed = out->one == NULL;
}

static void page_image(const struct db_image *im, void *arg)
{
  struct image_out_ctx *out = arg;
  if (!page_row(out->pg))
    return;
  json_t *v = view_image(im);
  char *text = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
  json_decref(v);
  if (text == NULL) {
    out->failed = true;
    return;
  }
  jsonout_raw(&out->pg->out, text);
  free(text);
  out->pg->last.id = im->id;
}

enum MHD_Result h_images_list(struct http_request *rq)
{
  int64_t folder_id = -1, limit = QUERY_LIMIT_DEFAULT;
  const char *q = NULL, *cursor_text = NULL;
  const struct query_param params[] = {
      QUERY_INT("folder_id", &folder_id, 0, INT64_MAX),
      QUERY_TEXT("q", &q, 1, 64),
      QUERY_CURSOR(&cursor_text),
      QUERY_LIMIT(&limit),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  struct cursor c = {0, 0};
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, 'i', cursor_text, &c);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_image_owner o = owner_of(rq);
  struct db_image_filter f = {folder_id, q, c.id, limit + 1};
  struct page pg;
  page_begin(&pg, limit);
  struct image_out_ctx out = {.pg = &pg};
  enum db_status st = db_images_list(&o, &f, page_image, &out);
  if (st <= DB_NONE || out.failed) {
    jsonout_free(&pg.out);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    if (st == DB_NONE)
      return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  return page_reply(rq, &pg, 'i');
}

static enum MHD_Result one_reply(struct http_request *rq, enum db_status st,
                                 struct image_out_ctx *out)
{
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE || out->one == NULL) {
    json_decref(out->one);
    return out->failed ? reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL)
                       : reply_problem(rq, PROBLEM_NOT_FOUND, "no such image in this space", NULL);
  }
  return reply_json_steal(rq, MHD_HTTP_OK, out->one);
}

enum MHD_Result h_images_get(struct http_request *rq)
{
  struct db_image_owner o = owner_of(rq);
  struct image_out_ctx out = {0};
  return one_reply(rq, db_image_get(&o, rq->ids[1], set_image, &out), &out);
}

enum MHD_Result h_images_update(struct http_request *rq)
{
  const char *name = NULL;
  int64_t folder_id = 0;
  bool has[2];
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, IMAGE_NAME_MAX, JSONIN_OPTIONAL, .present = &has[0]),
      JSONIN_INT("folder_id", &folder_id, 1, INT64_MAX, JSONIN_NULLABLE, .present = &has[1]),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (!has[0] && !has[1])
    return field_error(rq, "body", "must have name or folder_id");
  struct db_image_owner o = owner_of(rq);
  struct image_out_ctx out = {0};
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st = db_image_update(&o, rq->ids[1], name, has[1], folder_id, clock_now_us(),
                                      set_image, &out, code);
  if (st >= DB_NONE && strcmp(code, "invalid_folder") == 0)
    return field_error(rq, "folder_id", "no such folder in this image space");
  return one_reply(rq, st, &out);
}

enum MHD_Result h_images_delete(struct http_request *rq)
{
  bool force = false;
  const struct query_param params[] = {QUERY_BOOL("force", &force)};
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_image_owner o = owner_of(rq);
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st = db_image_delete(&o, rq->ids[1], force, code);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such image in this space", NULL);
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code,
                              "a product or SKU uses this image; delete with ?force=true to "
                              "detach it");
  return reply_empty(rq, MHD_HTTP_NO_CONTENT);
}
