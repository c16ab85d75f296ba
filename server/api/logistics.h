/* The forms of a carrier code and a tracking number, shared by every route
 * that ships (orders, batches, reships). The database checks them again, and
 * only it knows which carrier codes exist. */
#ifndef MERCHANTD_LOGISTICS_H
#define MERCHANTD_LOGISTICS_H

#include "request.h"

#include <jansson.h>

/* jsonin checks: NULL when the value has the right form, else what is wrong. */
const char *logistics_carrier_problem(const char *code);
const char *logistics_tracking_problem(const char *tracking_no);

/* Reads a shipment's body {"carrier", "tracking_no"}, both checked for form. */
enum http_step logistics_read(struct http_request *rq, const char **carrier,
                              const char **tracking_no);

/* With the forms checked here, a SQL function's invalid_field for a shipment
 * can only mean a carrier code the carriers table does not have: these name
 * it, as an errors[] list and as a whole 400 reply. */
json_t *logistics_unknown_carrier_errors(void);
enum MHD_Result logistics_reply_unknown_carrier(struct http_request *rq);

#endif
