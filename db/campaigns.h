/* Platform campaigns: the staff's campaigns and review queue, the shops'
 * entries, and the counters of a shop in a campaign. The rules live in the
 * SQL functions of db/sql (campaign_*.sql); each call here is one
 * statement. Objects come back as JSON text built by the database
 * (campaign_json, campaign_entry_json), copied into the reply as they are;
 * the text is valid only during the callback. */
#ifndef MERCHANTD_DB_CAMPAIGNS_H
#define MERCHANTD_DB_CAMPAIGNS_H

#include "db.h"

#include <stdint.h>

/* A document (the object written, or a refusal's details; NULL when there
 * is none). */
typedef void db_campaign_json_fn(const char *json, void *arg);
/* A row of a list: its id (the keyset) and the object. */
typedef void db_campaign_row_fn(int64_t id, const char *json, void *arg);
/* A product's result in a batch of entries: the result code and the entry
 * or the errors. product_id 0: the whole batch was refused (code). */
typedef void db_campaign_batch_fn(int64_t product_id, const char *code, const char *json,
                                  void *arg);

/* Staff. body_json: the request body as checked by the handler. code gets
 * the function's result; fn the campaign when it is ok. */
enum db_status db_campaign_create(int64_t staff_id, const char *body_json, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                  void *arg);
enum db_status db_campaign_update(int64_t id, const char *body_json, int64_t now,
                                  char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                  void *arg);
enum db_status db_campaign_cancel(int64_t id, int64_t now, char code[DB_RESULT_CODE_SIZE],
                                  db_campaign_json_fn *fn, void *arg);
/* DB_NONE when there is no such campaign. */
enum db_status db_campaign_get(int64_t id, int64_t now, db_campaign_json_fn *fn, void *arg);
/* Newest first, after the id after (0: from the start); status NULL: any. */
enum db_status db_campaigns_page(const char *status, int64_t after, int limit, int64_t now,
                                 db_campaign_row_fn *fn, void *arg);
/* The campaign's entries of a status (NULL: any), oldest first. DB_NONE:
 * no such campaign; an empty page of one is DB_ONE without a call of fn. */
enum db_status db_campaign_entries_queue(int64_t campaign_id, const char *status, int64_t after,
                                         int limit, db_campaign_row_fn *fn, void *arg);
/* approve, or reject with reason; fn gets the entry when ok. */
enum db_status db_campaign_entry_decide(int64_t staff_id, int64_t campaign_id, int64_t entry_id,
                                        bool approve, const char *reason, int64_t now,
                                        char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                        void *arg);

/* Merchants. Campaigns whose sign-up has opened (not cancelled), newest
 * first, each with the eligibility of every shop of the merchant. */
enum db_status db_campaigns_for_merchant(int64_t merchant_id, const char *status, int64_t after,
                                         int limit, int64_t now, db_campaign_row_fn *fn, void *arg);
/* skus_json: [{"sku_id", "campaign_price_cents", "campaign_stock"}]. fn
 * gets the entry when ok, {"errors": [...]} when campaign_rules_failed. */
enum db_status db_campaign_entry_create(int64_t merchant_id, int64_t shop_id, int64_t campaign_id,
                                        int64_t product_id, const char *skus_json, int64_t now,
                                        char code[DB_RESULT_CODE_SIZE], db_campaign_json_fn *fn,
                                        void *arg);
/* products: a bigint[] literal ("{1,2}"). */
enum db_status db_campaign_entries_batch(int64_t merchant_id, int64_t shop_id, int64_t campaign_id,
                                         int64_t discount_percent, int64_t stock_percent,
                                         const char *products, int64_t now,
                                         db_campaign_batch_fn *fn, void *arg);
enum db_status db_campaign_entry_withdraw(int64_t merchant_id, int64_t shop_id, int64_t entry_id,
                                          int64_t now, char code[DB_RESULT_CODE_SIZE],
                                          db_campaign_json_fn *fn, void *arg);
/* The shop's entries, newest first; campaign_id 0 and status NULL: any. */
enum db_status db_campaign_entries_of_shop(int64_t merchant_id, int64_t shop_id,
                                           int64_t campaign_id, const char *status, int64_t after,
                                           int limit, db_campaign_row_fn *fn, void *arg);
/* The shop's counters in the campaign; DB_NONE when the merchant has no
 * such shop or the shop never had an entry approved in the campaign (the
 * counters are made at its first approval). */
enum db_status db_campaign_stats(int64_t merchant_id, int64_t shop_id, int64_t campaign_id,
                                 db_campaign_json_fn *fn, void *arg);

/* The end job: campaigns ended by now give their unsold stock back, up to
 * limit of them; *ended counts them. */
enum db_status db_campaigns_end(int64_t now, int limit, int64_t *ended);

#endif
