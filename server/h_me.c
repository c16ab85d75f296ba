/* GET /v1/me: the caller's account. The session lookup already read it, so
 * this costs no further query, except for merchants: their shops (for the
 * app's shop switcher) are one more. */
#include "handlers.h"
#include "reply.h"
#include "shops.h"
#include "view.h"

#include <string.h>

static void add_shop_name(int64_t id, const char *name, void *arg)
{
  json_array_append_new(arg, json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name));
}

enum MHD_Result me_get(struct http_request *rq)
{
  json_t *me = view_account(&rq->session.account);
  if (me == NULL || strcmp(rq->session.account.role, "merchant") != 0)
    return reply_json_steal(rq, MHD_HTTP_OK, me);
  json_t *shops = json_array();
  enum db_status st =
      shops != NULL ? db_shop_names(rq->session.account.id, add_shop_name, shops) : DB_HARD_ERROR;
  if (st < DB_NONE) {
    json_decref(shops);
    json_decref(me);
    return reply_db_error(rq, st);
  }
  json_object_set_new(me, "shops", shops);
  return reply_json_steal(rq, MHD_HTTP_OK, me);
}
