/* Buyer-merchant chat: conversations and their messages.
 *   POST /v1/shops/{id}/conversations          buyer: get or create
 *   GET  /v1/conversations                     buyer: their conversations
 *   GET  /v1/shops/{id}/conversations?filter=  merchant: all, unread, unreplied
 *   GET  /v1/conversations/{id}/messages       either side: ?before= / ?after=
 *   POST /v1/conversations/{id}/messages       either side: text, image, cards
 *   POST /v1/conversations/{id}/read           either side: the read marker
 *   GET  /v1/conversations/{id}/orders         merchant: the buyer's orders here
 * A support conversation (docs/support.md) is a conversation of kind
 * support: its merchant uses the messages and read routes above, its
 * claimer the same handlers under /v1/platform/support/conversations.
 * Every query names the caller next to the conversation or shop, so that
 * someone else's answers 404 in the same round trip. Messages are written
 * by SQL only (message_send in migrations/0006_chat_messages.sql); 0005's
 * triggers keep the conversation and write the events. */
#include "chat.h"
#include "clock.h"
#include "cursor.h"
#include "handlers.h"
#include "jsonin.h"
#include "page.h"
#include "query.h"
#include "reply.h"
#include "routes.h"
#include "view.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Cursor letters of the lists (see cursor.h). */
#define CURSOR_SHOP_CONVERSATIONS  'v'
#define CURSOR_BUYER_CONVERSATIONS 'u'
#define CURSOR_CONVERSATION_ORDERS 'o'

#define TEXT_MAX          2000
#define URL_MAX           2000
#define PRODUCTS_CARD_MIN 2
#define PRODUCTS_CARD_MAX 10

/* What the callbacks write into: one object, or a list's items. */
/* A reply being written: one object, or a list page (page.out holds
 * either), for the account that asks. */
struct out {
  struct page page;
  int64_t caller;
};

/* How far the other side has read: for the buyer the shop's (the
 * merchant's marker), for the merchant the buyer's or, in a support
 * conversation, the platform's (the staff's marker, whoever claimed it),
 * for the claimer the merchant's. */
static int64_t peer_read_up_to(const struct db_conversation *c, int64_t caller)
{
  if (caller == c->merchant_id)
    return strcmp(c->kind, "support") == 0 ? c->staff_read_up_to : c->buyer_read_up_to;
  return c->merchant_read_up_to;
}

/* A conversation as the caller sees it: unread_count is their side's. A
 * support conversation (read through these routes by its merchant or
 * claimer) says so and has no buyer; a buyer conversation is as it was
 * before support conversations existed. */
static void write_conversation(struct jsonout *j, const struct db_conversation *c, int64_t caller)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", c->id);
  jsonout_field_int(j, "shop_id", c->shop_id);
  if (strcmp(c->kind, "buyer") != 0)
    jsonout_field_string(j, "kind", c->kind);
  jsonout_key(j, "buyer");
  if (c->buyer_id != 0) {
    jsonout_begin_object(j);
    jsonout_field_int(j, "id", c->buyer_id);
    jsonout_field_string(j, "name", c->buyer_name);
    jsonout_end_object(j);
  } else {
    jsonout_null(j);
  }
  jsonout_key(j, "last_message");
  if (c->last_message_id != 0) {
    jsonout_begin_object(j);
    jsonout_field_int(j, "id", c->last_message_id);
    jsonout_field_string(j, "type", c->last_type);
    jsonout_field_string(j, "sender", c->last_sender);
    jsonout_field_string(j, "preview", c->last_preview);
    jsonout_field_time(j, "created_at", c->last_created_at);
    jsonout_end_object(j);
  } else {
    jsonout_null(j);
  }
  jsonout_field_time(j, "last_activity_at", c->last_activity_at);
  jsonout_field_int(j, "unread_count",
                    caller == c->merchant_id ? c->merchant_unread
                    : caller == c->staff_id  ? c->staff_unread
                                             : c->buyer_unread);
  jsonout_field_int(j, "peer_read_up_to", peer_read_up_to(c, caller));
  jsonout_field_bool(j, "awaiting_reply", c->awaiting_reply);
  jsonout_field_time(j, "created_at", c->created_at);
  jsonout_end_object(j);
}

