#include "routes.h"

#include "handlers.h"

#define M       ROUTE_MERCHANT
#define B       ROUTE_BUYER
#define STAFF   ROUTE_STAFF
#define REVIEW  DB_PERMISSION_REVIEW
#define FINANCE DB_PERMISSION_FINANCE
#define CAMP    DB_PERMISSION_CAMPAIGNS
#define GROWTH  DB_PERMISSION_GROWTH
#define ANY     ROUTE_ANY_ROLE
#define PUB     ROUTE_PUBLIC
#define OPT     ROUTE_OPTIONAL_AUTH
#define NOBODY  ROUTE_NO_BODY
#define JSON    ROUTE_JSON_BODY
#define OPTJSON ROUTE_OPTIONAL_JSON_BODY
#define UPLOAD  ROUTE_UPLOAD_BODY

/* method, pattern, handler, access, body, idempotent, test only, permission */
static const struct route routes[] = {
    {"GET", "/livez", h_ops_livez, PUB, NOBODY, false, false, 0},
    {"GET", "/readyz", h_ops_readyz, PUB, NOBODY, false, false, 0},
    {"GET", "/metrics", h_ops_metrics, PUB, NOBODY, false, false, 0},
    {"POST", "/v1/auth/register", h_auth_register, PUB, JSON, false, false, 0},
    {"POST", "/v1/auth/login", h_auth_login, PUB, JSON, false, false, 0},
    {"POST", "/v1/auth/logout", h_auth_logout, ANY, NOBODY, false, false, 0},
    {"GET", "/v1/me", h_me_get, ANY | ROUTE_FOLDED_AUTH, NOBODY, false, false, 0},
    {"GET", "/v1/carriers", h_shops_carriers, PUB, NOBODY, false, false, 0},

    {"POST", "/v1/shops", h_shops_create, M, JSON, true, false, 0},
    {"GET", "/v1/shops", h_shops_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}", h_shops_get, M, NOBODY, false, false, 0},
    {"PATCH", "/v1/shops/{id}", h_shops_update, M, JSON, false, false, 0},
    {"GET", "/v1/shops/{id}/products", h_products_list, OPT, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/products", h_products_create, M, JSON, true, false, 0},
    {"GET", "/v1/shops/{id}/products/{id}", h_products_get, OPT, NOBODY, false, false, 0},
    {"PATCH", "/v1/shops/{id}/products/{id}", h_products_update, M, JSON, false, false, 0},
    {"DELETE", "/v1/shops/{id}/products/{id}", h_products_delete, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/products/{id}/skus", h_products_sku_create, M, JSON, true, false, 0},
    {"PATCH", "/v1/shops/{id}/products/{id}/skus/{id}", h_products_sku_update, M, JSON, false,
     false, 0},

    {"POST", "/v1/orders", h_orders_create, B, JSON, true, false, 0},
    {"GET", "/v1/orders", h_orders_list, B, NOBODY, false, false, 0},
    {"GET", "/v1/orders/{id}", h_orders_get, B, NOBODY, false, false, 0},
    {"POST", "/v1/orders/{id}/pay", h_orders_pay, B, NOBODY, true, false, 0},
    {"POST", "/v1/orders/{id}/cancel", h_orders_cancel, B, NOBODY, true, false, 0},
    {"POST", "/v1/orders/{id}/confirm-receipt", h_orders_confirm_receipt, B, NOBODY, true, false,
     0},
    {"POST", "/v1/orders/{id}/after-sales", h_orders_after_sale, B, JSON, true, false, 0},

    {"GET", "/v1/shops/{id}/orders", h_shop_order_list_get, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/orders/export.csv", h_shop_order_list_csv, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/orders/{id}", h_shop_orders_get, M | ROUTE_FOLDED_AUTH, NOBODY, false,
     false, 0},
    {"PATCH", "/v1/shops/{id}/orders/{id}", h_shop_orders_update, M, JSON, false, false, 0},
    {"POST", "/v1/shops/{id}/orders/{id}/ship", h_shop_orders_ship, M, JSON, true, false, 0},
    {"POST", "/v1/shops/{id}/shipments:batch", h_shop_orders_ship_batch, M, JSON, true, false, 0},
    {"GET", "/v1/shops/{id}/after-sales", h_after_sales_list, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/after-sales/{id}/approve", h_after_sales_approve, M, NOBODY, true,
     false, 0},
    {"POST", "/v1/shops/{id}/after-sales/{id}/reject", h_after_sales_reject, M, JSON, true, false,
     0},
    {"POST", "/v1/shops/{id}/after-sales/{id}/reship", h_after_sales_reship, M, JSON, true, false,
     0},
    {"GET", "/v1/shops/{id}/erp/orders", h_erp_feed, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/letters", h_letters_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/letters/{id}", h_letters_get, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/letters/{id}/read", h_letters_read, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/letters/{id}/attachment.csv", h_letters_attachment, M, NOBODY, false,
     false, 0},

    {"POST", "/v1/shops/{id}/conversations", h_chat_conversation_open, B, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/conversations", h_chat_shop_conversations, M, NOBODY, false, false, 0},
    {"GET", "/v1/conversations", h_chat_conversations_list, B, NOBODY, false, false, 0},
    {"GET", "/v1/conversations/{id}/messages", h_chat_messages_list, M | B, NOBODY, false, false,
     0},
    {"POST", "/v1/conversations/{id}/messages", h_chat_message_send, M | B, JSON, true, false, 0},
    {"POST", "/v1/conversations/{id}/read", h_chat_conversation_read, M | B, JSON, false, false, 0},
    {"GET", "/v1/conversations/{id}/orders", h_chat_conversation_orders, M, NOBODY, false, false,
     0},

    {"POST", "/v1/shops/{id}/images", h_images_upload, M, UPLOAD, true, false, 0},
    {"GET", "/v1/shops/{id}/images", h_images_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/images/{id}", h_images_get, M, NOBODY, false, false, 0},
    {"PATCH", "/v1/shops/{id}/images/{id}", h_images_update, M, JSON, false, false, 0},
    {"DELETE", "/v1/shops/{id}/images/{id}", h_images_delete, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/image-folders", h_image_folders_create, M, JSON, false, false, 0},
    {"GET", "/v1/shops/{id}/image-folders", h_image_folders_list, M, NOBODY, false, false, 0},
    {"PATCH", "/v1/shops/{id}/image-folders/{id}", h_image_folders_update, M, JSON, false, false,
     0},
    {"DELETE", "/v1/shops/{id}/image-folders/{id}", h_image_folders_delete, M, NOBODY, false, false,
     0},
    {"POST", "/v1/me/images", h_images_upload, B, UPLOAD, true, false, 0},
    {"GET", "/media/{file}", h_media_get, PUB, NOBODY, false, false, 0},

    {"GET", "/v1/shops/{id}/quick-replies", h_quick_replies_list, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/quick-replies", h_quick_replies_create, M, JSON, true, false, 0},
    {"PATCH", "/v1/shops/{id}/quick-replies/{id}", h_quick_replies_update, M, JSON, false, false,
     0},
    {"DELETE", "/v1/shops/{id}/quick-replies/{id}", h_quick_replies_delete, M, NOBODY, false, false,
     0},
    {"GET", "/v1/shops/{id}/auto-reply", h_auto_reply_get, M, NOBODY, false, false, 0},
    {"PUT", "/v1/shops/{id}/auto-reply", h_auto_reply_put, M, JSON, false, false, 0},

    {"GET", "/v1/shops/{id}/messages/search", h_chat_search_messages, M, NOBODY, false, false, 0},

    {"POST", "/v1/shops/{id}/coupons", h_coupons_create, M, JSON, true, false, 0},
    {"POST", "/v1/shops/{id}/coupons:batch", h_coupons_create_batch, M, JSON, true, false, 0},
    {"GET", "/v1/shops/{id}/coupons", h_coupons_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/coupons/{id}", h_coupons_get, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/coupons/{id}/stop", h_coupons_stop, M, NOBODY, true, false, 0},
    {"POST", "/v1/shops/{id}/coupons/{id}/add-quantity", h_coupons_add_quantity, M, JSON, true,
     false, 0},
    /* The live room; stop last, so that the routes of a live shop find it
     * live when run in table order (the authorisation matrix does). */
    {"GET", "/v1/shops/{id}/live", h_live_state, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/live/start", h_live_start, M, NOBODY, true, false, 0},
    {"POST", "/v1/shops/{id}/live/coupons/{id}/push", h_live_coupon_push, M, NOBODY, true, false,
     0},
    {"POST", "/v1/shops/{id}/live/red-packets", h_live_red_packet_create, M, JSON, true, false, 0},
    {"GET", "/v1/shops/{id}/live/red-packets/{id}", h_live_red_packet_get, M, NOBODY, false, false,
     0},
    {"GET", "/v1/shops/{id}/live-room", h_live_room, B, NOBODY, false, false, 0},
    {"POST", "/v1/live/{id}/join", h_live_join, B, NOBODY, false, false, 0},
    {"POST", "/v1/red-packets/{id}/grab", h_live_red_packet_grab, B | ROUTE_FOLDED_AUTH, NOBODY,
     true, false, 0},
    {"POST", "/v1/live/{id}/leave", h_live_leave, B, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/live/stop", h_live_stop, M, NOBODY, true, false, 0},

    {"GET", "/v1/shops/{id}/coupons/claimable", h_buyer_coupons_claimable, B, NOBODY, false, false,
     0},
    {"POST", "/v1/coupons/{id}/claim", h_buyer_coupons_claim, B | ROUTE_FOLDED_AUTH, NOBODY, true,
     false, 0},
    {"GET", "/v1/me/coupons", h_buyer_coupons_list, B, NOBODY, false, false, 0},

    {"GET", "/v1/shops/{id}/funds", h_funds_get, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/funds/flows", h_funds_statement_flows, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/funds/statement.csv", h_funds_statement_csv, M, NOBODY, false, false,
     0},
    {"GET", "/v1/platform/statement-key", h_funds_statement_key, PUB, NOBODY, false, false, 0},

    {"POST", "/v1/shops/{id}/funds/topups", h_topups_create, M, JSON, true, false, 0},
    {"GET", "/v1/shops/{id}/funds/topups", h_topups_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/funds/topups/{id}", h_topups_get, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/funds/topups/{id}/sandbox-pay", h_topups_sandbox_pay, M, NOBODY, false,
     false, 0},
    {"POST", "/v1/payments/webhooks/{file}", h_topups_webhook, PUB, JSON, false, false, 0},
    {"PUT", "/v1/shops/{id}/funds/bank-account", h_withdrawals_bank_account_put, M, JSON, false,
     false, 0},
    {"GET", "/v1/shops/{id}/funds/bank-account", h_withdrawals_bank_account_get, M, NOBODY, false,
     false, 0},
    {"POST", "/v1/shops/{id}/funds/withdrawals/{id}/cancel", h_withdrawals_cancel, M, NOBODY, true,
     false, 0},
    {"POST", "/v1/shops/{id}/funds/withdrawals", h_withdrawals_create, M, JSON, true, false, 0},
    {"GET", "/v1/shops/{id}/funds/withdrawals", h_withdrawals_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/funds/withdrawals/{id}", h_withdrawals_get, M, NOBODY, false, false, 0},
    {"GET", "/v1/platform/funds/withdrawals/pending", h_finance_withdrawals_pending, STAFF, NOBODY,
     false, false, FINANCE},
    {"POST", "/v1/platform/funds/withdrawals/{id}/approve", h_finance_withdrawal_approve, STAFF,
     NOBODY, true, false, FINANCE},
    {"POST", "/v1/platform/funds/withdrawals/{id}/reject", h_finance_withdrawal_reject, STAFF, JSON,
     true, false, FINANCE},
    {"POST", "/v1/platform/funds/adjustments", h_finance_adjustments_create, STAFF, JSON, true,
     false, FINANCE},
    {"GET", "/v1/platform/funds/adjustments", h_finance_adjustments_list, STAFF, NOBODY, false,
     false, FINANCE},
    {"POST", "/v1/platform/funds/adjustments/{id}/approve", h_finance_adjustment_approve, STAFF,
     NOBODY, true, false, FINANCE},
    {"POST", "/v1/platform/funds/adjustments/{id}/reject", h_finance_adjustment_reject, STAFF, JSON,
     true, false, FINANCE},
    {"GET", "/v1/platform/funds/audit", h_finance_audit, STAFF, NOBODY, false, false, FINANCE},

    {"POST", "/v1/platform/campaigns", h_campaigns_create, STAFF, JSON, true, false, CAMP},
    {"GET", "/v1/platform/campaigns", h_campaigns_list, STAFF, NOBODY, false, false, CAMP},
    {"GET", "/v1/platform/campaigns/{id}", h_campaigns_get, STAFF, NOBODY, false, false, CAMP},
    {"PATCH", "/v1/platform/campaigns/{id}", h_campaigns_update, STAFF, JSON, false, false, CAMP},
    {"POST", "/v1/platform/campaigns/{id}/cancel", h_campaigns_cancel, STAFF, NOBODY, true, false,
     CAMP},
    {"GET", "/v1/platform/campaigns/{id}/entries", h_campaigns_entries, STAFF, NOBODY, false, false,
     CAMP},
    {"POST", "/v1/platform/campaigns/{id}/entries/{id}/approve", h_campaigns_entry_approve, STAFF,
     NOBODY, true, false, CAMP},
    {"POST", "/v1/platform/campaigns/{id}/entries/{id}/reject", h_campaigns_entry_reject, STAFF,
     JSON, true, false, CAMP},
    {"GET", "/v1/campaigns", h_campaign_entries_campaigns, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/campaign-entries", h_campaign_entries_create, M, JSON, true, false, 0},
    {"POST", "/v1/shops/{id}/campaign-entries:batch", h_campaign_entries_batch, M, JSON, true,
     false, 0},
    {"GET", "/v1/shops/{id}/campaign-entries", h_campaign_entries_list, M, NOBODY, false, false, 0},
    {"POST", "/v1/shops/{id}/campaign-entries/{id}/withdraw", h_campaign_entries_withdraw, M,
     NOBODY, true, false, 0},
    {"GET", "/v1/shops/{id}/campaigns/{id}/stats", h_campaign_entries_stats, M, NOBODY, false,
     false, 0},

    {"GET", "/v1/review/orders", h_review_queue, STAFF, NOBODY, false, false, REVIEW},
    {"GET", "/v1/review/orders/{id}/history", h_review_history, STAFF, NOBODY, false, false,
     REVIEW},
    {"POST", "/v1/review/orders/{id}/hold", h_review_hold, STAFF, JSON, true, false, REVIEW},
    {"POST", "/v1/review/orders/{id}/release", h_review_release, STAFF, OPTJSON, true, false,
     REVIEW},
    {"POST", "/v1/review/orders/{id}/close", h_review_close, STAFF, JSON, true, false, REVIEW},
    {"POST", "/v1/review/orders/{id}/extend", h_review_extend, STAFF, JSON, true, false, REVIEW},

    {"GET", "/v1/events", h_events_stream, ANY, NOBODY, false, false, 0},
    {"GET", "/v1/events/poll", h_events_poll, ANY, NOBODY, false, false, 0},
    {"POST", "/v1/events/views", h_page_views_ingest, B | OPT, JSON, false, false, 0},

    {"POST", "/v1/shops/{id}/share-links", h_share_links_create, M, JSON, false, false, 0},
    {"GET", "/v1/shops/{id}/share-links", h_share_links_list, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/share-links/{id}", h_share_links_get, M, NOBODY, false, false, 0},
    {"DELETE", "/v1/shops/{id}/share-links/{id}", h_share_links_revoke, M, NOBODY, false, false, 0},
    {"GET", "/s/{file}", h_share_links_visit, PUB, NOBODY, false, false, 0},

    {"PUT", "/v1/test/clock", h_test_clock_set, PUB, JSON, false, true, 0},
    {"POST", "/v1/test/jobs/run", h_test_jobs_run, PUB, NOBODY, false, true, 0},
    {"POST", "/v1/test/stream", h_test_stream, ANY, NOBODY, true, true, 0},

    /* Last, so that the request fuzzer's seeds of the routes above keep their ids. */
    {"GET", "/v1/shops/{id}/stats/overview", h_stats_overview, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/daily", h_stats_daily, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/daily.csv", h_stats_daily_csv, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/hourly", h_stats_hourly, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/products", h_stats_products, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/service", h_stats_service, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/logistics", h_stats_logistics, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/stats/coupons", h_stats_coupons, M, NOBODY, false, false, 0},
    {"GET", "/v1/me/stats/overview", h_stats_me_overview, M, NOBODY, false, false, 0},

    /* Growth: tasks, medals and privileges (docs/growth.md). */
    {"POST", "/v1/platform/growth/tasks", h_growth_tasks_create, STAFF, JSON, false, false, GROWTH},
    {"GET", "/v1/platform/growth/tasks", h_growth_tasks_list, STAFF, NOBODY, false, false, GROWTH},
    {"GET", "/v1/platform/growth/tasks/{id}", h_growth_tasks_get, STAFF, NOBODY, false, false,
     GROWTH},
    {"PATCH", "/v1/platform/growth/tasks/{id}", h_growth_tasks_update, STAFF, JSON, false, false,
     GROWTH},
    {"POST", "/v1/platform/growth/medals", h_growth_medals_create, STAFF, JSON, false, false,
     GROWTH},
    {"GET", "/v1/platform/growth/medals", h_growth_medals_list, STAFF, NOBODY, false, false,
     GROWTH},
    {"GET", "/v1/platform/growth/medals/{id}", h_growth_medals_get, STAFF, NOBODY, false, false,
     GROWTH},
    {"PATCH", "/v1/platform/growth/medals/{id}", h_growth_medals_update, STAFF, JSON, false, false,
     GROWTH},
    {"GET", "/v1/shops/{id}/growth", h_growth_shop, M, NOBODY, false, false, 0},
    {"GET", "/v1/shops/{id}/medals", h_growth_shop_medals, M, NOBODY, false, false, 0},
};

const struct route *routes_table(size_t *count)
{
  *count = sizeof routes / sizeof routes[0];
  return routes;
}
