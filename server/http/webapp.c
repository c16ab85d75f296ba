#include "webapp.h"

#include "log.h"
#include "request.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GZ_SUFFIX ".gz"

static struct webapp_file index_file;
static struct webapp_file *assets; /* sorted by name */
static size_t asset_count;
static bool installed;

static const struct {
  const char *ext;
  const char *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"txt", "text/plain; charset=utf-8"},
};

const char *webapp_content_type(const char *name)
{
  const char *dot = strrchr(name, '.');
  if (dot != NULL)
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      if (strcmp(dot + 1, types[i].ext) == 0)
        return types[i].type;
  return "application/octet-stream";
}

/* The router's {file}: letters, digits, '.', '_', '-', no leading dot. A
 * compressed copy's name may be GZ_SUFFIX longer than a served name. */
static bool plain_name(const char *name)
{
  size_t len = strlen(name);
  if (len == 0 || len >= HTTP_FILE_SIZE + strlen(GZ_SUFFIX) || name[0] == '.')
    return false;
  return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

static bool is_gz(const char *name)
{
  size_t len = strlen(name), n = strlen(GZ_SUFFIX);
  return len > n && strcmp(name + len - n, GZ_SUFFIX) == 0;
}

static void file_free(struct webapp_file *f)
{
  free(f->name);
  free(f->plain.data);
  free(f->gzip.data);
  memset(f, 0, sizeof *f);
}

/* What reading one file came to. */
enum got { GOT_FILE, GOT_NONE, GOT_OTHER, GOT_ERROR };

/* Reads dirfd/name (where: its path, for messages) into b, counting its
 * bytes into *total. GOT_NONE: no such file; GOT_OTHER: not a regular file;
 * GOT_ERROR: logged. */
static enum got read_body(int dirfd, const char *name, const char *where, struct webapp_body *b,
                          size_t *total)
{
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT)
      return GOT_NONE;
    log_error("MERCHANTD_WEB_DIR: could not open %s: %s", where, strerror(errno));
    return GOT_ERROR;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    log_error("MERCHANTD_WEB_DIR: could not read %s: %s", where, strerror(errno));
    close(fd);
    return GOT_ERROR;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return GOT_OTHER;
  }
  if ((uint64_t)st.st_size > WEBAPP_MAX_BYTES - *total) {
    log_error("MERCHANTD_WEB_DIR: the console's files exceed %u bytes (at %s)", WEBAPP_MAX_BYTES,
              where);
    close(fd);
    return GOT_ERROR;
  }
  size_t len = (size_t)st.st_size;
  char *data = malloc(len > 0 ? len : 1);
  size_t got = 0;
  while (data != NULL && got < len) {
    ssize_t n = read(fd, data + got, len - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      log_error("MERCHANTD_WEB_DIR: could not read %s: %s", where,
                n < 0 ? strerror(errno) : "it shrank while read");
      free(data);
      close(fd);
      return GOT_ERROR;
    }
    got += (size_t)n;
  }
  close(fd);
  if (data == NULL) {
    log_error("MERCHANTD_WEB_DIR: out of memory reading %s", where);
    return GOT_ERROR;
  }
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, (const unsigned char *)data, len, NULL, 0);
  b->etag[0] = '"';
  sodium_bin2hex(b->etag + 1, sizeof b->etag - 2, hash, sizeof hash);
  strcpy(b->etag + 1 + 2 * sizeof hash, "\"");
  b->data = data;
  b->len = len;
  *total += len;
  return GOT_FILE;
}

/* Reads name (under dirfd, shown as prefix + name) and its compressed copy
 * name.gz when there is one (has_gz says whether to look). */