/* A message: text carries "text", image "url", the cards "card". */
static void write_message(struct jsonout *j, const struct db_message *m)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", m->id);
  jsonout_field_int(j, "conversation_id", m->conversation_id);
  jsonout_field_string(j, "sender", m->sender);
  jsonout_field_int_or_null(j, "sender_id", m->sender_id);
  jsonout_field_string(j, "type", m->type);
  if (strcmp(m->type, "text") == 0) {
    jsonout_field_string(j, "text", m->body);
  } else if (strcmp(m->type, "image") == 0) {
    jsonout_field_string(j, "url", m->body);
  } else {
    jsonout_key(j, "card");
    jsonout_raw(j, m->card != NULL ? m->card : "null");
  }
  jsonout_field_time(j, "created_at", m->created_at);
  jsonout_end_object(j);
}

static void set_conversation(const struct db_conversation *c, void *arg)
{
  struct out *o = arg;
  write_conversation(&o->page.out, c, o->caller);
}

static void add_conversation(const struct db_conversation *c, void *arg)
{
  struct out *o = arg;
  if (!page_row(&o->page))
    return;
  write_conversation(&o->page.out, c, o->caller);
  o->page.last = (struct cursor){c->last_activity_at, c->id};
}

static void add_message(const struct db_message *m, void *arg)
{
  write_message(&((struct out *)arg)->page.out, m);
}

static void add_order(const struct db_order *ord, void *arg)
{
  struct out *o = arg;
  if (!page_row(&o->page))
    return;
  view_order(&o->page.out, ord, true);
  o->page.last = (struct cursor){0, ord->id};
}

static enum MHD_Result no_conversation(struct http_request *rq)
{
  return reply_problem(rq, PROBLEM_NOT_FOUND, "no such conversation", NULL);
}

/* The reply for one object written into o, or for why there is none. */
static enum MHD_Result one_reply(struct http_request *rq, unsigned status, enum db_status st,
                                 struct out *o)
{
  if (st < DB_NONE || o->page.out.len == 0) {
    jsonout_free(&o->page.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_INTERNAL_ERROR, NULL, NULL);
  }
  return reply_jsonout(rq, status, &o->page.out);
}

/* Reads ?limit= and ?cursor= (plus extra parameters) into the list's
 * limit and after; a cursor's time is kept within what PostgreSQL takes. */
static enum http_step list_params(struct http_request *rq, char kind, struct query_param *params,
                                  size_t count, int64_t *limit, struct cursor *after)
{
  const char *cursor = NULL;
  params[0] = (struct query_param)QUERY_LIMIT(limit);
  params[1] = (struct query_param)QUERY_CURSOR(&cursor);
  enum http_step step = query_read(rq, params, count);
  if (step == HTTP_STEP_OK)
    step = query_cursor(rq, kind, cursor, after);
  if (after->key < 0 || after->key > DB_CHAT_KEY_MAX)
    after->key = after->key < 0 ? 0 : DB_CHAT_KEY_MAX;
  return step;
}

