#include "unit.h"
#include "webapp.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *name, const char *text)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", root, name);
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void rm(const char *name)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", root, name);
  remove(path);
}

int main(void)
{
  if (sodium_init() < 0)
    return 1;
  CHECK(strcmp(webapp_content_type("app-1f.js"), "text/javascript; charset=utf-8") == 0);
  CHECK(strcmp(webapp_content_type("app.css"), "text/css; charset=utf-8") == 0);
  CHECK(strcmp(webapp_content_type("index.html"), "text/html; charset=utf-8") == 0);
  CHECK(strcmp(webapp_content_type("logo.svg"), "image/svg+xml") == 0);
  CHECK(strcmp(webapp_content_type("f.woff2"), "font/woff2") == 0);
  CHECK(strcmp(webapp_content_type("app.js.map"), "application/json") == 0);
  CHECK(strcmp(webapp_content_type("README"), "application/octet-stream") == 0);
  CHECK(strcmp(webapp_content_type("x.exe"), "application/octet-stream") == 0);

  snprintf(root, sizeof root, "/tmp/merchantd-webapp-XXXXXX");
  CHECK(mkdtemp(root) != NULL);
  char assets[128];
  snprintf(assets, sizeof assets, "%s/assets", root);

  /* No index.html: refused, nothing kept. */
  CHECK(!webapp_load(root));
  CHECK(!webapp_installed() && webapp_index() == NULL && webapp_asset("a.js") == NULL);
  /* index.html alone (no assets/) is a console. */
  put("index.html", "<!doctype html>");
  CHECK(webapp_load(root));
  CHECK(webapp_installed() && webapp_index() != NULL && webapp_asset("a.js") == NULL);

  mkdir(assets, 0700);
  put("assets/b-2.css", "b{}");
  put("assets/a-1.js", "a()");
  put("assets/a-1.js.gz", "not really gzip");
  put("assets/lone.gz", "x");
  CHECK(webapp_load(root));
  const struct webapp_file *i = webapp_index();
  CHECK(i != NULL && i->plain.len == 15 && memcmp(i->plain.data, "<!doctype html>", 15) == 0);
  CHECK(i != NULL && i->gzip.data == NULL);
  const struct webapp_file *a = webapp_asset("a-1.js"), *b = webapp_asset("b-2.css");
  CHECK(a != NULL && a->plain.len == 3 && a->gzip.len == 15);
  CHECK(a != NULL && strcmp(a->content_type, "text/javascript; charset=utf-8") == 0);
  /* Strong ETags: quoted hex, one per representation. */
  CHECK(a != NULL && strlen(a->plain.etag) == 34 && a->plain.etag[0] == '"' &&
        a->plain.etag[33] == '"' && strcmp(a->plain.etag, a->gzip.etag) != 0);
  CHECK(b != NULL && b->gzip.data == NULL &&
        strcmp(b->content_type, "text/css; charset=utf-8") == 0);
  /* A compressed copy is no asset of its own; one without its file is. */
  CHECK(webapp_asset("a-1.js.gz") == NULL);
  CHECK(webapp_asset("lone.gz") != NULL);
  CHECK(webapp_asset("c.js") == NULL);

  /* A name that is not plain stops the load, and nothing is kept. */
  put("assets/.hidden", "h");
  CHECK(!webapp_load(root));
  CHECK(!webapp_installed() && webapp_asset("a-1.js") == NULL);
  rm("assets/.hidden");
  put("assets/a b.js", "x");
  CHECK(!webapp_load(root));
  rm("assets/a b.js");
  CHECK(webapp_load(root));

  webapp_free();
  CHECK(!webapp_installed());
  rm("assets/a-1.js");
  rm("assets/a-1.js.gz");
  rm("assets/b-2.css");
  rm("assets/lone.gz");
  rmdir(assets);
  rm("index.html");
  rmdir(root);
  return unit_report("webapp");
}
