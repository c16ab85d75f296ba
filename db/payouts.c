#include "payouts.h"

#include "db_internal.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>

/* ---- top-ups ---- */

#define TOPUP_COLUMNS(p)                                                                           \
  p ".id, " p ".shop_id, " p ".account, " p ".status, " p ".provider, " p ".provider_ref, " p      \
    ".amount_cents, ts_to_us(" p ".created_at), ts_to_us(" p ".confirmed_at)"

static void topup_read(const PGresult *res, int r, int c, struct db_topup *t)
{
  t->id = db_get_int64(res, r, c++);
  t->shop_id = db_get_int64(res, r, c++);
  t->account = PQgetvalue(res, r, c++);
  t->status = PQgetvalue(res, r, c++);
  t->provider = PQgetvalue(res, r, c++);
  t->provider_ref = PQgetvalue(res, r, c++);
  t->amount_cents = db_get_int64(res, r, c++);
  t->created_at = db_get_int64(res, r, c++);
  t->confirmed_at = db_get_int64(res, r, c);
}

/* A callback, its argument, the column its object starts at, and where a
 * result code goes when the first column is one. */
struct rows {
  union {
    db_topup_fn topup;
    db_bank_account_fn bank;
    db_withdrawal_fn withdrawal;
    db_payout_fn payout;
    db_adjustment_fn adjustment;
    db_audit_fn audit;
  } fn;
  void *arg;
  int column;
  char *code;
};

static void topup_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  if (rows->code != NULL)
    snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  if (PQgetisnull(res, r, rows->column)) /* the empty side of a LEFT JOIN */
    return;
  struct db_topup t;
  topup_read(res, r, rows->column, &t);
  rows->fn.topup(&t, rows->arg);
}

enum db_status db_topup_create(int64_t merchant_id, int64_t shop_id, const char *account,
                               int64_t amount_cents, const char *provider, const char *ref,
                               int64_t now, db_topup_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      7, "INSERT INTO funds_topups AS t (shop_id, account, amount_cents, provider, provider_ref,"
         " status, created_at) SELECT s.id, $3, $4, $5, $6, 'pending', us_to_ts($7) FROM shops s"
         " WHERE s.id = $1 AND s.merchant_id = $2 RETURNING " TOPUP_COLUMNS("t"));
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id),
                     db_param_int64(b[1], merchant_id),
                     account,
                     db_param_int64(b[2], amount_cents),
                     provider,
                     ref,
                     db_param_int64(b[3], now)};
  struct rows rows = {.fn.topup = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, topup_row, &rows);
}

enum db_status db_topups_page(int64_t merchant_id, int64_t shop_id, int64_t before_id, int limit,
                              db_topup_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT " TOPUP_COLUMNS(
                     "t") " FROM shops s LEFT JOIN LATERAL ("
                          " SELECT * FROM funds_topups x WHERE x.shop_id = s.id AND x.id < $3"
                          " ORDER BY x.id DESC LIMIT $4) t ON true"
                          " WHERE s.id = $1 AND s.merchant_id = $2 ORDER BY t.id DESC");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], before_id > 0 ? before_id : INT64_MAX),
                     db_param_int64(b[3], limit)};
  struct rows rows = {.fn.topup = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, topup_row, &rows);
}

enum db_status db_topup_get(int64_t merchant_id, int64_t shop_id, int64_t topup_id, db_topup_fn fn,
                            void *arg)
{
  static struct db_stmt q = DB_STMT(
      3, "SELECT " TOPUP_COLUMNS(
             "t") " FROM funds_topups t JOIN shops s"
                  " ON s.id = t.shop_id WHERE t.id = $3 AND t.shop_id = $1 AND s.merchant_id = $2");
  char b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], topup_id)};
  struct rows rows = {.fn.topup = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, topup_row, &rows);
}

enum db_status db_topup_confirm(const char *provider, const char *event_id, const char *ref,
                                int64_t amount_cents, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                db_topup_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      5, "SELECT r.result, " TOPUP_COLUMNS("(r.topup)") " FROM topup_confirm($1, $2, $3, $4,"
                                                        " us_to_ts($5)) r");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {provider, event_id, ref, db_param_int64(b[0], amount_cents),
                     db_param_int64(b[1], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.fn.topup = fn, .arg = arg, .column = 1, .code = code};
  return db_each_row(&q, p, topup_row, &rows);
}

