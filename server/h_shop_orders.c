/* Placeholder until the handlers land; replaced wholesale. */
#include "handlers.h"
#include "reply.h"

enum MHD_Result shop_orders_list(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_orders_export(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_orders_get(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_orders_update(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_orders_ship(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_shipments_batch(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}
