/* What the API adds around every routed request: authentication by the
 * route's access, and the Idempotency-Key of idempotent routes. */
#ifndef MERCHANTD_GATE_H
#define MERCHANTD_GATE_H

#include "daemon.h"

extern const struct http_hooks gate_hooks;

#endif