/* ---- bank accounts ---- */

/* Reads hex text (encode(x, 'hex')) into out; the byte count. */
static size_t hex_read(const PGresult *res, int r, int c, unsigned char *out, size_t max)
{
  const char *hex = PQgetvalue(res, r, c);
  size_t len = 0;
  if (sodium_hex2bin(out, max, hex, strlen(hex), NULL, &len, NULL) != 0)
    return 0;
  return len;
}

#define BANK_COLUMNS(p)                                                                            \
  p ".shop_id, " p ".holder, " p ".bank, " p ".account_last4, " p ".account_key, encode(" p        \
    ".account_nonce, 'hex'), encode(" p ".account_box, 'hex'), ts_to_us(" p ".updated_at)"

static void bank_read(const PGresult *res, int r, int c, struct db_bank_account *b)
{
  b->shop_id = db_get_int64(res, r, c++);
  b->holder = PQgetvalue(res, r, c++);
  b->bank = PQgetvalue(res, r, c++);
  b->last4 = PQgetvalue(res, r, c++);
  b->key_id = PQgetvalue(res, r, c++);
  hex_read(res, r, c++, b->nonce, sizeof b->nonce);
  b->box_len = hex_read(res, r, c++, b->box, sizeof b->box);
  b->updated_at = db_get_int64(res, r, c);
}

static void bank_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  if (PQgetisnull(res, r, rows->column))
    return;
  struct db_bank_account b;
  bank_read(res, r, rows->column, &b);
  rows->fn.bank(&b, rows->arg);
  sodium_memzero(&b, sizeof b);
}

enum db_status db_bank_account_put(int64_t merchant_id, int64_t shop_id,
                                   const struct db_bank_account *b, int64_t now,
                                   db_bank_account_fn fn, void *arg)
{
  /* The audit row says that the account changed and its last digits; the
   * sealed number stays in its own row. */
  static struct db_stmt q = DB_STMT(
      9, "WITH saved AS (INSERT INTO shop_bank_accounts AS b (shop_id, holder, bank, account_key,"
         " account_nonce, account_box, account_last4, updated_at)"
         " SELECT s.id, $3, $4, $5, $6::bytea, $7::bytea, $8, us_to_ts($9) FROM shops s"
         " WHERE s.id = $1 AND s.merchant_id = $2"
         " ON CONFLICT (shop_id) DO UPDATE SET holder = EXCLUDED.holder, bank = EXCLUDED.bank,"
         " account_key = EXCLUDED.account_key, account_nonce = EXCLUDED.account_nonce,"
         " account_box = EXCLUDED.account_box, account_last4 = EXCLUDED.account_last4,"
         " updated_at = EXCLUDED.updated_at RETURNING b.*),"
         " audit AS (INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id,"
         " detail) SELECT us_to_ts($9), $2, 'bank_account_saved', 'bank_account', shop_id,"
         " shop_id, jsonb_build_object('bank', bank, 'last4', account_last4) FROM saved)"
         " SELECT " BANK_COLUMNS("saved") " FROM saved");
  char ib[3][DB_INT64_SIZE];
  char nonce[2 * DB_BANK_NONCE_SIZE + 3], box[2 * DB_BANK_BOX_MAX + 3];
  const char *p[] = {db_param_int64(ib[0], shop_id),
                     db_param_int64(ib[1], merchant_id),
                     b->holder,
                     b->bank,
                     b->key_id,
                     db_param_bytea(nonce, b->nonce, DB_BANK_NONCE_SIZE),
                     db_param_bytea(box, b->box, b->box_len),
                     b->last4,
                     db_param_int64(ib[2], now)};
  struct rows rows = {.fn.bank = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, bank_row, &rows);
}

