#include "campaign_reply.h"

#include "page.h"
#include "reply.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void campaign_reply_write(const char *json, void *arg)
{
  if (json != NULL)
    jsonout_raw(arg, json);
}

void campaign_reply_row(int64_t id, const char *json, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, id))
    jsonout_raw(&pg->out, json);
}

enum MHD_Result campaign_reply_coded(struct http_request *rq, enum db_status st, const char *code,
                                     struct jsonout *out, unsigned status, const char *missing)
{
  if (st >= DB_NONE && strcmp(code, "ok") == 0 && out->len > 0)
    return reply_jsonout(rq, status, out);
  if (st >= DB_NONE && strcmp(code, "campaign_rules_failed") == 0 && out->len > 0) {
    /* {"errors": [...]}, a document the database wrote: the problem's
     * members as they are. */
    size_t len;
    char *text = jsonout_take(out, &len);
    json_t *extra = text != NULL ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    if (extra == NULL)
      return MHD_NO;
    return reply_problem(rq, PROBLEM_CAMPAIGN_RULES_FAILED,
                         "one or more rules of the campaign are not met: see errors", extra);
  }
  jsonout_free(out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  if (strcmp(code, "not_found") == 0 || strcmp(code, "ok") == 0)
    return reply_problem(rq, PROBLEM_NOT_FOUND, missing, NULL);
  return reply_problem_code(rq, code, NULL);
}

enum MHD_Result campaign_reply_found(struct http_request *rq, enum db_status st,
                                     struct jsonout *out, const char *missing)
{
  if (st >= DB_NONE && out->len > 0)
    return reply_jsonout(rq, MHD_HTTP_OK, out);
  jsonout_free(out);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  return reply_problem(rq, PROBLEM_NOT_FOUND, missing, NULL);
}
