/* Placeholder until the handlers land; replaced wholesale. */
#include "handlers.h"
#include "reply.h"

enum MHD_Result orders_create(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result orders_list(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result orders_get(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result orders_pay(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result orders_cancel(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result orders_confirm_receipt(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result after_sales_create(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}