enum db_status db_bank_account_get(int64_t merchant_id, int64_t shop_id, db_bank_account_fn fn,
                                   void *arg)
{
  static struct db_stmt q = DB_STMT(
      2, "SELECT " BANK_COLUMNS("b") " FROM shops s LEFT JOIN shop_bank_accounts b"
                                     " ON b.shop_id = s.id WHERE s.id = $1 AND s.merchant_id = $2");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id)};
  struct rows rows = {.fn.bank = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, bank_row, &rows);
}

enum db_status db_bank_accounts_sealed_by_other(const char *key_id, int limit,
                                                db_bank_account_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      2, "SELECT " BANK_COLUMNS("b") " FROM shop_bank_accounts b"
                                     " WHERE b.account_key <> $1 ORDER BY b.shop_id LIMIT $2");
  char b[DB_INT64_SIZE];
  const char *p[] = {key_id, db_param_int64(b, limit)};
  struct rows rows = {.fn.bank = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, bank_row, &rows);
}

enum db_status db_bank_account_reseal(int64_t shop_id,
                                      const unsigned char old_nonce[DB_BANK_NONCE_SIZE],
                                      const struct db_bank_account *b)
{
  static struct db_stmt q =
      DB_STMT(5, "UPDATE shop_bank_accounts SET account_key = $3, account_nonce = $4::bytea,"
                 " account_box = $5::bytea WHERE shop_id = $1 AND account_nonce = $2::bytea");
  char ib[DB_INT64_SIZE];
  char old[2 * DB_BANK_NONCE_SIZE + 3], nonce[2 * DB_BANK_NONCE_SIZE + 3],
      box[2 * DB_BANK_BOX_MAX + 3];
  const char *p[] = {
      db_param_int64(ib, shop_id), db_param_bytea(old, old_nonce, DB_BANK_NONCE_SIZE), b->key_id,
      db_param_bytea(nonce, b->nonce, DB_BANK_NONCE_SIZE), db_param_bytea(box, b->box, b->box_len)};
  return db_run(&q, p);
}

/* ---- withdrawals ---- */

#define WITHDRAWAL_COLUMNS(p)                                                                      \
  p ".id, " p ".shop_id, " p ".amount_cents, " p ".status, " p ".approval, " p ".holder, " p       \
    ".bank, " p ".account_last4, " p ".provider, " p ".provider_ref, " p ".reason, ts_to_us(" p    \
    ".requested_at), ts_to_us(" p ".decided_at), ts_to_us(" p ".submitted_at), ts_to_us(" p        \
    ".resolved_at), ts_to_us(" p ".returned_at)"

static void withdrawal_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  if (rows->code != NULL)
    snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  int c = rows->column;
  if (PQgetisnull(res, r, c))
    return;
  struct db_withdrawal w;
  w.id = db_get_int64(res, r, c++);
  w.shop_id = db_get_int64(res, r, c++);
  w.amount_cents = db_get_int64(res, r, c++);
  w.status = PQgetvalue(res, r, c++);
  w.approval = PQgetvalue(res, r, c++);
  w.holder = PQgetvalue(res, r, c++);
  w.bank = PQgetvalue(res, r, c++);
  w.last4 = PQgetvalue(res, r, c++);
  w.provider = db_get_text(res, r, c++);
  w.provider_ref = db_get_text(res, r, c++);
  w.reason = db_get_text(res, r, c++);
  w.requested_at = db_get_int64(res, r, c++);
  w.decided_at = db_get_int64(res, r, c++);
  w.submitted_at = db_get_int64(res, r, c++);
  w.resolved_at = db_get_int64(res, r, c++);
  w.returned_at = db_get_int64(res, r, c);
  rows->fn.withdrawal(&w, rows->arg);
}

