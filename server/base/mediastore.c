#include "mediastore.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[4096];

bool mediastore_name_ok(const char *name)
{
  size_t n = strlen(name);
  if (n < 68 || strspn(name, "0123456789abcdef") != 64)
    return false;
  const char *rest = name + 64;
  static const char *const tails[] = {".jpg", ".png", ".webp", ".gif", "_800.webp", "_200.webp"};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++)
    if (strcmp(rest, tails[i]) == 0)
      return true;
  return false;
}

/* Files go two levels down by their first two hex digits, so no directory
 * holds more than a few thousand entries. */
static bool path_of(const char *name, char *out, size_t size)
{
  if (!mediastore_name_ok(name))
    return false;
  int n = snprintf(out, size, "%s/%.2s/%s", root, name, name);
  return n > 0 && (size_t)n < size;
}

static bool fsync_dir(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool ok = fsync(fd) == 0;
  close(fd);
  return ok;
}

static bool write_all(int fd, const unsigned char *buf, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    buf += n;
    len -= (size_t)n;
  }
  return true;
}

/* Write to a temporary name, fsync, rename over the final name, fsync the
 * directory: a crash leaves either no file under the final name or the
 * whole one, never half. An existing file has the same bytes by its name;
 * its time is renewed, since the garbage collector spares young files and
 * a row may be about to name it. */
static bool dir_put(const char *name, const void *buf, size_t len)
{
  char path[4200], dir[4200], tmp[4300];
  if (!path_of(name, path, sizeof path))
    return false;
  snprintf(dir, sizeof dir, "%s/%.2s", root, name);
  if (utimensat(AT_FDCWD, path, NULL, 0) == 0)
    return true;
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    log_error("could not create directory \"%s\": %s", dir, strerror(errno));
    return false;
  }
  snprintf(tmp, sizeof tmp, "%s/.tmp-%08x-%s", dir, randombytes_random(), name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    log_error("could not create file \"%s\": %s", tmp, strerror(errno));
    return false;
  }
  bool ok = write_all(fd, buf, len) && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (ok && rename(tmp, path) == 0 && fsync_dir(dir))
    return true;
  log_error("could not write file \"%s\": %s", path, strerror(errno));
  unlink(tmp);
  return false;
}

static int dir_open(const char *name, uint64_t *size)
{
  char path[4200];
  if (!path_of(name, path, sizeof path))
    return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0)
    return -1;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return -1;
  }
  *size = (uint64_t)st.st_size;
  return fd;
}

static bool dir_remove(const char *name)
{
  char path[4200];
  return path_of(name, path, sizeof path) && (unlink(path) == 0 || errno == ENOENT);
}

/* Leftover temporary files (a crash between create and rename) are
 * removed here too once they are an hour old. */
static bool dir_each(bool (*fn)(const char *name, int64_t age_s, void *arg), void *arg)
{
  DIR *top = opendir(root);
  if (top == NULL)
    return false;
  time_t now = time(NULL);
  bool go = true;
  struct dirent *d;
  while (go && (d = readdir(top)) != NULL) {
    if (strlen(d->d_name) != 2 || strspn(d->d_name, "0123456789abcdef") != 2)
      continue;
    char sub[4096 + 4];
    snprintf(sub, sizeof sub, "%s/%.2s", root, d->d_name);
    DIR *dd = opendir(sub);
    if (dd == NULL)
      continue;
    struct dirent *e;
    while (go && (e = readdir(dd)) != NULL) {
      char path[4200 + 260];
      struct stat st;
      snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
      if (e->d_name[0] == '.' || stat(path, &st) != 0) {
        if (strncmp(e->d_name, ".tmp-", 5) == 0 && stat(path, &st) == 0 && now - st.st_mtime > 3600)
          unlink(path);
        continue;
      }
      if (mediastore_name_ok(e->d_name))
        go = fn(e->d_name, (int64_t)(now - st.st_mtime), arg);
    }
    closedir(dd);
  }
  closedir(top);
  return true;
}

static const struct mediastore_backend dir_backend = {dir_put, dir_open, dir_remove, dir_each};

/* Creates dir and its missing parents, like mkdir -p. */
static bool make_dirs(const char *dir)
{
  char path[sizeof root];
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = path + 1; *p != '\0'; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  return mkdir(path, 0755) == 0 || errno == EEXIST;
}

bool mediastore_init(const char *dir)
{
  if (snprintf(root, sizeof root, "%s", dir) >= (int)sizeof root)
    return false;
  if (!make_dirs(root)) {
    log_warn("could not create media directory \"%s\": %s", root, strerror(errno));
    return false;
  }
  if (access(root, W_OK | X_OK) != 0) {
    log_warn("cannot write media directory \"%s\": %s", root, strerror(errno));
    return false;
  }
  return true;
}

const struct mediastore_backend *mediastore(void)
{
  return &dir_backend;
}
