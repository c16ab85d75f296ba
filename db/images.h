/* The image space (migrations/0022_image_space.sql): a shop's or a buyer's
 * uploaded pictures and their folders. Every statement resolves the space
 * from its owner in the same round trip (image_space_of): another
 * merchant's shop reads as no space at all. */
#ifndef MERCHANTD_DB_IMAGES_H
#define MERCHANTD_DB_IMAGES_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* Whose space: a merchant's shop (shop_id > 0), or a buyer's own
 * (shop_id 0, buyer_id > 0). */
struct db_image_owner {
  int64_t merchant_id, shop_id, buyer_id;
};

/* One entry. Texts point into the query result: valid only while the
 * callback that received it runs. folder_id is 0 at the top level. */
struct db_image {
  int64_t id, folder_id;
  const char *name, *sha256, *format;
  int width, height;
  int64_t bytes;
  int64_t created_at, updated_at;
};

typedef void (*db_image_fn)(const struct db_image *im, void *arg);

/* Adds an entry for stored files; code is "ok" (*id set), "not_found",
 * "invalid_folder" or "quota_exceeded". folder_id 0: top level. */
enum db_status db_image_add(const struct db_image_owner *o, int64_t folder_id, const char *name,
                            const char *sha256, const char *format, int width, int height,
                            int64_t bytes, int64_t now, char code[DB_RESULT_CODE_SIZE],
                            int64_t *id);

/* What a list asks for: folder_id < 0 any folder, 0 the top level; q NULL
 * or a text the name must contain (case-insensitive); before_id 0 or the
 * id the page starts below (newest first). */
struct db_image_filter {
  int64_t folder_id;
  const char *q;
  int64_t before_id;
  int64_t limit;
};

/* The space's entries to fn, newest first; DB_NONE when there is no such
 * space (an empty list is DB_ONE). */
enum db_status db_images_list(const struct db_image_owner *o, const struct db_image_filter *f,
                              db_image_fn fn, void *arg);

/* One entry to fn; DB_NONE when the space has none of that id. */
enum db_status db_image_get(const struct db_image_owner *o, int64_t id, db_image_fn fn, void *arg);

/* Renames (name not NULL) and/or moves (move: to folder_id, 0 the top
 * level) an entry and hands it to fn. code "ok", "not_found" or
 * "invalid_folder". */
enum db_status db_image_update(const struct db_image_owner *o, int64_t id, const char *name,
                               bool move, int64_t folder_id, int64_t now, db_image_fn fn, void *arg,
                               char code[DB_RESULT_CODE_SIZE]);

/* Deletes an entry: code "ok", "not_found" or "image_in_use" (unless
 * force, which detaches it from what uses it). */
enum db_status db_image_delete(const struct db_image_owner *o, int64_t id, bool force,
                               char code[DB_RESULT_CODE_SIZE]);

struct db_image_folder {
  int64_t id, parent_id; /* parent_id 0 at the top */
  int depth;
  const char *name;
  int64_t created_at;
};

typedef void (*db_image_folder_fn)(const struct db_image_folder *f, void *arg);

/* Adds a folder; code "ok" (the folder handed to fn), "not_found" (no
 * space), "invalid_folder" (no such parent) or "folder_too_deep". */
enum db_status db_image_folder_add(const struct db_image_owner *o, int64_t parent_id,
                                   const char *name, int64_t now, db_image_folder_fn fn, void *arg,
                                   char code[DB_RESULT_CODE_SIZE]);
/* Every folder of the space to fn, by depth, parent and id; DB_NONE when
 * there is no such space. */
enum db_status db_image_folders_list(const struct db_image_owner *o, db_image_folder_fn fn,
                                     void *arg);
/* Renames a folder and hands it to fn; DB_NONE when there is none. */
enum db_status db_image_folder_rename(const struct db_image_owner *o, int64_t id, const char *name,
                                      db_image_folder_fn fn, void *arg);
/* code "ok", "not_found" or "folder_not_empty". */
enum db_status db_image_folder_delete(const struct db_image_owner *o, int64_t id,
                                      char code[DB_RESULT_CODE_SIZE]);

/* Of the image ids given as a SQL array ("{0,5,7}"; 0 for none), hands fn
 * the 0-based position of each that is not an image of the shop's space.
 * *owned says whether the merchant has the shop at all (when not, nothing
 * is judged: the caller answers 404 like for any other part of it). */
enum db_status db_images_foreign(int64_t merchant_id, int64_t shop_id, const char *ids,
                                 void (*fn)(int64_t position, void *arg), void *arg, bool *owned);

/* Of the n content names given (SHA-256 hex), hands fn those no entry of
 * any space and no chat message names: the candidates of the collector,
 * which asks again of each with db_image_collectable. */
enum db_status db_images_unnamed(const char *const *sha256, int n,
                                 void (*fn)(const char *sha256, void *arg), void *arg);

/* Inside a transaction: takes the picture's lock exclusively and tells
 * whether no entry nor message names it. While *collectable is true and the
 * transaction lasts, no upload can name the picture without finding its
 * files missing, so they may be removed. */
enum db_status db_image_collectable(const char *sha256, bool *collectable);

#endif
