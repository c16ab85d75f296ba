/* Replies of the campaign handlers, whose objects the database writes as
 * JSON (db/campaigns.h): the callbacks that copy them into a reply, and
 * the reply for a campaign function's result code. */
#ifndef MERCHANTD_CAMPAIGN_REPLY_H
#define MERCHANTD_CAMPAIGN_REPLY_H

#include "db.h"
#include "jsonout.h"
#include "request.h"

#include <stdint.h>

/* db_campaign_json_fn: copies the document into the jsonout arg. */
void campaign_reply_write(const char *json, void *arg);
/* db_campaign_row_fn: a row of a page (struct page arg). */
void campaign_reply_row(int64_t id, const char *json, void *arg);

/* The reply to a campaign function: out with status when the code is ok;
 * else the code's problem (missing: the 404's detail; a refused entry's
 * errors[] from out). Frees out. */
enum MHD_Result campaign_reply_coded(struct http_request *rq, enum db_status st, const char *code,
                                     struct jsonout *out, unsigned status, const char *missing);
/* 200 with out, 404 (missing) when the read found nothing. Frees out. */
enum MHD_Result campaign_reply_found(struct http_request *rq, enum db_status st,
                                     struct jsonout *out, const char *missing);

#endif
