/* Idempotency-Key on writes that move money, stock or state: the same key
 * and the same request give the stored reply again; the same key with
 * another request gives 422; while the first request runs, 409. Keys are
 * scoped to the account and kept for a day. */
#ifndef MERCHANTD_IDEMPOTENCY_H
#define MERCHANTD_IDEMPOTENCY_H

#define IDEMPOTENCY_KEY_HEADER "Idempotency-Key"

#include "request.h"

/* Before the handler of an idempotent route: claims the key, or replies. */
enum http_step idempotency_begin(struct http_request *rq);
/* While a key is claimed, the request's before_reply hook stores the
 * reply with the request's own writes, in one transaction.
 *
 * When the request is done: forgets a claim no reply was stored for. */
void idempotency_end(struct http_request *rq);

#endif
