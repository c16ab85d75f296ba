/* Idempotency-Key on writes that move money, stock or state: the same key
 * and the same request give the stored reply again; the same key with
 * another request gives 422; while the first request runs, 409. Keys are
 * scoped to the account and kept for a day. */
#ifndef MERCHANTD_IDEMPOTENCY_H
#define MERCHANTD_IDEMPOTENCY_H

#define IDEMPOTENCY_KEY_HEADER "Idempotency-Key"

#include "request.h"

/* Before the handler of an idempotent route: claims the key (committed on
 * its own), or replies. */
enum http_step idempotency_begin(struct http_request *rq);
/* Runs the handler (the run hook of struct http_hooks). With a claimed
 * key, through db_txn_run: the handler's statements and the stored reply
 * commit together, in one transaction that the request's before_reply
 * hook ends before the reply goes out; a serialization failure or
 * deadlock runs the handler again from the start, sending nothing, up to
 * DB_TXN_ATTEMPTS times. The transaction is over when this returns,
 * however the handler replied: a handler that returns with it open is
 * rolled back and its claim forgotten. A handler that must not hold a
 * claim while its request is suspended (an upload, decoded on the image
 * pool) claims the key itself once resumed, with idempotency_begin, and
 * then calls this, which runs it again under the claim. */
enum MHD_Result idempotency_run(struct http_request *rq);
/* When the request is done: forgets a claim no reply was stored for. */
void idempotency_end(struct http_request *rq);

#endif