enum MHD_Result h_chat_conversation_open(struct http_request *rq)
{
  char code[DB_RESULT_CODE_SIZE];
  bool created;
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  enum db_status st = db_conversation_open(o.caller, rq->ids[0], clock_now_us(), code, &created,
                                           set_conversation, &o);
  if (st >= DB_NONE && strcmp(code, "not_found") == 0) {
    jsonout_free(&o.page.out);
    return reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  return one_reply(rq, created ? MHD_HTTP_CREATED : MHD_HTTP_OK, st, &o);
}

enum MHD_Result h_chat_conversations_list(struct http_request *rq)
{
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  struct cursor after = {DB_CHAT_KEY_MAX, INT64_MAX};
  struct query_param params[2];
  enum http_step step =
      list_params(rq, CURSOR_BUYER_CONVERSATIONS, params, 2, &o.page.limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (o.page.limit == 0)
    o.page.limit = QUERY_LIMIT_DEFAULT;
  struct db_conversation_page p = {o.caller,  0,        DB_CONVERSATIONS_ALL,
                                   after.key, after.id, (int)o.page.limit + 1};
  page_begin(&o.page, o.page.limit);
  enum db_status st = db_buyer_conversations_page(&p, add_conversation, &o);
  if (st < DB_NONE) {
    jsonout_free(&o.page.out);
    return reply_db_error(rq, st);
  }
  page_end(&o.page, CURSOR_BUYER_CONVERSATIONS);
  jsonout_end_object(&o.page.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &o.page.out);
}

enum MHD_Result h_chat_shop_conversations(struct http_request *rq)
{
  static const char *const filters[] = {"all", "unread", "unreplied", NULL};
  int filter = DB_CONVERSATIONS_ALL;
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  struct cursor after = {DB_CHAT_KEY_MAX, INT64_MAX};
  struct query_param params[3] = {[2] = QUERY_ENUM("filter", &filter, filters)};
  enum http_step step =
      list_params(rq, CURSOR_SHOP_CONVERSATIONS, params, 3, &o.page.limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (o.page.limit == 0)
    o.page.limit = QUERY_LIMIT_DEFAULT;
  struct db_conversation_page p = {o.caller,  rq->ids[0], (enum db_conversation_filter)filter,
                                   after.key, after.id,   (int)o.page.limit + 1};
  struct db_conversation_counts counts;
  page_begin(&o.page, o.page.limit);
  enum db_status st = db_shop_conversations_page(&p, add_conversation, &o, &counts);
  if (st <= DB_NONE) {
    jsonout_free(&o.page.out);
    return st < DB_NONE ? reply_db_error(rq, st)
                        : reply_problem(rq, PROBLEM_NOT_FOUND, "no such shop", NULL);
  }
  page_end(&o.page, CURSOR_SHOP_CONVERSATIONS);
  jsonout_key(&o.page.out, "counts");
  jsonout_begin_object(&o.page.out);
  jsonout_field_int(&o.page.out, "all", counts.all);
  jsonout_field_int(&o.page.out, "unread", counts.unread);
  jsonout_field_int(&o.page.out, "unreplied", counts.unreplied);
  jsonout_end_object(&o.page.out);
  jsonout_end_object(&o.page.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &o.page.out);
}

enum MHD_Result h_chat_messages_list(struct http_request *rq)
{
  int64_t before = 0, after = 0, limit = QUERY_LIMIT_DEFAULT;
  bool has_before, has_after;
  const struct query_param params[] = {
      QUERY_INT("before", &before, 1, INT64_MAX, .present = &has_before),
      QUERY_INT("after", &after, 1, INT64_MAX, .present = &has_after),
      QUERY_LIMIT(&limit),
  };
  enum http_step step = query_read(rq, params, QUERY_COUNT(params));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (has_before && has_after)
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "give before or after, not both",
                         json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "errors", "field", "before",
                                   "message", "not with after", "field", "after", "message",
                                   "not with before"));
  struct db_message_page p = {rq->session.account.id, rq->ids[0], has_after,
                              has_after    ? after
                              : has_before ? before
                                           : INT64_MAX,
                              (int)limit,
                              /* The platform's route: the router has checked
                                 the support permission. */
                              (rq->route->access & ROUTE_STAFF) != 0};
  struct out o = {.page.out = JSONOUT_INIT};
  bool more;
  page_begin(&o.page, limit);
  enum db_status st = db_messages_page(&p, add_message, &o, &more);
  if (st <= DB_NONE) {
    jsonout_free(&o.page.out);
    return st < DB_NONE ? reply_db_error(rq, st) : no_conversation(rq);
  }
  jsonout_end_array(&o.page.out);
  jsonout_field_bool(&o.page.out, "has_more", more);
  jsonout_end_object(&o.page.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &o.page.out);
}

/* The members each message type takes. */
static const struct {
  const char *type;
  const char *members[2];
} type_members[] = {
    {"text", {"text", "quick_reply_id"}}, {"image", {"url", "image_id"}},
    {"product_card", {"product_id"}},     {"products_card", {"product_ids"}},
    {"order_card", {"order_id"}},
};
#define TYPE_COUNT (sizeof type_members / sizeof type_members[0])

static const char *type_problem(const char *s)
{
  for (size_t i = 0; i < TYPE_COUNT; i++)
    if (strcmp(s, type_members[i].type) == 0)
      return NULL;
  return "must be one of text, image, product_card, products_card, order_card";
}

/* An http(s) URL with a host, no spaces or control characters. */
static const char *url_problem(const char *s)
{
  size_t scheme = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
  if (scheme == 0 || s[scheme] == '\0' || s[scheme] == '/')
    return "must be an http or https URL";
  for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
    if (*c <= 0x20 || *c == 0x7f)
      return "must be an http or https URL without spaces";
  return NULL;
}

/* A message body as read: the members of every type, and which of them
 * were sent. */
struct message_in {
  const char *type, *text, *url;
  int64_t quick_reply_id, product_id, order_id, image_id;
  bool has[7]; /* in the order of members[] */
  int64_t id;  /* product_ids[i] being read */
  int64_t ids[PRODUCTS_CARD_MAX];
  size_t count;
};

static const char *const members[] = {"text",        "quick_reply_id", "url",     "product_id",
                                      "product_ids", "order_id",       "image_id"};

/* Checks the members sent against the type: those of other types are
 * refused, the type's own required. */
static void check_members(const struct message_in *m, struct jsonin_errors *e)
{
  size_t t = 0;
  while (strcmp(type_members[t].type, m->type) != 0)
    t++;
  const char *first = type_members[t].members[0], *second = type_members[t].members[1];
  bool has_first = false, has_second = false;
  for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
    bool is_first = strcmp(first, members[i]) == 0;
    bool is_second = second != NULL && strcmp(second, members[i]) == 0;
    has_first |= is_first && m->has[i];
    has_second |= is_second && m->has[i];
    if (!is_first && !is_second && m->has[i])
      jsonin_error(e, members[i], "is not taken by type %s", m->type);
  }
  if (!has_first && !has_second && second != NULL)
    jsonin_error(e, first, "is required for type %s (or %s)", m->type, second);
  else if (!has_first && !has_second)
    jsonin_error(e, first, "is required for type %s", m->type);
  else if (has_first && has_second)
    jsonin_error(e, second, "send %s or %s, not both", first, second);
}

