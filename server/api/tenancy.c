#include "tenancy.h"

#include "reply.h"
#include "shop_access.h"

enum http_step tenancy_own_shop(struct http_request *rq, int64_t shop_id)
{
  enum db_status st = db_shop_owned(shop_id, rq->session.account.id);
  if (st < DB_NONE)
    return HTTP_STEP_OF(reply_db_error(rq, st));
  if (st == DB_NONE)
    return HTTP_STEP_OF(reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL));
  return HTTP_STEP_OK;
}
