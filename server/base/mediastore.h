/* Where image files live: a small interface with one backend today, a
 * directory (MERCHANTD_MEDIA_DIR). Files are named by content
 * ("<sha256>.<ext>", "<sha256>_800.webp", "<sha256>_200.webp"), so a name
 * always means the same bytes: writing one that exists changes nothing,
 * and several instances may share the directory. */
#ifndef MERCHANTD_MEDIASTORE_H
#define MERCHANTD_MEDIASTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEDIASTORE_NAME_SIZE 80

struct mediastore_backend {
  /* Stores bytes under name; true when they are durably there. */
  bool (*put)(const char *name, const void *buf, size_t len);
  /* Opens name for reading: a descriptor (the caller closes it) and its
   * size, or -1 when there is no such file. */
  int (*open)(const char *name, uint64_t *size);
  bool (*remove)(const char *name);
  /* Calls fn for every stored name with its age in seconds; stops early
   * when fn returns false. */
  bool (*each)(bool (*fn)(const char *name, int64_t age_s, void *arg), void *arg);
};

/* The directory backend under dir (created with its parents when
 * missing). False, with a warning logged, when it cannot be written: the
 * store then fails every write, and uploads answer 500. */
bool mediastore_init(const char *dir);
const struct mediastore_backend *mediastore(void);

/* True for a name this store would write: 64 lower-case hex digits, then
 * ".jpg", ".png", ".webp", ".gif", "_800.webp" or "_200.webp". */
bool mediastore_name_ok(const char *name);

#endif
