/* JSON representations of what the API returns, one function per object. */
#ifndef MERCHANTD_VIEW_H
#define MERCHANTD_VIEW_H

#include "accounts.h"

#include <jansson.h>

/* A timestamp as RFC 3339 JSON string. */
json_t *view_time(int64_t us);
json_t *view_account(const struct db_account *a);

#endif
