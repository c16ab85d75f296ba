/* The forms of a carrier code and a tracking number, shared by every route
 * that ships (orders, batches, reships). The database checks them again, and
 * only it knows which carrier codes exist. */
#ifndef MERCHANTD_LOGISTICS_H
#define MERCHANTD_LOGISTICS_H

/* jsonin checks: NULL when the value has the right form, else what is wrong. */
const char *logistics_carrier_problem(const char *code);
const char *logistics_tracking_problem(const char *tracking_no);

#endif
