/* The ERP change feed: a shop's orders in the order of their last change,
 * for ERP systems that poll for what changed since their last call. */
#ifndef MERCHANTD_DB_ERP_H
#define MERCHANTD_DB_ERP_H

#include "orders.h"

#include <stdint.h>

/* Hands fn the shop's orders whose last change has a change_seq above
 * after_seq, in change_seq order, at most limit of them. It stops before
 * the first change that is not settled yet (see erp.c), so the feed never
 * returns a change after one it is still holding back. */
enum db_status db_erp_orders_after(int64_t shop_id, int64_t after_seq, int64_t limit,
                                   db_order_fn fn, void *arg);

#endif