enum db_status db_withdrawal_request(int64_t merchant_id, int64_t shop_id, int64_t amount_cents,
                                     const struct db_withdrawal_rules *rules, int64_t now,
                                     char code[DB_RESULT_CODE_SIZE], db_withdrawal_fn fn, void *arg)
{
  /* The day of the daily limit starts at midnight in the platform's zone. */
  static struct db_stmt q = DB_STMT(
      8, "SELECT r.result, " WITHDRAWAL_COLUMNS(
             "(r.withdrawal)") " FROM withdrawal_request($1, $2, $3, $4, $5::integer, $6,"
                               " date_trunc('day', us_to_ts($8) AT TIME ZONE $7) AT TIME ZONE $7,"
                               " us_to_ts($8)) r");
  char b[6][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], amount_cents),
                     db_param_int64(b[3], rules->minimum_cents),
                     db_param_int64(b[4], rules->daily_limit),
                     db_param_int64(b[5], rules->approval_over_cents),
                     rules->time_zone,
                     NULL};
  char nowb[DB_INT64_SIZE];
  p[7] = db_param_int64(nowb, now);
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.fn.withdrawal = fn, .arg = arg, .column = 1, .code = code};
  return db_each_row(&q, p, withdrawal_row, &rows);
}

enum db_status db_withdrawals_page(int64_t merchant_id, int64_t shop_id, int64_t before_id,
                                   int limit, db_withdrawal_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(4, "SELECT " WITHDRAWAL_COLUMNS(
                     "w") " FROM shops s LEFT JOIN LATERAL ("
                          " SELECT * FROM withdrawals x WHERE x.shop_id = s.id AND x.id < $3"
                          " ORDER BY x.id DESC LIMIT $4) w ON true"
                          " WHERE s.id = $1 AND s.merchant_id = $2 ORDER BY w.id DESC");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], before_id > 0 ? before_id : INT64_MAX),
                     db_param_int64(b[3], limit)};
  struct rows rows = {.fn.withdrawal = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, withdrawal_row, &rows);
}

enum db_status db_withdrawal_get(int64_t merchant_id, int64_t shop_id, int64_t withdrawal_id,
                                 db_withdrawal_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      3, "SELECT " WITHDRAWAL_COLUMNS(
             "w") " FROM withdrawals w JOIN shops s"
                  " ON s.id = w.shop_id WHERE w.id = $3 AND w.shop_id = $1 AND s.merchant_id = $2");
  char b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), db_param_int64(b[1], merchant_id),
                     db_param_int64(b[2], withdrawal_id)};
  struct rows rows = {.fn.withdrawal = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, withdrawal_row, &rows);
}

enum db_status db_withdrawal_cancel(int64_t merchant_id, int64_t shop_id, int64_t withdrawal_id,
                                    int64_t staff_id, const char *reason, int64_t now,
                                    char code[DB_RESULT_CODE_SIZE], db_withdrawal_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      6, "SELECT r.result, " WITHDRAWAL_COLUMNS(
             "(r.withdrawal)") " FROM withdrawal_cancel($1, $2, $3, $4, $5, us_to_ts($6)) r");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], merchant_id),
                     db_param_int64(b[1], shop_id),
                     db_param_int64(b[2], withdrawal_id),
                     staff_id > 0 ? db_param_int64(b[3], staff_id) : NULL,
                     reason,
                     db_param_int64(b[4], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.fn.withdrawal = fn, .arg = arg, .column = 1, .code = code};
  return db_each_row(&q, p, withdrawal_row, &rows);
}

enum db_status db_withdrawal_approve(int64_t staff_id, int64_t withdrawal_id, int64_t now,
                                     char code[DB_RESULT_CODE_SIZE], db_withdrawal_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(3, "SELECT r.result, " WITHDRAWAL_COLUMNS(
                     "(r.withdrawal)") " FROM withdrawal_approve($1, $2, us_to_ts($3)) r");
  char b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], staff_id), db_param_int64(b[1], withdrawal_id),
                     db_param_int64(b[2], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.fn.withdrawal = fn, .arg = arg, .column = 1, .code = code};
  return db_each_row(&q, p, withdrawal_row, &rows);
}

enum db_status db_withdrawals_awaiting(int64_t after_id, int limit, db_withdrawal_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(2, "SELECT " WITHDRAWAL_COLUMNS(
                     "w") " FROM withdrawals w"
                          " WHERE w.approval = 'pending' AND w.status = 'requested' AND w.id > $1"
                          " ORDER BY w.id LIMIT $2");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], after_id), db_param_int64(b[1], limit)};
  struct rows rows = {.fn.withdrawal = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, withdrawal_row, &rows);
}

/* ---- the payout job ---- */

