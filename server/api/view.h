/* JSON representations of what the API returns, one function per object. */
#ifndef MERCHANTD_VIEW_H
#define MERCHANTD_VIEW_H

#include "accounts.h"
#include "coupons.h"
#include "jsonout.h"
#include "orders.h"
#include "payouts.h"

#include <jansson.h>

/* A timestamp as RFC 3339 JSON string. */
json_t *view_time(int64_t us);
json_t *view_account(const struct db_account *a);
/* A time, or null when unset (0). */
json_t *view_time_or_null(int64_t us);

/* An order's review (status, reason, deadline, and the message shown while
 * held), or null for an order never reviewed (status NULL). */
void view_review(struct jsonout *j, const char *status, const char *reason, int64_t deadline);
/* An order's "address" member: {name, phone, province, city, district,
 * detail}, as given (the caller masks what its reader may not see). */
void view_address(struct jsonout *j, const char *name, const char *phone, const char *province,
                  const char *city, const char *district, const char *detail);
/* Writes an order as its buyer sees it (for_merchant false) or as the shop
 * sees it (true: adds merchant_note and flag). */
void view_order(struct jsonout *j, const struct db_order *o, bool for_merchant);

/* Writes a shop's coupon with its claimed, used and remaining counts and
 * its status (see docs/openapi.yaml, Coupon). */
void view_coupon(struct jsonout *j, const struct db_coupon *c);

/* Money in and out (docs/openapi.yaml, Topup, BankAccount, Withdrawal,
 * Adjustment). A bank account number is only ever shown masked: the last
 * four digits. */
void view_topup(struct jsonout *j, const struct db_topup *t);
void view_bank_account(struct jsonout *j, const struct db_bank_account *b);
void view_withdrawal(struct jsonout *j, const struct db_withdrawal *w);
/* A withdrawal as a row of a page (arg: struct page *), keyed by its id. */
void view_withdrawal_row(const struct db_withdrawal *w, void *arg);
void view_adjustment(struct jsonout *j, const struct db_adjustment *a);
void view_audit_entry(struct jsonout *j, const struct db_audit_entry *e);

#endif
