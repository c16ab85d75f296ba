#include "request.h"

#include "db.h"
#include "log.h"

#include <stdatomic.h>

static atomic_bool draining;

const char *http_header(struct http_request *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_request *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

bool http_suspend(struct http_request *rq)
{
  if (db_txn_open()) {
    log_error("could not suspend %s %s: a transaction is open on this thread", rq->method,
              rq->path);
    return false;
  }
  MHD_suspend_connection(rq->conn);
  return true;
}

void http_resume(struct http_request *rq)
{
  MHD_resume_connection(rq->conn);
}

bool http_draining(void)
{
  return atomic_load(&draining);
}

void http_set_draining(void)
{
  atomic_store(&draining, true);
}
