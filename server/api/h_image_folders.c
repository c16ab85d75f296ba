/* Folders of a shop's image space, nested at most three deep:
 *   POST   /v1/shops/{id}/image-folders        {"name", "parent_id"?}
 *   GET    /v1/shops/{id}/image-folders        every folder, parents first
 *   PATCH  /v1/shops/{id}/image-folders/{id}   {"name"}
 *   DELETE /v1/shops/{id}/image-folders/{id}   only an empty one */
#include "clock.h"
#include "handlers.h"
#include "images.h"
#include "jsonin.h"
#include "reply.h"
#include "view.h"

#include <string.h>

#define FOLDER_NAME_MAX 64

static struct db_image_owner owner_of(struct http_request *rq)
{
  return (struct db_image_owner){rq->session.account.id, rq->ids[0], 0};
}

static json_t *view_folder(const struct db_image_folder *f)
{
  return json_pack("{s:I, s:s, s:o, s:i, s:o}", "id", (json_int_t)f->id, "name", f->name,
                   "parent_id", f->parent_id > 0 ? json_integer(f->parent_id) : json_null(),
                   "depth", f->depth, "created_at", view_time(f->created_at));
}

struct folder_out {
  json_t *items, *one;
  bool failed;
};

static void add_folder(const struct db_image_folder *f, void *arg)
{
  struct folder_out *out = arg;
  if (json_array_append_new(out->items, view_folder(f)) != 0)
    out->failed = true;
}

static void set_folder(const struct db_image_folder *f, void *arg)
{
  struct folder_out *out = arg;
  out->one = view_folder(f);
  out->failed = out->one == NULL;
}

static enum MHD_Result field_error(struct http_request *rq, const char *field, const char *message)
{
  return reply_problem(rq, PROBLEM_INVALID_FIELD, message,
                       json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message", message));
}

enum MHD_Result h_image_folders_create(struct http_request *rq)
{
  const char *name = NULL;
  int64_t parent_id = 0;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, FOLDER_NAME_MAX, JSONIN_REQUIRED),
      JSONIN_INT("parent_id", &parent_id, 1, INT64_MAX, JSONIN_NULLABLE),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_image_owner o = owner_of(rq);
  struct folder_out out = {0};
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st =
      db_image_folder_add(&o, parent_id, name, clock_now_us(), set_folder, &out, code);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "invalid_folder") == 0)
    return field_error(rq, "parent_id", "no such folder in this image space");
  if (strcmp(code, "folder_too_deep") == 0)
    return field_error(rq, "parent_id", "folders nest at most three deep");
  if (strcmp(code, "ok") != 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  if (out.one == NULL)
    return reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  return reply_json_steal(rq, MHD_HTTP_CREATED, out.one);
}

enum MHD_Result h_image_folders_list(struct http_request *rq)
{
  struct db_image_owner o = owner_of(rq);
  struct folder_out out = {.items = json_array()};
  if (out.items == NULL)
    return MHD_NO;
  enum db_status st = db_image_folders_list(&o, add_folder, &out);
  if (st <= DB_NONE || out.failed) {
    json_decref(out.items);
    if (st < DB_NONE)
      return reply_db_error(rq, st);
    return st == DB_NONE ? reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL)
                         : reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:o, s:n}", "items", out.items, "next_cursor"));
}

enum MHD_Result h_image_folders_update(struct http_request *rq)
{
  const char *name = NULL;
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("name", &name, 1, FOLDER_NAME_MAX, JSONIN_REQUIRED),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  struct db_image_owner o = owner_of(rq);
  struct folder_out out = {0};
  enum db_status st = db_image_folder_rename(&o, rq->ids[1], name, set_folder, &out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (st == DB_NONE || out.one == NULL)
    return out.failed ? reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL)
                      : reply_problem(rq, PROBLEM_NOT_FOUND, "no such folder in this space", NULL);
  return reply_json_steal(rq, MHD_HTTP_OK, out.one);
}

enum MHD_Result h_image_folders_delete(struct http_request *rq)
{
  struct db_image_owner o = owner_of(rq);
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st = db_image_folder_delete(&o, rq->ids[1], code);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such folder in this space", NULL);
  if (strcmp(code, "ok") != 0)
    return reply_problem_code(rq, code, "the folder still holds images or folders");
  return reply_empty(rq, MHD_HTTP_NO_CONTENT);
}
