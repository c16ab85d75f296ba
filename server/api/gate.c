#include "gate.h"

#include "auth.h"
#include "idempotency.h"
#include "routes.h"

static enum http_step authenticate(struct http_request *rq)
{
  unsigned access = rq->route->access;
  if (access & ROUTE_OPTIONAL_AUTH) {
    /* Anonymous callers are welcome; a token must be good and of a role
     * the route names (any role when it names none). */
    if (http_header(rq, MHD_HTTP_HEADER_AUTHORIZATION) == NULL)
      return HTTP_STEP_OK;
    access &= ROUTE_ANY_ROLE;
    return auth_require(rq, access != 0 ? access : ROUTE_ANY_ROLE);
  }
  /* A retry with an Idempotency-Key is answered from its stored reply,
   * which takes the session first: such a request is not folded. */
  if ((access & ROUTE_FOLDED_AUTH) &&
      !(rq->route->idempotent && http_header(rq, IDEMPOTENCY_KEY_HEADER) != NULL))
    return auth_token(rq);
  if (access != ROUTE_PUBLIC)
    return auth_require(rq, access);
  return HTTP_STEP_OK;
}

/* An upload claims its key itself once its image is decoded (h_images.c):
 * the claim's transaction must not stay open while the request waits. */
static enum http_step admit(struct http_request *rq)
{
  if (rq->route->idempotent && rq->authenticated && rq->route->body != ROUTE_UPLOAD_BODY)
    return idempotency_begin(rq);
  return HTTP_STEP_OK;
}

const struct http_hooks gate_hooks = {authenticate, admit, idempotency_run, idempotency_end};
