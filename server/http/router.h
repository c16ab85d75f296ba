/* Matching a request to the route table: method, path pattern, handler.
 * The table itself belongs to the layer above (api/routes.c), which alone
 * says what access and permission bits mean. */
#ifndef MERCHANTD_ROUTER_H
#define MERCHANTD_ROUTER_H

#include "request.h"

#include <stddef.h>

/* ROUTE_OPTIONAL_JSON_BODY: a JSON object whose members are all optional;
 * no body at all reads as {}. ROUTE_UPLOAD_BODY: a file, sent raw with an
 * "image/..." Content-Type or as multipart/form-data (upload.h); its cap is
 * HTTP_UPLOAD_LIMIT, not MERCHANTD_BODY_LIMIT, which is for JSON. */
enum route_body { ROUTE_NO_BODY, ROUTE_JSON_BODY, ROUTE_OPTIONAL_JSON_BODY, ROUTE_UPLOAD_BODY };

/* The largest upload body: a 10 MB file and its multipart framing. */
#define HTTP_UPLOAD_FILE_MAX (10u * 1024 * 1024)
#define HTTP_UPLOAD_LIMIT    (HTTP_UPLOAD_FILE_MAX + 64u * 1024)

typedef enum MHD_Result (*route_handler)(struct http_request *rq);

struct route {
  const char *method;
  /* literal segments, "{id}" for positive integer ids and "{file}" for
   * one plain file name (letters, digits, '.', '_', '-') */
  const char *pattern;
  route_handler handler;
  unsigned access; /* who may call it (api/routes.h) */
  enum route_body body;
  bool idempotent;     /* honours Idempotency-Key (authenticated routes only) */
  bool test_only;      /* exists only with MERCHANTD_TEST_MODE=1 */
  unsigned permission; /* what a caller must hold beyond the role (api/routes.h) */
};

/* Installs the route table (static, kept for the process's life). */
void router_init(const struct route *table, size_t count);

/* Finds the route for method and path (HEAD finds the GET route). When the
 * path matches only with other methods, *route stays NULL and their names are written to allow (for
 * the Allow header); when nothing matches, allow is empty too. */
void router_match(const char *method, const char *path, const struct route **route,
                  int64_t ids[HTTP_MAX_PATH_IDS], char file[HTTP_FILE_SIZE], char *allow,
                  size_t allow_size);

/* For metrics: every route, in table order. */
const struct route *router_routes(size_t *count);
size_t router_index(const struct route *r);

#endif