static enum got read_file(int dirfd, const char *prefix, const char *name, bool has_gz,
                          struct webapp_file *f, size_t *total)
{
  char where[2 * HTTP_FILE_SIZE + 16], gz[HTTP_FILE_SIZE + 8];
  snprintf(where, sizeof where, "%s%s", prefix, name);
  memset(f, 0, sizeof *f);
  enum got g = read_body(dirfd, name, where, &f->plain, total);
  if (g != GOT_FILE)
    return g;
  f->name = strdup(name);
  f->content_type = webapp_content_type(name);
  if (f->name == NULL) {
    log_error("MERCHANTD_WEB_DIR: out of memory");
    file_free(f);
    return GOT_ERROR;
  }
  if (has_gz) {
    snprintf(gz, sizeof gz, "%s" GZ_SUFFIX, name);
    snprintf(where, sizeof where, "%s%s", prefix, gz);
    g = read_body(dirfd, gz, where, &f->gzip, total);
    if (g == GOT_ERROR) {
      file_free(f);
      return GOT_ERROR;
    }
  }
  return GOT_FILE;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_by_name(const void *key, const void *f)
{
  return strcmp(key, ((const struct webapp_file *)f)->name);
}

/* The names of the entries of dir (taken: closed here), sorted; NULL
 * (logged) when one is not plain or they cannot be read. */
static char **list_names(DIR *dir, size_t *count)
{
  char **names = NULL;
  size_t n = 0;
  bool ok = true;
  for (struct dirent *e; ok && (errno = 0, e = readdir(dir)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (!plain_name(e->d_name)) {
      log_error("MERCHANTD_WEB_DIR: assets/%s is not a plain file name (up to %d letters, "
                "digits, '.', '_' and '-', not starting with '.')",
                e->d_name, HTTP_FILE_SIZE - 1);
      ok = false;
    } else if (n == WEBAPP_MAX_FILES) {
      log_error("MERCHANTD_WEB_DIR: assets/ holds more than %u files", WEBAPP_MAX_FILES);
      ok = false;
    } else {
      char **grown = realloc(names, (n + 1) * sizeof *names);
      char *name = strdup(e->d_name);
      if (grown != NULL)
        names = grown;
      if (grown == NULL || name == NULL) {
        free(name);
        log_error("MERCHANTD_WEB_DIR: out of memory");
        ok = false;
      } else {
        names[n++] = name;
      }
    }
  }
  if (ok && errno != 0) {
    log_error("MERCHANTD_WEB_DIR: could not list assets/: %s", strerror(errno));
    ok = false;
  }
  closedir(dir);
  if (!ok) {
    for (size_t i = 0; i < n; i++)
      free(names[i]);
    free(names);
    return NULL;
  }
  if (n > 0)
    qsort(names, n, sizeof *names, by_name);
  *count = n;
  return names;
}

/* True when name + GZ_SUFFIX is among the sorted names. */
static bool listed_gz(char **names, size_t n, const char *name)
{
  char gz[HTTP_FILE_SIZE + 8];
  snprintf(gz, sizeof gz, "%s" GZ_SUFFIX, name);
  const char *key = gz;
  return bsearch(&key, names, n, sizeof *names, by_name) != NULL;
}

/* True when name is the compressed copy of another of the sorted names. */
static bool is_copy(char **names, size_t n, const char *name)
{
  if (!is_gz(name))
    return false;
  char base[HTTP_FILE_SIZE + 8];
  snprintf(base, sizeof base, "%.*s", (int)(strlen(name) - strlen(GZ_SUFFIX)), name);
  const char *key = base;
  return bsearch(&key, names, n, sizeof *names, by_name) != NULL;
}

/* Reads dirfd's assets/ into assets; no assets/ is no assets. */
static bool load_assets(int dirfd, size_t *total)
{
  int fd = openat(dirfd, "assets", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return true;
    log_error("MERCHANTD_WEB_DIR: could not open assets/: %s", strerror(errno));
    return false;
  }
  DIR *dir = fdopendir(fd);
  if (dir == NULL) {
    log_error("MERCHANTD_WEB_DIR: could not list assets/: %s", strerror(errno));
    close(fd);
    return false;
  }
  int afd = dup(fd);
  size_t n = 0;
  char **names = list_names(dir, &n);
  bool ok = names != NULL && afd >= 0;
  if (afd < 0)
    log_error("MERCHANTD_WEB_DIR: could not read assets/: %s", strerror(errno));
  assets = ok && n > 0 ? calloc(n, sizeof *assets) : NULL;
  if (ok && n > 0 && assets == NULL) {
    log_error("MERCHANTD_WEB_DIR: out of memory");
    ok = false;
  }
  for (size_t i = 0; ok && i < n; i++) {
    if (is_copy(names, n, names[i]))
      continue;
    if (strlen(names[i]) >= HTTP_FILE_SIZE) {
      log_error("MERCHANTD_WEB_DIR: assets/%s: the name is longer than %d characters", names[i],
                HTTP_FILE_SIZE - 1);
      ok = false;
      break;
    }
    switch (read_file(afd, "assets/", names[i], listed_gz(names, n, names[i]), &assets[asset_count],
                      total)) {
    case GOT_FILE:
      asset_count++;
      break;
    case GOT_OTHER:
      log_warn("MERCHANTD_WEB_DIR: assets/%s is not a regular file; it is not served", names[i]);
      break;
    case GOT_NONE: /* removed since listed */
      break;
    case GOT_ERROR:
      ok = false;
      break;
    }
  }
  for (size_t i = 0; names != NULL && i < n; i++)
    free(names[i]);
  free(names);
  if (afd >= 0)
    close(afd);
  return ok;
}

bool webapp_load(const char *dir)
{
  webapp_free();
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    log_error("MERCHANTD_WEB_DIR: could not open the directory \"%s\": %s", dir, strerror(errno));
    return false;
  }
  size_t total = 0;
  enum got g = read_file(fd, "", "index.html", true, &index_file, &total);
  if (g == GOT_NONE || g == GOT_OTHER)
    log_error("MERCHANTD_WEB_DIR: \"%s\" has no index.html; build the console into it first", dir);
  bool ok = g == GOT_FILE && load_assets(fd, &total);
  close(fd);
  if (!ok) {
    webapp_free();
    return false;
  }
  installed = true;
  log_info("the web console: %zu files, %zu bytes, from \"%s\"", asset_count + 1, total, dir);
  return true;
}

void webapp_free(void)
{
  file_free(&index_file);
  for (size_t i = 0; i < asset_count; i++)
    file_free(&assets[i]);
  free(assets);
  assets = NULL;
  asset_count = 0;
  installed = false;
}

bool webapp_installed(void)
{
  return installed;
}

const struct webapp_file *webapp_index(void)
{
  return installed ? &index_file : NULL;
}

const struct webapp_file *webapp_asset(const char *name)
{
  if (!installed || asset_count == 0)
    return NULL;
  return bsearch(name, assets, asset_count, sizeof *assets, file_by_name);
}
