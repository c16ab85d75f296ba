/* GET /v1/me: the caller's account and, for merchants, their shops (for the
 * app's shop switcher). The route folds authentication into its one query
 * (ROUTE_FOLDED_AUTH): apps call it on every start. */
#include "auth.h"
#include "handlers.h"
#include "reply.h"
#include "routes.h"
#include "view.h"

static void keep_shops(const char *shops_json, void *arg)
{
  *(json_t **)arg = shops_json != NULL ? json_loads(shops_json, 0, NULL) : NULL;
}

enum MHD_Result h_me_get(struct http_request *rq)
{
  json_t *shops = NULL;
  enum db_status st = db_me(rq->token_hash, &rq->session, keep_shops, &shops);
  if (st < DB_NONE)
    return reply_db_error(rq, st);
  enum http_step step = auth_accept_live(rq, st == DB_ONE, ROUTE_ANY_ROLE);
  if (step != HTTP_STEP_OK) {
    json_decref(shops);
    return http_step_result(step);
  }
  json_t *me = view_account(&rq->session.account);
  if (me != NULL && shops != NULL)
    json_object_set(me, "shops", shops);
  json_decref(shops);
  return reply_json_steal(rq, MHD_HTTP_OK, me);
}
