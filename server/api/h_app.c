/* GET /app, /app/, /app/{route} and /app/assets/{file}: the web console,
 * public, served from memory (webapp.h). Its own routes are one path
 * segment (/app/orders; state rides in the query), all answered with the
 * app shell, index.html, which is revalidated on every load; a segment
 * with a dot names a file, and there is none at that level. Assets have
 * content-hashed names: a name always means the same bytes, cached for a
 * year. */
#include "handlers.h"
#include "reply.h"
#include "webapp.h"

#include <string.h>

static enum MHD_Result not_installed(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND,
                       "the web console is not installed (MERCHANTD_WEB_DIR)", NULL);
}

static enum MHD_Result shell(struct http_request *rq)
{
  if (!webapp_installed())
    return not_installed(rq);
  return reply_webapp(rq, webapp_index(), "no-cache");
}

enum MHD_Result h_app_index(struct http_request *rq)
{
  return shell(rq);
}

enum MHD_Result h_app_route(struct http_request *rq)
{
  if (!webapp_installed())
    return not_installed(rq);
  if (strchr(rq->file, '.') != NULL)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such file", NULL);
  return shell(rq);
}

enum MHD_Result h_app_asset(struct http_request *rq)
{
  if (!webapp_installed())
    return not_installed(rq);
  const struct webapp_file *f = webapp_asset(rq->file);
  if (f == NULL)
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such file", NULL);
  return reply_webapp(rq, f, "public, max-age=31536000, immutable");
}
