/* The libmicrohttpd daemon: connections, request bodies, dispatch to the
 * route table, and the shutdown. */
#ifndef MERCHANTD_DAEMON_H
#define MERCHANTD_DAEMON_H

#include "request.h"

/* What the layer above adds around every routed request. Each step
 * answers as validation steps do (enum http_step). */
struct http_hooks {
  /* After routing and the body's size and framing checks, before the body
   * is parsed: who is calling (401 and 403 come before 400 and 415). */
  enum http_step (*authenticate)(struct http_request *rq);
  /* After the body is parsed, right before the handler. */
  enum http_step (*admit)(struct http_request *rq);
  /* Runs the route's handler (rq->route->handler), on the call that
   * admitted the request and on each call after a resumption, and returns
   * what it returned. The layer above may run it in a transaction, and
   * again; it must return with no transaction open on the thread, which
   * serves other connections as soon as it returns. */
  enum MHD_Result (*run)(struct http_request *rq);
  /* When the request is done, however it ended, before it is freed. */
  void (*finish)(struct http_request *rq);
};

/* Starts the daemon on config.port with the route table of router_init.
 * False (logged) on failure. */
bool http_start(const struct http_hooks *hooks);
/* Begins the shutdown: requests that arrive from now on are answered 503
 * shutting_down, and every reply closes its connection. Waits up to
 * grace_ms for the requests already in flight. */
void http_drain(unsigned grace_ms);
/* Closes every connection and stops the threads. */
void http_stop(void);

#endif
