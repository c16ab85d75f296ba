#include "router.h"

#include "config.h"
#include "handlers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M       ROUTE_MERCHANT
#define B       ROUTE_BUYER
#define R       ROUTE_REVIEWER
#define ANY     ROUTE_ANY_ROLE
#define PUB     ROUTE_PUBLIC
#define OPT     ROUTE_OPTIONAL_AUTH
#define NOBODY  ROUTE_NO_BODY
#define JSON    ROUTE_JSON_BODY
#define OPTJSON ROUTE_OPTIONAL_JSON_BODY

/* method, pattern, handler, access, body, idempotent, test only */
static const struct route routes[] = {
    {"GET", "/livez", ops_livez, PUB, NOBODY, false, false},
    {"GET", "/readyz", ops_readyz, PUB, NOBODY, false, false},
    {"GET", "/metrics", ops_metrics, PUB, NOBODY, false, false},
    {"POST", "/v1/auth/register", auth_register, PUB, JSON, false, false},
    {"POST", "/v1/auth/login", auth_login, PUB, JSON, false, false},
    {"POST", "/v1/auth/logout", auth_logout, ANY, NOBODY, false, false},
    {"GET", "/v1/me", me_get, ANY | ROUTE_FOLDED_AUTH, NOBODY, false, false},
    {"GET", "/v1/carriers", carriers_list, PUB, NOBODY, false, false},

    {"POST", "/v1/shops", shops_create, M, JSON, true, false},
    {"GET", "/v1/shops", shops_list, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}", shops_get, M, NOBODY, false, false},
    {"PATCH", "/v1/shops/{id}", shops_update, M, JSON, false, false},
    {"GET", "/v1/shops/{id}/products", products_list, OPT, NOBODY, false, false},
    {"POST", "/v1/shops/{id}/products", products_create, M, JSON, true, false},
    {"GET", "/v1/shops/{id}/products/{id}", products_get, OPT, NOBODY, false, false},
    {"PATCH", "/v1/shops/{id}/products/{id}", products_update, M, JSON, false, false},
    {"DELETE", "/v1/shops/{id}/products/{id}", products_delete, M, NOBODY, false, false},
    {"POST", "/v1/shops/{id}/products/{id}/skus", skus_create, M, JSON, true, false},
    {"PATCH", "/v1/shops/{id}/products/{id}/skus/{id}", skus_update, M, JSON, false, false},

    {"POST", "/v1/orders", orders_create, B, JSON, true, false},
    {"GET", "/v1/orders", orders_list, B, NOBODY, false, false},
    {"GET", "/v1/orders/{id}", orders_get, B, NOBODY, false, false},
    {"POST", "/v1/orders/{id}/pay", orders_pay, B, NOBODY, true, false},
    {"POST", "/v1/orders/{id}/cancel", orders_cancel, B, NOBODY, true, false},
    {"POST", "/v1/orders/{id}/confirm-receipt", orders_confirm_receipt, B, NOBODY, true, false},
    {"POST", "/v1/orders/{id}/after-sales", after_sales_create, B, JSON, true, false},

    {"GET", "/v1/shops/{id}/orders", shop_orders_list, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/orders/export.csv", shop_orders_export, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/orders/{id}", shop_orders_get, M | ROUTE_FOLDED_AUTH, NOBODY, false,
     false},
    {"PATCH", "/v1/shops/{id}/orders/{id}", shop_orders_update, M, JSON, false, false},
    {"POST", "/v1/shops/{id}/orders/{id}/ship", shop_orders_ship, M, JSON, true, false},
    {"POST", "/v1/shops/{id}/shipments:batch", shop_shipments_batch, M, JSON, true, false},
    {"GET", "/v1/shops/{id}/after-sales", shop_after_sales_list, M, NOBODY, false, false},
    {"POST", "/v1/shops/{id}/after-sales/{id}/approve", shop_after_sales_approve, M, NOBODY, true,
     false},
    {"POST", "/v1/shops/{id}/after-sales/{id}/reject", shop_after_sales_reject, M, JSON, true,
     false},
    {"POST", "/v1/shops/{id}/after-sales/{id}/reship", shop_after_sales_reship, M, JSON, true,
     false},
    {"GET", "/v1/shops/{id}/erp/orders", erp_orders_feed, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/letters", shop_letters_list, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/letters/{id}", shop_letters_get, M, NOBODY, false, false},
    {"POST", "/v1/shops/{id}/letters/{id}/read", shop_letters_read, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/letters/{id}/attachment.csv", shop_letters_attachment, M, NOBODY, false,
     false},

    {"POST", "/v1/shops/{id}/conversations", chat_conversation_open, B, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/conversations", chat_shop_conversations, M, NOBODY, false, false},
    {"GET", "/v1/conversations", chat_conversations_list, B, NOBODY, false, false},
    {"GET", "/v1/conversations/{id}/messages", chat_messages_list, M | B, NOBODY, false, false},
    {"POST", "/v1/conversations/{id}/messages", chat_message_send, M | B, JSON, true, false},
    {"POST", "/v1/conversations/{id}/read", chat_conversation_read, M | B, JSON, false, false},
    {"GET", "/v1/conversations/{id}/orders", chat_conversation_orders, M, NOBODY, false, false},

    {"GET", "/v1/shops/{id}/quick-replies", quick_replies_list, M, NOBODY, false, false},
    {"POST", "/v1/shops/{id}/quick-replies", quick_replies_create, M, JSON, true, false},
    {"PATCH", "/v1/shops/{id}/quick-replies/{id}", quick_replies_update, M, JSON, false, false},
    {"DELETE", "/v1/shops/{id}/quick-replies/{id}", quick_replies_delete, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/auto-reply", auto_reply_get, M, NOBODY, false, false},
    {"PUT", "/v1/shops/{id}/auto-reply", auto_reply_put, M, JSON, false, false},

    {"GET", "/v1/shops/{id}/messages/search", shop_messages_search, M, NOBODY, false, false},

    {"POST", "/v1/shops/{id}/coupons", shop_coupons_create, M, JSON, true, false},
    {"POST", "/v1/shops/{id}/coupons:batch", shop_coupons_create_batch, M, JSON, true, false},
    {"GET", "/v1/shops/{id}/coupons", shop_coupons_list, M, NOBODY, false, false},
    {"GET", "/v1/shops/{id}/coupons/{id}", shop_coupons_get, M, NOBODY, false, false},
    {"POST", "/v1/shops/{id}/coupons/{id}/stop", shop_coupons_stop, M, NOBODY, true, false},
    {"POST", "/v1/shops/{id}/coupons/{id}/add-quantity", shop_coupons_add_quantity, M, JSON, true,
     false},
    {"POST", "/v1/shops/{id}/live/start", shop_live_start, M, NOBODY, true, false},
    {"POST", "/v1/shops/{id}/live/stop", shop_live_stop, M, NOBODY, true, false},

    {"GET", "/v1/shops/{id}/coupons/claimable", buyer_coupons_claimable, B, NOBODY, false, false},
    {"POST", "/v1/coupons/{id}/claim", buyer_coupons_claim, B | ROUTE_FOLDED_AUTH, NOBODY, true,
     false},
    {"GET", "/v1/me/coupons", buyer_coupons_list, B, NOBODY, false, false},

    {"GET", "/v1/review/orders", review_orders_list, R, NOBODY, false, false},
    {"GET", "/v1/review/orders/{id}/history", review_order_history, R, NOBODY, false, false},
    {"POST", "/v1/review/orders/{id}/hold", review_order_hold, R, JSON, true, false},
    {"POST", "/v1/review/orders/{id}/release", review_order_release, R, OPTJSON, true, false},
    {"POST", "/v1/review/orders/{id}/close", review_order_close, R, JSON, true, false},
    {"POST", "/v1/review/orders/{id}/extend", review_order_extend, R, JSON, true, false},

    {"GET", "/v1/events", events_stream, ANY, NOBODY, false, false},
    {"GET", "/v1/events/poll", events_poll, ANY, NOBODY, false, false},

    {"PUT", "/v1/test/clock", test_clock_set, PUB, JSON, false, true},
    {"POST", "/v1/test/jobs/run", test_jobs_run, PUB, NOBODY, false, true},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

/* Parses one path segment as a positive id: digits only, no leading zero,
 * within int64. Anything else does not match (and so answers 404). */
static bool parse_id(const char *seg, size_t len, int64_t *out)
{
  if (len == 0 || len > 18 || seg[0] == '0')
    return false;
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (seg[i] < '0' || seg[i] > '9')
      return false;
    v = v * 10 + (seg[i] - '0');
  }
  *out = v;
  return true;
}

static bool path_matches(const char *pattern, const char *path, int64_t ids[HTTP_MAX_PATH_IDS])
{
  int nid = 0;
  const char *p = pattern, *s = path;
  while (*p != '\0' && *s != '\0') {
    if (*p != '/' || *s != '/')
      return false;
    p++;
    s++;
    size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
    if (plen == 4 && strncmp(p, "{id}", 4) == 0) {
      if (nid == HTTP_MAX_PATH_IDS || !parse_id(s, slen, &ids[nid]))
        return false;
      nid++;
    } else if (plen != slen || strncmp(p, s, plen) != 0) {
      return false;
    }
    p += plen;
    s += slen;
  }
  return *p == '\0' && *s == '\0';
}

void router_match(const char *method, const char *path, const struct route **route,
                  int64_t ids[HTTP_MAX_PATH_IDS], char *allow, size_t allow_size)
{
  *route = NULL;
  allow[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < ROUTE_COUNT; i++) {
    const struct route *r = &routes[i];
    if (r->test_only && !config.test_mode)
      continue;
    int64_t tmp[HTTP_MAX_PATH_IDS];
    if (!path_matches(r->pattern, path, tmp))
      continue;
    if (strcmp(r->method, method) == 0) {
      *route = r;
      memcpy(ids, tmp, sizeof tmp);
      allow[0] = '\0';
      return;
    }
    int n = snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "", r->method);
    if (n > 0 && (size_t)n < allow_size - used)
      used += (size_t)n;
  }
}

const struct route *router_routes(size_t *count)
{
  *count = ROUTE_COUNT;
  return routes;
}

size_t router_index(const struct route *r)
{
  return (size_t)(r - routes);
}