/* product_ids[i]: each product once. */
static void product_id_each(struct jsonin_at *at, void *arg)
{
  struct message_in *m = arg;
  if (!at->valid)
    return;
  for (size_t k = 0; k < m->count; k++)
    if (m->ids[k] == m->id) {
      jsonin_at_error(at, NULL, "must not repeat a product");
      return;
    }
  m->ids[m->count++] = m->id;
}

/* The message of an invalid_field that message_send answered. */
static const char *send_field_message(const char *field)
{
  if (strcmp(field, "quick_reply_id") == 0)
    return "is not a quick reply of this shop";
  if (strcmp(field, "order_id") == 0)
    return "is not an order of this buyer in this shop";
  if (strcmp(field, "image_id") == 0)
    return "is not an image of the sender's image space";
  if (strcmp(field, "type") == 0)
    return "a support conversation takes text and image messages only";
  return "is not a product of this shop";
}

enum MHD_Result h_chat_message_send(struct http_request *rq)
{
  struct message_in m = {0};
  const struct jsonin_field product_id = JSONIN_INT(NULL, &m.id, 1, INT64_MAX, JSONIN_REQUIRED);
  /* After type, the members in the order of members[] and has[]. */
  const struct jsonin_field fields[] = {
      JSONIN_TEXT("type", &m.type, 1, 20, JSONIN_REQUIRED, .check = type_problem),
      JSONIN_TEXT("text", &m.text, 1, TEXT_MAX, JSONIN_OPTIONAL, .present = &m.has[0],
                  .check = jsonin_not_blank),
      JSONIN_INT("quick_reply_id", &m.quick_reply_id, 1, INT64_MAX, JSONIN_OPTIONAL,
                 .present = &m.has[1]),
      JSONIN_BYTES("url", &m.url, 1, URL_MAX, JSONIN_OPTIONAL, .present = &m.has[2],
                   .check = url_problem),
      JSONIN_INT("product_id", &m.product_id, 1, INT64_MAX, JSONIN_OPTIONAL, .present = &m.has[3]),
      JSONIN_ARRAY("product_ids", &product_id, PRODUCTS_CARD_MIN, PRODUCTS_CARD_MAX,
                   JSONIN_OPTIONAL | JSONIN_WHOLE, .present = &m.has[4], .each = product_id_each,
                   .arg = &m),
      JSONIN_INT("order_id", &m.order_id, 1, INT64_MAX, JSONIN_OPTIONAL, .present = &m.has[5]),
      JSONIN_INT("image_id", &m.image_id, 1, INT64_MAX, JSONIN_OPTIONAL, .present = &m.has[6]),
  };
  struct jsonin_errors e;
  if (!jsonin_errors_init(&e))
    return MHD_NO;
  jsonin_check(&e, rq->json, fields, JSONIN_COUNT(fields));
  if (m.type != NULL) {
    check_members(&m, &e);
    if (m.quick_reply_id != 0 && strcmp(rq->session.account.role, "merchant") != 0)
      jsonin_error(&e, "quick_reply_id", "only the shop sends quick replies");
  }
  enum http_step step = jsonin_finish(rq, &e);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  /* The products as a SQL array text, "{1,2}". */
  char products[PRODUCTS_CARD_MAX * 21 + 3] = "";
  if (m.product_id != 0)
    m.ids[m.count++] = m.product_id;
  size_t used = 0;
  for (size_t i = 0; i < m.count; i++)
    used += (size_t)snprintf(products + used, sizeof products - used, "%s%" PRId64, i ? "," : "{",
                             m.ids[i]);
  if (m.count > 0)
    snprintf(products + used, sizeof products - used, "}");

