/* Orders as read back: one row reader shared by every query that returns
 * orders (buyer's and merchant's views, export, ERP feed). */
#ifndef MERCHANTD_DB_ORDERS_H
#define MERCHANTD_DB_ORDERS_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One order. Text fields point into the query result: they are valid only
 * while the callback that received the order runs. Times are microseconds
 * since the epoch, 0 when not set. */
struct db_order {
  int64_t id;
  const char *order_sn;
  int64_t shop_id;
  int64_t buyer_id;
  const char *buyer_name;
  const char *status; /* unpaid, paid, shipped, completed, closed */
  int64_t items_cents, discount_cents, total_cents, paid_cents, refunded_cents;
  const char *addr_name, *addr_phone, *addr_province, *addr_city, *addr_district, *addr_detail;
  const char *note;
  const char *merchant_note;
  int flag;
  const char *carrier;     /* NULL until shipped */
  const char *tracking_no; /* NULL until shipped */
  int64_t created_at, expires_at, paid_at, grouped_at, shipped_at, completed_at, closed_at;
  const char *close_reason; /* NULL unless closed */
  bool after_sales_open;
  int64_t change_seq;
  const char *items_json;    /* [{"line", "sku_id", "product_id", "title", "spec", "image",
                                "price_cents", "quantity"}] */
  const char *review_status; /* NULL (never reviewed), under_review, released, closed */
  const char *review_reason; /* NULL when never reviewed */
  int64_t review_deadline;   /* 0 when never reviewed */
  int64_t coupon_id;         /* the buyer coupon the order used; 0 for none */
};

/* Whether a review status means the platform holds the order: it cannot
 * ship, and the merchant sees its receiver masked. */
static inline bool db_review_held(const char *review_status)
{
  return review_status != NULL && review_status[0] == 'u';
}

/* Receives each order a query returns, in order. */
typedef void (*db_order_fn)(const struct db_order *o, void *arg);

/* The select list every order query uses, over "orders o"; the reader below
 * reads it starting at column 0. */
#define DB_ORDER_COLUMNS                                                                           \
  "o.id, o.order_sn, o.shop_id, o.buyer_id, o.buyer_name, o.status, o.items_cents,"                \
  " o.discount_cents, o.total_cents, o.paid_cents, o.refunded_cents, o.addr_name, o.addr_phone,"   \
  " o.addr_province, o.addr_city, o.addr_district, o.addr_detail, o.note, o.merchant_note,"        \
  " o.flag, o.carrier, o.tracking_no, ts_to_us(o.created_at), ts_to_us(o.expires_at),"             \
  " ts_to_us(o.paid_at), ts_to_us(o.grouped_at), ts_to_us(o.shipped_at),"                          \
  " ts_to_us(o.completed_at), ts_to_us(o.closed_at), o.close_reason, o.after_sales_open,"          \
  " o.change_seq, o.items, o.review_status, o.review_reason, ts_to_us(o.review_deadline),"         \
  " o.coupon_id"
#define DB_ORDER_NCOLUMNS 37

#endif
