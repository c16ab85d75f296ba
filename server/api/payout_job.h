/* The payout job: withdrawals go to the payment provider and come back
 * succeeded, failed or returned, each step in a transaction of its own
 * (db_payout_advance) and each at most once. The provider is never called
 * inside a transaction: a slow provider holds no lock. */
#ifndef MERCHANTD_PAYOUT_JOB_H
#define MERCHANTD_PAYOUT_JOB_H

#include "db.h"

#include <stdbool.h>
#include <stdint.h>

/* The additional data a shop's sealed account number is bound to: the
 * sealed bytes open only as that shop's. */
#define PAYOUT_JOB_AD_SIZE 48
void payout_job_account_ad(int64_t shop_id, char ad[PAYOUT_JOB_AD_SIZE]);

/* One run: every withdrawal due is taken one step further. */
enum db_status payout_job_run(int64_t now);

/* Seals again, under the current data key, every bank account number an
 * older key sealed (see docs/operations.md, rotating the data key). */
enum db_status payout_job_reseal(int64_t now);

#endif
