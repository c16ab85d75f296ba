/* Tenant isolation for shop routes: another merchant's shop, and anything
 * in it, answers 404 exactly like a shop that does not exist. */
#ifndef MERCHANTD_TENANCY_H
#define MERCHANTD_TENANCY_H

#include "request.h"

#include <stdint.h>

/* HTTP_STEP_OK when the calling merchant owns the shop; else 404 queued. */
enum http_step tenancy_own_shop(struct http_request *rq, int64_t shop_id);

#endif
