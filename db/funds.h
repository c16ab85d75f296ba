/* A shop's funds (资金), read by its merchant: every balance of its ledger
 * accounts and the counters that say why only so much can be withdrawn.
 * The ledger itself (accounts, transfers, holds, each order's money) is in
 * migrations/0024_funds.sql, and every posting is a SQL function of db/sql
 * (ledger_post, ledger_hold*, funds_order_*), run in the transaction of the
 * business event that causes it; see docs/funds.md. */
#ifndef MERCHANTD_DB_FUNDS_H
#define MERCHANTD_DB_FUNDS_H

#include "db.h"

#include <stdint.h>

/* A shop's funds, in fen. Each balance is an account row's and each count
 * a counter row's, kept in the transactions that post, so this is what the
 * ledger holds at one instant. */
struct db_funds {
  int64_t fee_bps;         /* the service fee rate, in basis points */
  int64_t pending_cents;   /* paid orders' money, not settled yet */
  int64_t available_cents; /* settled: withdrawable but for held_cents */
  int64_t held_cents;      /* of available, held for withdrawals in flight */
  int64_t deposit_cents;   /* 保证金, topped up; covers clawbacks past available */
  int64_t promotion_cents; /* 推广账户, topped up for promotion */
  int64_t debt_cents;      /* owed to the platform (>= 0); settlements pay it first */
  int64_t pending_orders;  /* orders whose money is in pending_cents */
  /* Of those, completed orders whose settlement waits for an open
   * after-sales request, and their money. */
  int64_t after_sale_orders, after_sale_cents;
};

/* The shop's funds into *out in one read (a fixed handful of rows whatever
 * the shop's history). DB_ONE; DB_NONE when the merchant has no such shop. */
enum db_status db_funds_get(int64_t merchant_id, int64_t shop_id, struct db_funds *out);

#endif
