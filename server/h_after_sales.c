/* Placeholder until the handlers land; replaced wholesale. */
#include "handlers.h"
#include "reply.h"

enum MHD_Result shop_after_sales_list(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_after_sales_approve(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_after_sales_reject(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shop_after_sales_reship(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result erp_orders_feed(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}
