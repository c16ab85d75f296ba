#include "payout_job.h"

#include "datakey.h"
#include "log.h"
#include "payouts.h"
#include "payprovider.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAYOUT_BATCH 100

void payout_job_account_ad(int64_t shop_id, char ad[PAYOUT_JOB_AD_SIZE])
{
  snprintf(ad, PAYOUT_JOB_AD_SIZE, "shop_bank_accounts:%lld", (long long)shop_id);
}

/* What one batch saw: the steps to take once its query is over (a step
 * runs statements of its own, which cannot run inside another's rows). */
struct step {
  int64_t id, shop_id, amount_cents;
  bool submit;    /* send it to the provider (requested, or submitted without a reference) */
  bool submitted; /* already out of the merchant's reach */
  const char *to; /* otherwise: the state the provider's answer leads to */
  struct db_bank_account account;
  char key_id[DATAKEY_ID_SIZE];
  char provider[32];
  char reason[PAYPROVIDER_REASON_SIZE];
};

struct batch {
  int64_t now, last_id;
  int rows, nsteps;
  struct step steps[PAYOUT_BATCH];
};

/* Opens the account number for the provider; false (and a logged error,
 * without the number) when it does not open. */
static bool open_account(const struct step *s, char *account_no, size_t size)
{
  char ad[PAYOUT_JOB_AD_SIZE];
  payout_job_account_ad(s->shop_id, ad);
  const struct db_bank_account *a = &s->account;
  if (a->box_len < DATAKEY_TAG_SIZE || a->box_len - DATAKEY_TAG_SIZE >= size ||
      !datakey_open(s->key_id, a->nonce, a->box, a->box_len, ad, (unsigned char *)account_no)) {
    log_error("could not open the bank account of withdrawal %lld: key %s unknown or box altered",
              (long long)s->id, s->key_id);
    return false;
  }
  account_no[a->box_len - DATAKEY_TAG_SIZE] = '\0';
  return true;
}

static void consider(const struct db_payout *p, void *arg)
{
  struct batch *b = arg;
  b->rows++;
  b->last_id = p->id;
  struct step *s = &b->steps[b->nsteps];
  memset(s, 0, sizeof *s);
  s->id = p->id;
  s->shop_id = p->shop_id;
  s->amount_cents = p->amount_cents;
  if (p->provider_ref == NULL) {
    s->submit = true;
    s->submitted = strcmp(p->status, "submitted") == 0;
    s->account = p->account;
    snprintf(s->key_id, sizeof s->key_id, "%s", p->account.key_id);
    s->account.key_id = s->account.holder = s->account.bank = s->account.last4 = NULL;
    b->nsteps++;
    return;
  }
  const struct payprovider *pp = payprovider_find(p->provider != NULL ? p->provider : "");
  if (pp == NULL) {
    log_error("withdrawal %lld: unknown provider %s", (long long)p->id, p->provider);
    return;
  }
  enum payprovider_payout o =
      pp->payout_status(p->provider_ref, p->submitted_at, b->now, s->reason);
  bool paid = strcmp(p->status, "succeeded") == 0;
  if (o == PAYPROVIDER_PAYOUT_FAILED && !paid)
    s->to = "failed";
  else if ((o == PAYPROVIDER_PAYOUT_SUCCEEDED || o == PAYPROVIDER_PAYOUT_RETURNED) && !paid)
    s->to = "succeeded"; /* a return, if any, follows on the next run */
  else if (o == PAYPROVIDER_PAYOUT_RETURNED && paid)
    s->to = "returned";
  if (s->to != NULL)
    b->nsteps++;
}

/* Sends a withdrawal to the provider. It is marked submitted first, in a
 * transaction of its own: from then on the merchant cannot cancel it, so a
 * cancel never races money already on its way. The provider takes the
 * withdrawal's id as its idempotency key: a crash after the mark submits
 * the same payout again on the next run, never a second one. */
static enum db_status submit(struct step *s, int64_t now)
{
  const struct payprovider *pp = payprovider_default();
  char code[DB_RESULT_CODE_SIZE];
  enum db_status st;
  if (!s->submitted) {
    st = db_payout_advance(s->id, "submitted", pp->name, NULL, NULL, now, code);
    if (st < DB_NONE || strcmp(code, "ok") != 0)
      return st; /* canceled meanwhile, or another instance took it */
    log_info("withdrawal %lld submitted", (long long)s->id);
  }
  char account_no[DB_BANK_BOX_MAX];
  char ref[PAYPROVIDER_REF_SIZE];
  if (!open_account(s, account_no, sizeof account_no)) {
    log_warn("withdrawal %lld failed: the bank account could not be read", (long long)s->id);
    return db_payout_advance(s->id, "failed", NULL, NULL, "the bank account could not be read", now,
                             code);
  }
  bool sent = pp->payout_submit(s->id, account_no, s->amount_cents, now, ref);
  sodium_memzero(account_no, sizeof account_no);
  if (!sent)
    return DB_NONE; /* the provider could not be reached: the next run tries again */
  return db_payout_advance(s->id, "submitted", pp->name, ref, NULL, now, code);
}

