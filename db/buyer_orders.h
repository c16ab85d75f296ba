/* The buyer's side of orders: placing, listing and reading one's own
 * orders, paying, cancelling, confirming receipt, asking for after-sales,
 * and the two batch jobs that move orders on their own (expiry of unpaid
 * orders, automatic completion of shipped ones). Every rule lives in the
 * SQL functions of migrations/0002; these calls run them and read back. */
#ifndef MERCHANTD_DB_BUYER_ORDERS_H
#define MERCHANTD_DB_BUYER_ORDERS_H

#include "orders.h"

#include <stdint.h>

/* An order to place. items_json: [{"sku_id": n, "quantity": n}] with
 * distinct sku ids; address_json: {"name", "phone", "province", "city",
 * "district", "detail"}. */
struct db_order_draft {
  int64_t buyer_id;
  int64_t shop_id;
  const char *items_json;
  const char *address_json;
  const char *note;
  int64_t coupon_id; /* a buyer coupon to use, 0 for none */
};

/* Places an order (SQL order_create): stock reserved, prices copied, the
 * coupon (if any) used. On "ok" fn receives the new order; otherwise
 * *sku_id names the SKU the code is about (0 when it is about the shop or
 * the coupon). DB_ONE unless the call failed. */
enum db_status db_buyer_order_create(const struct db_order_draft *d, int64_t now,
                                     int64_t expires_at, char code[DB_RESULT_CODE_SIZE],
                                     int64_t *sku_id, db_order_fn fn, void *arg);

/* One of the buyer's orders; DB_NONE when it is not theirs or not there. */
enum db_status db_buyer_order_get(int64_t buyer_id, int64_t order_id, db_order_fn fn, void *arg);

/* A page of the buyer's orders, newest first: those with an id below
 * before_id, of one status (NULL for all), at most limit of them. */
enum db_status db_buyer_orders_page(int64_t buyer_id, const char *status, int64_t before_id,
                                    int limit, db_order_fn fn, void *arg);

/* The buyer's state changes, each a SQL function of the same name. */
enum db_buyer_action {
  DB_BUYER_PAY,             /* order_pay */
  DB_BUYER_CANCEL,          /* order_cancel */
  DB_BUYER_CONFIRM_RECEIPT, /* order_confirm_receipt */
};

/* Runs the action; on "ok" fn receives the order as the action left it. */
enum db_status db_buyer_order_act(enum db_buyer_action action, int64_t buyer_id, int64_t order_id,
                                  int64_t now, char code[DB_RESULT_CODE_SIZE], db_order_fn fn,
                                  void *arg);

#define DB_AFTER_SALE_TYPE_SIZE   16
#define DB_AFTER_SALE_REASON_SIZE 2001 /* 500 characters of up to 4 bytes */

struct db_after_sale {
  int64_t id;
  int64_t order_id;
  char type[DB_AFTER_SALE_TYPE_SIZE];
  char reason[DB_AFTER_SALE_REASON_SIZE];
  int64_t amount_cents;
  char status[DB_AFTER_SALE_TYPE_SIZE];
  int64_t created_at;
};

/* Asks for after-sales (SQL after_sale_create). amount_cents 0 leaves the
 * amount to SQL: all that is left to refund, or nothing for a reship. On
 * "ok" *out holds the request. */
enum db_status db_buyer_after_sale_create(int64_t buyer_id, int64_t order_id, const char *type,
                                          const char *reason, int64_t amount_cents, int64_t now,
                                          char code[DB_RESULT_CODE_SIZE],
                                          struct db_after_sale *out);

/* Jobs: close unpaid orders past their deadline (stock goes back), and
 * complete orders shipped ten days before now. At most limit orders per
 * call; *moved tells how many. */
enum db_status db_orders_expire(int64_t now, int limit, int64_t *moved);
enum db_status db_orders_autocomplete(int64_t now, int limit, int64_t *moved);

#endif
