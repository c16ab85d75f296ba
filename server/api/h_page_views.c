/* Visitor events (docs/data.md, "Visitor events"):
 *   POST /v1/events/views  {"views": [{"shop_id", "product_id"?, "visitor_id"?, "at",
 *                                      "source"?}, ...]}  1 to 100 views
 * Buyers' apps report the shop and product pages shown, signed in or not.
 * A signed-in buyer is the visitor a:<account id>, whatever visitor_id says
 * (it may be left out; when sent it is checked like an anonymous one's and
 * then ignored); an anonymous visitor must name itself (v:<visitor_id>).
 * The shape of the whole batch is checked first (one 400 for everything);
 * then each view is judged on its own in one call to the database: views
 * out of the time window or naming an unknown shop or product are refused
 * without failing the others, and a view of a visitor, shop, product and
 * minute already stored is counted as a duplicate. */
#include "clock.h"
#include "handlers.h"
#include "jsonin.h"
#include "page_views.h"
#include "reply.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define VISITOR_ID_MIN 8
#define VISITOR_ID_MAX 64
#define SOURCE_MAX     32

static const char *visitor_id_problem(const char *s)
{
  for (; *s != '\0'; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '-'))
      return "must be 8 to 64 of A-Z, a-z, 0-9, _ and -";
  return NULL;
}

static const char *source_problem(const char *s)
{
  for (; *s != '\0'; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return "must be 1 to 32 of a-z, 0-9 and _";
  return NULL;
}

/* The batch as read, and then as judged. */
struct batch {
  bool anonymous;
  json_t *sent; /* the views as the database gets them */
  /* The element being read. */
  int64_t shop_id, product_id, at;
  const char *visitor_id, *source;
  bool has_visitor_id; /* sent, valid or not */
  /* The outcomes. */
  int64_t stored, duplicates, results;
  json_t *refused;
  bool failed; /* a JSON value could not be made, or an outcome is unknown */
};

/* views[i], read: checked for the rule between the caller and visitor_id,
 * then kept for the database. */
static void view_read(struct jsonin_at *at, void *arg)
{
  struct batch *b = arg;
  bool has_visitor_id = b->has_visitor_id;
  b->has_visitor_id = false;
  if (!json_is_object(at->value))
    return; /* the element's own problem is reported */
  if (b->anonymous && !has_visitor_id)
    jsonin_at_error(at, "visitor_id", "is required unless a buyer is signed in");
  if (!at->valid || (b->anonymous && !has_visitor_id))
    return;
  json_t *v = json_pack("{s:I, s:o, s:o, s:I, s:s}", "shop_id", (json_int_t)b->shop_id,
                        "product_id", b->product_id > 0 ? json_integer(b->product_id) : json_null(),
                        "visitor_id", b->anonymous ? json_string(b->visitor_id) : json_null(), "at",
                        (json_int_t)b->at, "source", b->source != NULL ? b->source : "");
  if (v == NULL || json_array_append_new(b->sent, v) != 0)
    b->failed = true;
}

static enum http_step batch_read(struct http_request *rq, struct batch *b)
{
  const struct jsonin_field view_fields[] = {
      JSONIN_INT("shop_id", &b->shop_id, 1, INT64_MAX, JSONIN_REQUIRED),
      JSONIN_INT("product_id", &b->product_id, 1, INT64_MAX, JSONIN_OPTIONAL | JSONIN_NULLABLE),
      JSONIN_BYTES("visitor_id", &b->visitor_id, VISITOR_ID_MIN, VISITOR_ID_MAX, JSONIN_OPTIONAL,
                   .present = &b->has_visitor_id, .check = visitor_id_problem),
      JSONIN_TIME("at", &b->at, JSONIN_REQUIRED),
      JSONIN_BYTES("source", &b->source, 1, SOURCE_MAX, JSONIN_OPTIONAL, .check = source_problem),
  };
  const struct jsonin_spec view_spec = JSONIN_SPEC(view_fields);
  const struct jsonin_field view = JSONIN_OBJECT(NULL, &view_spec, JSONIN_REQUIRED);
  const struct jsonin_field fields[] = {
      JSONIN_ARRAY("views", &view, 1, DB_PAGE_VIEWS_BATCH_MAX, JSONIN_REQUIRED, .each = view_read,
                   .arg = b),
  };
  return jsonin_read(rq, fields, JSONIN_COUNT(fields));
}

/* The reasons a view is refused; anything else from the database is a
 * broken contract, answered 500. */
static const char *const refusals[] = {"at_out_of_window", "unknown_shop", "unknown_product"};

/* db_page_view_result_fn: one view's outcome. */
static void view_result(int64_t index, const char *result, void *arg)
{
  struct batch *b = arg;
  b->results++;
  if (strcmp(result, "stored") == 0) {
    b->stored++;
    return;
  }
  if (strcmp(result, "duplicate") == 0) {
    b->duplicates++;
    return;
  }
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
    if (strcmp(result, refusals[i]) == 0) {
      json_t *r = json_pack("{s:I, s:s}", "index", (json_int_t)index, "code", refusals[i]);
      if (r == NULL || json_array_append_new(b->refused, r) != 0)
        b->failed = true;
      return;
    }
  b->failed = true;
}

enum MHD_Result h_page_views_ingest(struct http_request *rq)
{
  struct batch b = {.anonymous = !rq->authenticated, .sent = json_array(), .refused = json_array()};
  enum http_step step = b.sent && b.refused ? batch_read(rq, &b) : HTTP_STEP_FAILED;
  char *sent = NULL;
  enum db_status st = DB_HARD_ERROR;
  if (step == HTTP_STEP_OK && !b.failed && (sent = json_dumps(b.sent, JSON_COMPACT)) != NULL)
    st = db_page_views_ingest(rq->authenticated ? rq->session.account.id : 0, sent, clock_now_us(),
                              view_result, &b);
  free(sent);
  /* Every view has its outcome, or the database broke its contract. */
  if (st >= DB_NONE && (b.failed || b.results != (int64_t)json_array_size(b.sent)))
    st = DB_HARD_ERROR;
  json_decref(b.sent);
  if (step != HTTP_STEP_OK || st < DB_NONE) {
    json_decref(b.refused);
    return step != HTTP_STEP_OK ? http_step_result(step) : reply_db_error(rq, st);
  }
  return reply_json_steal(rq, MHD_HTTP_OK,
                          json_pack("{s:I, s:I, s:o}", "stored", (json_int_t)b.stored, "duplicates",
                                    (json_int_t)b.duplicates, "refused", b.refused));
}