enum db_status payout_job_run(int64_t now)
{
  struct batch *b = calloc(1, sizeof *b);
  if (b == NULL)
    return DB_HARD_ERROR;
  enum db_status st;
  b->now = now;
  do {
    b->rows = b->nsteps = 0;
    /* The longest return window of any provider bounds what is looked at
     * again after success; the sandbox's is a day. */
    st = db_payouts_due(b->last_id, now - payprovider_default()->return_window_us, PAYOUT_BATCH,
                        consider, b);
    for (int i = 0; st >= DB_NONE && i < b->nsteps; i++) {
      struct step *s = &b->steps[i];
      if (s->submit) {
        st = submit(s, now);
        continue;
      }
      char code[DB_RESULT_CODE_SIZE];
      st = db_payout_advance(s->id, s->to, NULL, NULL, s->reason[0] ? s->reason : NULL, now, code);
      /* The reason is the provider's words, never the account number. */
      if (st >= DB_NONE && strcmp(code, "ok") == 0) {
        if (strcmp(s->to, "succeeded") == 0)
          log_info("withdrawal %lld succeeded", (long long)s->id);
        else
          log_warn("withdrawal %lld %s: %s", (long long)s->id, s->to, s->reason);
      }
    }
  } while (st >= DB_NONE && b->rows == PAYOUT_BATCH);
  sodium_memzero(b, sizeof *b);
  free(b);
  return st;
}

/* What one reseal batch read: the rows, copied out of the result, so that
 * each update runs once the query is over. */
#define RESEAL_BATCH 100
struct reseal {
  int n;
  struct db_bank_account rows[RESEAL_BATCH];
  char key_ids[RESEAL_BATCH][DATAKEY_ID_SIZE];
};

static void remember_sealed(const struct db_bank_account *b, void *arg)
{
  struct reseal *r = arg;
  struct db_bank_account *c = &r->rows[r->n];
  *c = *b;
  snprintf(r->key_ids[r->n], DATAKEY_ID_SIZE, "%s", b->key_id);
  c->key_id = r->key_ids[r->n];
  c->holder = c->bank = c->last4 = NULL; /* not kept: the reseal needs none */
  r->n++;
}

enum db_status payout_job_reseal(int64_t now)
{
  (void)now;
  if (!datakey_ready())
    return DB_NONE;
  struct reseal *r = calloc(1, sizeof *r);
  if (r == NULL)
    return DB_HARD_ERROR;
  enum db_status st;
  long long resealed = 0, unreadable = 0;
  do {
    r->n = 0;
    st = db_bank_accounts_sealed_by_other(datakey_current_id(), RESEAL_BATCH, remember_sealed, r);
    int progress = 0;
    for (int i = 0; st >= DB_NONE && i < r->n; i++) {
      struct db_bank_account *old = &r->rows[i];
      char ad[PAYOUT_JOB_AD_SIZE], key_id[DATAKEY_ID_SIZE];
      unsigned char plain[DB_BANK_BOX_MAX];
      payout_job_account_ad(old->shop_id, ad);
      if (old->box_len < DATAKEY_TAG_SIZE ||
          !datakey_open(old->key_id, old->nonce, old->box, old->box_len, ad, plain)) {
        unreadable++;
        continue;
      }
      struct db_bank_account fresh = {.shop_id = old->shop_id, .key_id = key_id};
      fresh.box_len = old->box_len;
      datakey_seal(plain, old->box_len - DATAKEY_TAG_SIZE, ad, key_id, fresh.nonce, fresh.box);
      sodium_memzero(plain, sizeof plain);
      st = db_bank_account_reseal(old->shop_id, old->nonce, &fresh);
      if (st == DB_ONE) {
        resealed++;
        progress++;
      }
    }
    /* A batch of rows no key here opens (or that changed meanwhile) would
     * come back forever: stop, and say so. */
    if (progress == 0)
      break;
  } while (st >= DB_NONE && r->n == RESEAL_BATCH);
  sodium_memzero(r, sizeof *r);
  free(r);
  if (resealed > 0)
    log_info("sealed %lld bank accounts again under data key %s", resealed, datakey_current_id());
  if (unreadable > 0)
    log_error("%lld bank accounts do not open under any configured data key: a key missing "
              "from MERCHANTD_DATA_OLD_KEY_FILES, or a sealed value altered",
              unreadable);
  return st;
}
