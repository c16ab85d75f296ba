/* GET /v1/shops/{id}/erp/orders: the change feed ERP systems poll. Each
 * change to an order moves it to a new, larger seq; a client asks for what
 * changed after the last seq it saw and so sees every order in its latest
 * state, none twice in one state (see db/erp.c for how). */
#include "erp.h"
#include "handlers.h"
#include "query.h"
#include "reply.h"
#include "tenancy.h"
#include "view.h"

#define ERP_LIMIT_DEFAULT 100
#define ERP_LIMIT_MAX     500

struct feed {
  struct jsonout out; /* {"items": [ so far */
  int64_t last_seq;
};

static void add_change(const struct db_order *o, void *arg)
{
  struct feed *f = arg;
  jsonout_begin_object(&f->out);
  jsonout_field_int(&f->out, "seq", o->change_seq);
  jsonout_key(&f->out, "order");
  view_order(&f->out, o, true);
  jsonout_end_object(&f->out);
  f->last_seq = o->change_seq;
}

enum MHD_Result h_erp_feed(struct http_request *rq)
{
  int64_t after = 0, limit = ERP_LIMIT_DEFAULT;
  const struct query_param params[] = {
      QUERY_INT("after", &after, 0, INT64_MAX),
      QUERY_INT("limit", &limit, 1, ERP_LIMIT_MAX),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  /* With nothing new, next_after stays where the client is. */
  struct feed f = {JSONOUT_INIT, after};
  jsonout_begin_object(&f.out);
  jsonout_key(&f.out, "items");
  jsonout_begin_array(&f.out);
  enum db_status st = db_erp_orders_after(rq->ids[0], after, limit, add_change, &f);
  if (st < DB_NONE) {
    jsonout_free(&f.out);
    return reply_db_error(rq, st);
  }
  jsonout_end_array(&f.out);
  jsonout_field_int(&f.out, "next_after", f.last_seq);
  jsonout_end_object(&f.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &f.out);
}
