/* The merchant's side of orders: a shop's order list with its tab counts,
 * one order, notes and flags, shipping one order or a batch, and the CSV
 * export's batches. Every list query walks an index in the list's order by
 * keyset, so a page deep in a large shop costs what the first page costs. */
#ifndef MERCHANTD_DB_SHOP_ORDERS_H
#define MERCHANTD_DB_SHOP_ORDERS_H

#include "accounts.h"
#include "orders.h"

#include <stdbool.h>
#include <stdint.h>

/* The tabs of the merchant's order list. */
enum db_order_tab {
  DB_TAB_ALL,
  DB_TAB_UNPAID,
  DB_TAB_TO_SHIP, /* status paid */
  DB_TAB_SHIPPED,
  DB_TAB_COMPLETED,
  DB_TAB_AFTER_SALES, /* after_sales_open, whatever the status */
  DB_TAB_CLOSED,
};

/* Orderings. By paid_at, only orders that have a paid_at are listed. */
enum db_order_sort {
  DB_SORT_CREATED_ASC,
  DB_SORT_CREATED_DESC,
  DB_SORT_PAID_ASC,
  DB_SORT_PAID_DESC,
};

/* The most rows a page query returns (a page of 100 and one more, which
 * tells that there is a next page), and the rows of an export batch. */
#define DB_ORDER_PAGE_MAX 101
#define DB_EXPORT_BATCH   1000

/* What a list or export asks for. */
struct db_order_filter {
  int64_t shop_id;
  enum db_order_tab tab;
  enum db_order_sort sort;
  bool has_created_from, has_created_to;
  int64_t created_from, created_to; /* created_from <= created_at < created_to */
  const char *q;                    /* exact order_sn or buyer name prefix; NULL for none */
  bool held;                        /* only orders the platform holds (review=under_review) */
  bool has_after;                   /* keyset: only rows after (after_key, after_id) */
  int64_t after_key, after_id;      /* after_key: the ordering's time */
  int limit; /* at most DB_ORDER_PAGE_MAX (lists) or DB_EXPORT_BATCH (exports) */
};

/* The sort key (created_at or paid_at) of an order under an ordering. */
int64_t db_order_sort_key(enum db_order_sort sort, int64_t created_at, int64_t paid_at);

/* Orders per tab, as the shop's counters keep them. */
struct db_order_counts {
  int64_t unpaid, to_ship, shipped, completed, after_sales, closed;
  int64_t under_review; /* held by the platform: a badge, not a tab of its own */
};

/* One page of the list of a shop the merchant owns, with the shop's tab
 * counts. DB_NONE when the shop is not the merchant's; DB_ONE otherwise,
 * however many orders fn received. */
enum db_status db_shop_orders_page(int64_t merchant_id, const struct db_order_filter *f,
                                   db_order_fn fn, void *arg, struct db_order_counts *counts);

/* The live session the token hash names (DB_NONE: none, or it has ended)
 * and, when the session's account owns the order and it is in this shop,
 * the order (fn is not called otherwise). The caller judges the session. */
enum db_status db_shop_order_get(const unsigned char token_hash[DB_TOKEN_HASH_SIZE],
                                 int64_t shop_id, int64_t order_id, struct db_session *session,
                                 db_order_fn fn, void *arg);

/* Sets merchant_note and/or flag (NULL / negative: unchanged) and hands
 * the updated order to fn. DB_NONE when no such order in the merchant's shop. */
enum db_status db_shop_order_update(int64_t merchant_id, int64_t shop_id, int64_t order_id,
                                    const char *merchant_note, int flag, db_order_fn fn, void *arg);

/* Ships an order (SQL order_ship). code receives "ok" or a problem
 * code; on "ok" fn receives the shipped order. */
enum db_status db_shop_order_ship(int64_t merchant_id, int64_t shop_id, int64_t order_id,
                                  const char *carrier, const char *tracking_no, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_order_fn fn, void *arg);

/* Ships a batch (SQL orders_ship_batch) of a shop already known to be the
 * caller's. items_json: [{"order_id", "carrier", "tracking_no"}]. fn gets
 * each row's result code, in the order of the items. */
typedef void (*db_ship_result_fn)(int64_t order_id, const char *code, void *arg);
enum db_status db_shop_orders_ship_batch(int64_t shop_id, const char *items_json, int64_t now,
                                         db_ship_result_fn fn, void *arg);

/* One row of the CSV export. Text points into the query result: valid only
 * while the callback runs. Times are 0 when unset. */
struct db_export_order {
  int64_t id;
  const char *order_sn;
  int64_t created_at, paid_at, shipped_at;
  const char *status;
  const char *buyer_name;
  const char *items; /* "title spec x2; ..." */
  int64_t items_cents, total_cents, refunded_cents;
  const char *carrier, *tracking_no; /* "" until shipped */
  const char *region;                /* "province city district" */
  const char *addr_detail, *addr_name, *addr_phone;
  const char *merchant_note;
  const char *review_status; /* NULL when never reviewed */
};

typedef void (*db_export_fn)(const struct db_export_order *o, void *arg);

/* The next batch of the export: f->limit rows after f's keyset position,
 * none when the shop is not the merchant's. */
enum db_status db_shop_orders_export_batch(int64_t merchant_id, const struct db_order_filter *f,
                                           db_export_fn fn, void *arg);

#endif
