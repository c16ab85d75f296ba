/* GET /v1/me: the caller's account. The session lookup already read it, so
 * this costs no further query. */
#include "handlers.h"
#include "reply.h"
#include "view.h"

enum MHD_Result me_get(struct http_request *rq)
{
  return reply_json_steal(rq, MHD_HTTP_OK, view_account(&rq->session.account));
}
