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
  json_t *items;
  int64_t last_seq;
  bool failed; /* an item could not be built: answer 500 rather than skip it */
};

static void add_change(const struct db_order *o, void *arg)
{
  struct feed *f = arg;
  json_t *item =
      json_pack("{s:I, s:o}", "seq", (json_int_t)o->change_seq, "order", view_order(o, true));
  if (item == NULL || json_array_append_new(f->items, item) != 0)
    f->failed = true;
  f->last_seq = o->change_seq;
}

enum MHD_Result erp_orders_feed(struct http_request *rq)
{
  int64_t after = 0, limit = ERP_LIMIT_DEFAULT;
  const struct query_param params[] = {
      {"after", QUERY_INT, 0, INT64_MAX, &after, NULL, NULL},
      {"limit", QUERY_INT, 1, ERP_LIMIT_MAX, &limit, NULL, NULL},
  };
  enum http_step step = query_read(rq, params, sizeof params / sizeof params[0]);
  if (step == HTTP_STEP_OK)
    step = tenancy_own_shop(rq, rq->ids[0]);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);

  /* With nothing new, next_after stays where the client is. */
  struct feed f = {json_array(), after, false};
  if (f.items == NULL)
    return MHD_NO;
  enum db_status st = db_erp_orders_after(rq->ids[0], after, limit, add_change, &f);
  if (st < DB_NONE || f.failed) {
    json_decref(f.items);
    return f.failed ? reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL)
                    : reply_db_error(rq, st);
  }
  return reply_json_steal(
      rq, MHD_HTTP_OK,
      json_pack("{s:o, s:I}", "items", f.items, "next_after", (json_int_t)f.last_seq));
}