  struct db_message_draft d = {m.type,           m.url != NULL ? m.url : m.text,
                               m.quick_reply_id, products[0] != '\0' ? products : NULL,
                               m.order_id,       m.image_id};
  char code[DB_RESULT_CODE_SIZE], field[DB_RESULT_CODE_SIZE];
  struct out o = {.page.out = JSONOUT_INIT};
  enum db_status st = db_message_send(rq->session.account.id, rq->ids[0], &d, clock_now_us(), code,
                                      field, add_message, &o);
  if (st >= DB_NONE && strcmp(code, "ok") != 0) {
    jsonout_free(&o.page.out);
    if (strcmp(code, "invalid_field") != 0)
      return strcmp(code, "not_found") == 0 ? no_conversation(rq)
                                            : reply_problem_code(rq, code, NULL);
    return reply_problem(rq, PROBLEM_INVALID_FIELD, "the message refers to what it cannot show",
                         json_pack("{s:[{s:s, s:s}]}", "errors", "field", field, "message",
                                   send_field_message(field)));
  }
  return one_reply(rq, MHD_HTTP_CREATED, st, &o);
}

enum MHD_Result h_chat_conversation_read(struct http_request *rq)
{
  int64_t up_to = 0;
  const struct jsonin_field fields[] = {
      JSONIN_INT("up_to_message_id", &up_to, 1, INT64_MAX, JSONIN_REQUIRED),
  };
  enum http_step step = jsonin_read(rq, fields, JSONIN_COUNT(fields));
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  char code[DB_RESULT_CODE_SIZE];
  struct out o = {.page.out = JSONOUT_INIT, .caller = rq->session.account.id};
  enum db_status st = db_conversation_mark_read(o.caller, rq->ids[0], up_to, clock_now_us(), code,
                                                set_conversation, &o);
  if (st >= DB_NONE && strcmp(code, "ok") != 0) {
    jsonout_free(&o.page.out);
    if (strcmp(code, "invalid_field") == 0)
      return reply_problem(rq, PROBLEM_INVALID_FIELD,
                           "up_to_message_id is not of this conversation",
                           json_pack("{s:[{s:s, s:s}]}", "errors", "field", "up_to_message_id",
                                     "message", "is not a message of this conversation"));
    return strcmp(code, "not_found") == 0 ? no_conversation(rq)
                                          : reply_problem_code(rq, code, NULL);
  }
  return one_reply(rq, MHD_HTTP_OK, st, &o);
}

enum MHD_Result h_chat_conversation_orders(struct http_request *rq)
{
  struct out o = {.page.out = JSONOUT_INIT};
  struct cursor after = {0, INT64_MAX};
  struct query_param params[2];
  enum http_step step =
      list_params(rq, CURSOR_CONVERSATION_ORDERS, params, 2, &o.page.limit, &after);
  if (step != HTTP_STEP_OK)
    return http_step_result(step);
  if (o.page.limit == 0)
    o.page.limit = QUERY_LIMIT_DEFAULT;
  page_begin(&o.page, o.page.limit);
  enum db_status st = db_conversation_orders_page(rq->session.account.id, rq->ids[0], after.id,
                                                  (int)o.page.limit + 1, add_order, &o);
  if (st <= DB_NONE) {
    jsonout_free(&o.page.out);
    return st < DB_NONE ? reply_db_error(rq, st) : no_conversation(rq);
  }
  page_end(&o.page, CURSOR_CONVERSATION_ORDERS);
  jsonout_end_object(&o.page.out);
  return reply_jsonout(rq, MHD_HTTP_OK, &o.page.out);
}
