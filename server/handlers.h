/* Every route handler; the route table in router.c says who may call each. */
#ifndef MERCHANTD_HANDLERS_H
#define MERCHANTD_HANDLERS_H

#include "http.h"

/* h_ops.c */
enum MHD_Result ops_livez(struct http_request *rq);
enum MHD_Result ops_readyz(struct http_request *rq);
enum MHD_Result ops_metrics(struct http_request *rq);

/* h_auth.c */
enum MHD_Result auth_register(struct http_request *rq);
enum MHD_Result auth_login(struct http_request *rq);
enum MHD_Result auth_logout(struct http_request *rq);

/* h_me.c */
enum MHD_Result me_get(struct http_request *rq);

/* h_test.c (MERCHANTD_TEST_MODE only) */
enum MHD_Result test_clock_set(struct http_request *rq);
enum MHD_Result test_jobs_run(struct http_request *rq);

#endif
