/* After-sales requests as a shop handles them: the list of a shop's
 * requests and the merchant's decisions on one (approve, reject, reship). */
#ifndef MERCHANTD_DB_AFTER_SALES_H
#define MERCHANTD_DB_AFTER_SALES_H

#include "db.h"

#include <stdint.h>

/* One after-sales request. Text fields point into the query result: they
 * are valid only while the callback that received the request runs. Times
 * are microseconds since the epoch, 0 when not set. */
struct db_after_sale {
  int64_t id;
  int64_t order_id;
  const char *order_sn;
  int64_t buyer_id;
  const char *buyer_name;
  const char *type; /* refund_only, return_refund, reship */
  const char *reason;
  int64_t amount_cents;              /* 0 for a reship */
  const char *status;                /* requested, approved, rejected, refunded, reshipped */
  const char *reject_reason;         /* NULL unless rejected */
  const char *carrier, *tracking_no; /* NULL until reshipped */
  int64_t created_at, decided_at, reshipped_at;
  int64_t reship_deadline; /* set only for an approved reship */
};

/* Receives each after-sales request a query returns, in order. */
typedef void (*db_after_sale_fn)(const struct db_after_sale *a, void *arg);

/* A shop's requests with an id below before_id, newest first, at most
 * limit of them; status NULL for every status. */
enum db_status db_after_sales_list(int64_t shop_id, const char *status, int64_t before_id,
                                   int64_t limit, db_after_sale_fn fn, void *arg);

/* The merchant's decisions. Each writes the result code into result and,
 * when it is "ok", hands the request as it now stands to fn. Another
 * merchant's shop, or a request of another shop, is "not_found". */
enum db_status db_after_sale_approve(int64_t merchant_id, int64_t shop_id, int64_t id, int64_t now,
                                     char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                                     void *arg);
enum db_status db_after_sale_reject(int64_t merchant_id, int64_t shop_id, int64_t id,
                                    const char *reason, int64_t now,
                                    char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                                    void *arg);
/* "invalid_field" when the carrier is not one of the carriers table. */
enum db_status db_after_sale_reship(int64_t merchant_id, int64_t shop_id, int64_t id,
                                    const char *carrier, const char *tracking_no, int64_t now,
                                    char result[DB_RESULT_CODE_SIZE], db_after_sale_fn fn,
                                    void *arg);

#endif
