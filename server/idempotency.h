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
/* From the reply module: stores the reply of a claimed key (or forgets the
 * claim when the reply is a server error, so that a retry runs again). */
void idempotency_remember(struct http_request *rq, unsigned status, const char *content_type,
                          const char *body);
/* From the completion callback: forgets a claim no reply was stored for. */
void idempotency_end(struct http_request *rq);

#endif
