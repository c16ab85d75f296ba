/* A shop's funds flows (资金流水): the transfers of its accounts as rows
 * of one account each, newest first in pages, or oldest first in batches
 * for the signed statement. Every query walks the (account, id) indexes of
 * ledger_transfers between two positions, so a page or a batch costs the
 * same at any depth and for any time window (see ledger_position). */
#ifndef MERCHANTD_DB_FUNDS_STATEMENT_H
#define MERCHANTD_DB_FUNDS_STATEMENT_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* A row of a flow: one side of a transfer, seen from one of the shop's
 * accounts. Strings are borrowed for the callback's duration. */
struct db_flow {
  int64_t transfer_id;
  bool in;             /* the account was credited (money in), else debited */
  const char *account; /* the shop account's kind: pending, available, ... */
  const char *kind;    /* ledger_transfers.kind */
  int64_t amount_cents;
  int64_t balance_after; /* the account's balance right after this row */
  const char *cause;     /* order, after_sale, review_close, withdrawal, topup, adjustment */
  int64_t cause_id;
  const char *order_sn; /* the order it concerns (directly or by its after-sales), or NULL */
  int64_t created_at;   /* microseconds */
};
typedef void (*db_flow_fn)(const struct db_flow *f, void *arg);

/* The most rows of a page query (100 and one that tells a next page
 * exists) and of a statement batch. */
#define DB_FLOWS_PAGE_MAX  101
#define DB_STATEMENT_BATCH 1000

/* What the flows page asks for. Rows come newest first by (transfer_id,
 * in): a transfer between two of the shop's accounts is two rows, its
 * money in before its money out. */
struct db_flow_filter {
  int64_t shop_id;
  const char *account; /* one account kind, or NULL for all five */
  const char *kinds;   /* a text[] literal of ledger kinds, or NULL for all */
  bool has_from, has_to;
  int64_t from, to; /* posted in [from, to), cut at positions */
  bool has_after;   /* keyset: only rows after (after_id, after_in) */
  int64_t after_id;
  bool after_in;
  int limit; /* at most DB_FLOWS_PAGE_MAX */
};

/* DB_ONE when the merchant owns the shop (fn ran for each row, maybe none),
 * DB_NONE when it does not, or the failure. */
enum db_status db_funds_flows_page(int64_t merchant_id, const struct db_flow_filter *f,
                                   db_flow_fn fn, void *arg);

/* One account of a statement: its position and balance at from and at to.
 * Its rows are the transfers with ids in (open_id, close_id]. */
struct db_statement_account {
  int64_t id;
  char kind[16];
  int64_t open_id, open_balance;
  int64_t close_id, close_balance;
};
#define DB_STATEMENT_ACCOUNTS 5

/* The shop's five accounts, in the order pending, available, deposit,
 * promotion, debt, with their positions at from (none: the beginning) and
 * at to. DB_MANY with *n set when the merchant owns the shop, DB_NONE when
 * not, or the failure. */
enum db_status db_funds_statement_accounts(int64_t merchant_id, int64_t shop_id, bool has_from,
                                           int64_t from, int64_t to,
                                           struct db_statement_account out[DB_STATEMENT_ACCOUNTS],
                                           int *n);

/* The next rows of one account of the statement, oldest first: ids in
 * (after_id, until_id], at most limit of them; the owner is checked again
 * (no transaction spans two batches). DB_NONE when there are none. */
enum db_status db_funds_statement_batch(int64_t merchant_id, int64_t shop_id, int64_t account_id,
                                        int64_t after_id, int64_t until_id, int limit,
                                        db_flow_fn fn, void *arg);

#endif
