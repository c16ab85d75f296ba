/* Placeholder until the handlers land; replaced wholesale. */
#include "handlers.h"
#include "reply.h"

enum MHD_Result carriers_list(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shops_create(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shops_list(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shops_get(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result shops_update(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result products_list(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result products_create(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result products_get(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result products_update(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result products_delete(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result skus_create(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}

enum MHD_Result skus_update(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "not implemented yet", NULL);
}