static void code_row(const PGresult *res, int r, void *arg)
{
  snprintf(((struct rows *)arg)->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
}

static void payout_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  struct db_payout p;
  int c = 0;
  p.id = db_get_int64(res, r, c++);
  p.shop_id = db_get_int64(res, r, c++);
  p.amount_cents = db_get_int64(res, r, c++);
  p.status = PQgetvalue(res, r, c++);
  p.provider = db_get_text(res, r, c++);
  p.provider_ref = db_get_text(res, r, c++);
  p.submitted_at = db_get_int64(res, r, c++);
  bank_read(res, r, c, &p.account);
  rows->fn.payout(&p, rows->arg);
  sodium_memzero(&p.account, sizeof p.account);
}

enum db_status db_payouts_due(int64_t after_id, int64_t paid_since, int limit, db_payout_fn fn,
                              void *arg)
{
  /* Two partial indexes hold the candidates: withdrawals in flight, and
   * those paid within the provider's return window. */
  static struct db_stmt q =
      DB_STMT(3, "SELECT w.id, w.shop_id, w.amount_cents, w.status, w.provider, w.provider_ref,"
                 " ts_to_us(w.submitted_at), " BANK_COLUMNS(
                     "w") " FROM (SELECT x.*, x.requested_at AS updated_at"
                          " FROM withdrawals x WHERE x.id > $1 AND (x.status = 'submitted'"
                          " OR (x.status = 'requested' AND x.approval IN ('none', 'approved'))"
                          " OR (x.status = 'succeeded' AND x.resolved_at >= us_to_ts($2)))"
                          " ORDER BY x.id LIMIT $3) w ORDER BY w.id");
  char b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], after_id), db_param_int64(b[1], paid_since),
                     db_param_int64(b[2], limit)};
  struct rows rows = {.fn.payout = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, payout_row, &rows);
}

enum db_status db_payout_advance(int64_t withdrawal_id, const char *to, const char *provider,
                                 const char *ref, const char *reason, int64_t now,
                                 char code[DB_RESULT_CODE_SIZE])
{
  static struct db_stmt q =
      DB_STMT(6, "SELECT withdrawal_advance($1, $2, $3, $4, $5, us_to_ts($6))");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {
      db_param_int64(b[0], withdrawal_id), to, provider, ref, reason, db_param_int64(b[1], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.code = code};
  return db_each_row(&q, p, code_row, &rows);
}

/* ---- the audit trail ---- */

static void audit_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  struct db_audit_entry e;
  e.id = db_get_int64(res, r, 0);
  e.at = db_get_int64(res, r, 1);
  e.actor_id = db_get_int64(res, r, 2);
  e.action = PQgetvalue(res, r, 3);
  e.object = PQgetvalue(res, r, 4);
  e.object_id = db_get_int64(res, r, 5);
  e.shop_id = db_get_int64(res, r, 6);
  e.detail = PQgetvalue(res, r, 7);
  rows->fn.audit(&e, rows->arg);
}

enum db_status db_funds_audit_page(int64_t shop_id, const char *object, int64_t object_id,
                                   int64_t before_id, int limit, db_audit_fn fn, void *arg)
{
  /* A shop's or an object's trail walks funds_audit_shop or
   * funds_audit_object; the whole trail, the primary key. */
  static struct db_stmt q = DB_STMT(
      5, "SELECT id, ts_to_us(at), actor_id, action, object, object_id, shop_id, detail::text"
         " FROM funds_audit WHERE id < $4 AND ($1::bigint = 0 OR shop_id = $1)"
         " AND ($2::text IS NULL OR object = $2) AND ($3::bigint = 0 OR object_id = $3)"
         " ORDER BY id DESC LIMIT $5");
  char b[4][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], shop_id), object, db_param_int64(b[1], object_id),
                     db_param_int64(b[2], before_id > 0 ? before_id : INT64_MAX),
                     db_param_int64(b[3], limit)};
  struct rows rows = {.fn.audit = fn, .arg = arg};
  return db_each_row(&q, p, audit_row, &rows);
}

/* ---- adjustments ---- */

