/* The web console's files (MERCHANTD_WEB_DIR), read into memory once at
 * start and served from there under /app (api/h_app.c). The directory is
 * what the console's build writes: index.html, the app shell, and
 * assets/<name> with content-hashed names, each perhaps with a
 * precompressed assets/<name>.gz beside it. */
#ifndef MERCHANTD_WEBAPP_H
#define MERCHANTD_WEBAPP_H

#include <stdbool.h>
#include <stddef.h>

/* All the files together, compressed copies included. */
#define WEBAPP_MAX_BYTES (16u * 1024 * 1024)
#define WEBAPP_MAX_FILES 4096u
/* A quoted hex BLAKE2b-128 of the bytes, and its NUL. */
#define WEBAPP_ETAG_SIZE 35

/* One representation of a file: its bytes and their strong ETag. */
struct webapp_body {
  char *data; /* NULL: none */
  size_t len;
  char etag[WEBAPP_ETAG_SIZE];
};

struct webapp_file {
  char *name;               /* "index.html", or the asset's name under assets/ */
  const char *content_type; /* from the name's extension */
  struct webapp_body plain;
  struct webapp_body gzip; /* the <name>.gz beside it, when there was one */
};

/* Reads index.html and every regular file directly under dir/assets. False,
 * with the reason logged, when dir cannot be read, index.html is missing,
 * a name is not plain (letters, digits, '.', '_', '-', no leading dot: the
 * router's {file}), or the files exceed WEBAPP_MAX_BYTES or
 * WEBAPP_MAX_FILES; nothing is kept then. */
bool webapp_load(const char *dir);
/* Frees what webapp_load read (the HTTP daemon has stopped). */
void webapp_free(void);

/* True once webapp_load succeeded. */
bool webapp_installed(void);
/* index.html, or NULL when the console is not installed. */
const struct webapp_file *webapp_index(void);
/* The asset of this name, or NULL. */
const struct webapp_file *webapp_asset(const char *name);

/* The Content-Type for a file name, by its extension (text/javascript;
 * charset=utf-8 for .js and so on; application/octet-stream for one
 * not known). */
const char *webapp_content_type(const char *name);

#endif
