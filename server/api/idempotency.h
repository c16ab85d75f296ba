/* Idempotency-Key on writes that move money, stock or state: the same key
 * and the same request give the stored reply again; the same key with
 * another request gives 422; while the first request runs, 409. Keys are
 * scoped to the account and kept for a day. */
#ifndef MERCHANTD_IDEMPOTENCY_H
#define MERCHANTD_IDEMPOTENCY_H

#define IDEMPOTENCY_KEY_HEADER "Idempotency-Key"

#include "http.h"

/* Before the handler of an idempotent route: claims the key, or replies. */
enum http_step idempotency_begin(struct http_request *rq);
/* From the reply module, before a reply goes out: for a claimed key, stores
 * the reply in the request's transaction and commits the two together (a
 * server error instead rolls back and forgets the claim, so that a retry
 * runs again). False when that commit failed: nothing of the request
 * stays, and the caller answers 503 instead. */
bool idempotency_remember(struct http_request *rq, unsigned status, const char *content_type,
                          const char *body);
/* From the completion callback: forgets a claim no reply was stored for. */
void idempotency_end(struct http_request *rq);

#endif