#define ADJUSTMENT_COLUMNS(p)                                                                      \
  p ".id, " p ".shop_id, " p ".amount_cents, " p ".created_by, " p ".decided_by, " p               \
    ".account, " p ".platform_account, " p ".direction, " p ".reason, " p ".status, " p            \
    ".decision_reason,"                                                                            \
    " ts_to_us(" p ".created_at), ts_to_us(" p ".decided_at)"

static void adjustment_row(const PGresult *res, int r, void *arg)
{
  struct rows *rows = arg;
  if (rows->code != NULL)
    snprintf(rows->code, DB_RESULT_CODE_SIZE, "%s", PQgetvalue(res, r, 0));
  int c = rows->column;
  if (PQgetisnull(res, r, c))
    return;
  struct db_adjustment a;
  a.id = db_get_int64(res, r, c++);
  a.shop_id = db_get_int64(res, r, c++);
  a.amount_cents = db_get_int64(res, r, c++);
  a.created_by = db_get_int64(res, r, c++);
  a.decided_by = db_get_int64(res, r, c++);
  a.account = PQgetvalue(res, r, c++);
  a.platform_account = PQgetvalue(res, r, c++);
  a.direction = PQgetvalue(res, r, c++);
  a.reason = PQgetvalue(res, r, c++);
  a.status = PQgetvalue(res, r, c++);
  a.decision_reason = db_get_text(res, r, c++);
  a.created_at = db_get_int64(res, r, c++);
  a.decided_at = db_get_int64(res, r, c);
  rows->fn.adjustment(&a, rows->arg);
}

enum db_status db_adjustment_create(int64_t staff_id, const struct db_adjustment *a,
                                    int64_t approval_over_cents, int64_t now,
                                    char code[DB_RESULT_CODE_SIZE], db_adjustment_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(9, "SELECT r.result, " ADJUSTMENT_COLUMNS(
                     "(r.adjustment)") " FROM adjustment_create($1, $2, $3, $4, $5, $6, $7, $8,"
                                       " us_to_ts($9)) r");
  char b[5][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], staff_id),
                     db_param_int64(b[1], a->shop_id),
                     a->account,
                     a->platform_account,
                     a->direction,
                     db_param_int64(b[2], a->amount_cents),
                     a->reason,
                     db_param_int64(b[3], approval_over_cents),
                     db_param_int64(b[4], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.fn.adjustment = fn, .arg = arg, .column = 1, .code = code};
  return db_each_row(&q, p, adjustment_row, &rows);
}

enum db_status db_adjustment_decide(int64_t staff_id, int64_t adjustment_id, bool approve,
                                    const char *reason, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                    db_adjustment_fn fn, void *arg)
{
  static struct db_stmt q =
      DB_STMT(5, "SELECT r.result, " ADJUSTMENT_COLUMNS(
                     "(r.adjustment)") " FROM adjustment_decide($1, $2, $3, $4, us_to_ts($5)) r");
  char b[3][DB_INT64_SIZE];
  const char *p[] = {db_param_int64(b[0], staff_id), db_param_int64(b[1], adjustment_id),
                     approve ? "true" : "false", reason, db_param_int64(b[2], now)};
  snprintf(code, DB_RESULT_CODE_SIZE, "not_found");
  struct rows rows = {.fn.adjustment = fn, .arg = arg, .column = 1, .code = code};
  return db_each_row(&q, p, adjustment_row, &rows);
}

enum db_status db_adjustments_page(const char *status, int64_t before_id, int limit,
                                   db_adjustment_fn fn, void *arg)
{
  static struct db_stmt q = DB_STMT(
      3,
      "SELECT " ADJUSTMENT_COLUMNS("a") " FROM funds_adjustments a"
                                        " WHERE ($1::text IS NULL OR a.status = $1) AND a.id < $2"
                                        " ORDER BY a.id DESC LIMIT $3");
  char b[2][DB_INT64_SIZE];
  const char *p[] = {status, db_param_int64(b[0], before_id > 0 ? before_id : INT64_MAX),
                     db_param_int64(b[1], limit)};
  struct rows rows = {.fn.adjustment = fn, .arg = arg, .column = 0, .code = NULL};
  return db_each_row(&q, p, adjustment_row, &rows);
}
