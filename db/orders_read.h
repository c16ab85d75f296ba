/* For db_ modules that return orders. */
#ifndef MERCHANTD_DB_ORDERS_READ_H
#define MERCHANTD_DB_ORDERS_READ_H

#include "db_internal.h"
#include "orders.h"

/* Reads the DB_ORDER_COLUMNS of row r, starting at column c. */
void db_order_read(const PGresult *res, int r, int c, struct db_order *o);
/* Runs a statement returning DB_ORDER_COLUMNS rows and hands each to fn. */
enum db_status db_orders_each(struct db_stmt *stmt, const char *const *params, db_order_fn fn,
                              void *arg);

#endif
