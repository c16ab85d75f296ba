/* Every route handler; the route table in router.c says who may call each. */
#ifndef MERCHANTD_HANDLERS_H
#define MERCHANTD_HANDLERS_H

#include "http.h"

/* h_ops.c */
enum MHD_Result ops_livez(struct http_request *rq);
enum MHD_Result ops_readyz(struct http_request *rq);
enum MHD_Result ops_metrics(struct http_request *rq);

/* h_auth.c */
enum MHD_Result auth_register(struct http_request *rq);
enum MHD_Result auth_login(struct http_request *rq);
enum MHD_Result auth_logout(struct http_request *rq);

/* h_me.c */
enum MHD_Result me_get(struct http_request *rq);

/* h_shops.c, h_products.c */
enum MHD_Result carriers_list(struct http_request *rq);
enum MHD_Result shops_create(struct http_request *rq);
enum MHD_Result shops_list(struct http_request *rq);
enum MHD_Result shops_get(struct http_request *rq);
enum MHD_Result shops_update(struct http_request *rq);
enum MHD_Result products_list(struct http_request *rq);
enum MHD_Result products_create(struct http_request *rq);
enum MHD_Result products_get(struct http_request *rq);
enum MHD_Result products_update(struct http_request *rq);
enum MHD_Result products_delete(struct http_request *rq);
enum MHD_Result skus_create(struct http_request *rq);
enum MHD_Result skus_update(struct http_request *rq);

/* h_orders.c: the buyer's side */
enum MHD_Result orders_create(struct http_request *rq);
enum MHD_Result orders_list(struct http_request *rq);
enum MHD_Result orders_get(struct http_request *rq);
enum MHD_Result orders_pay(struct http_request *rq);
enum MHD_Result orders_cancel(struct http_request *rq);
enum MHD_Result orders_confirm_receipt(struct http_request *rq);
enum MHD_Result after_sales_create(struct http_request *rq);

/* h_shop_orders.c, h_export.c: the merchant's side */
enum MHD_Result shop_orders_list(struct http_request *rq);
enum MHD_Result shop_orders_export(struct http_request *rq);
enum MHD_Result shop_orders_get(struct http_request *rq);
enum MHD_Result shop_orders_update(struct http_request *rq);
enum MHD_Result shop_orders_ship(struct http_request *rq);
enum MHD_Result shop_shipments_batch(struct http_request *rq);

/* h_after_sales.c, h_erp.c */
enum MHD_Result shop_after_sales_list(struct http_request *rq);
enum MHD_Result shop_after_sales_approve(struct http_request *rq);
enum MHD_Result shop_after_sales_reject(struct http_request *rq);
enum MHD_Result shop_after_sales_reship(struct http_request *rq);
enum MHD_Result erp_orders_feed(struct http_request *rq);

/* h_letters.c: a shop's in-app letters about order reviews */
enum MHD_Result shop_letters_list(struct http_request *rq);
enum MHD_Result shop_letters_get(struct http_request *rq);
enum MHD_Result shop_letters_read(struct http_request *rq);
enum MHD_Result shop_letters_attachment(struct http_request *rq);

/* h_review.c: the platform's order review (reviewers only) */
enum MHD_Result review_orders_list(struct http_request *rq);
enum MHD_Result review_order_history(struct http_request *rq);
enum MHD_Result review_order_hold(struct http_request *rq);
enum MHD_Result review_order_release(struct http_request *rq);
enum MHD_Result review_order_close(struct http_request *rq);
enum MHD_Result review_order_extend(struct http_request *rq);

/* h_chat.c: chat conversations and messages */
enum MHD_Result chat_conversation_open(struct http_request *rq);
enum MHD_Result chat_conversations_list(struct http_request *rq);
enum MHD_Result chat_shop_conversations(struct http_request *rq);
enum MHD_Result chat_messages_list(struct http_request *rq);
enum MHD_Result chat_message_send(struct http_request *rq);
enum MHD_Result chat_conversation_read(struct http_request *rq);
enum MHD_Result chat_conversation_orders(struct http_request *rq);

/* h_quick_replies.c, h_auto_reply.c: a shop's chat quick replies and auto-replies */
enum MHD_Result quick_replies_list(struct http_request *rq);
enum MHD_Result quick_replies_create(struct http_request *rq);
enum MHD_Result quick_replies_update(struct http_request *rq);
enum MHD_Result quick_replies_delete(struct http_request *rq);
enum MHD_Result auto_reply_get(struct http_request *rq);
enum MHD_Result auto_reply_put(struct http_request *rq);

/* h_events.c: real-time chat events (SSE and long poll) */
enum MHD_Result events_stream(struct http_request *rq);
enum MHD_Result events_poll(struct http_request *rq);

/* h_chat_search.c: full-history search of a shop's chat */
enum MHD_Result shop_messages_search(struct http_request *rq);

/* h_coupons.c: coupons, the merchant's side, and the shop's live sessions */
enum MHD_Result shop_coupons_create(struct http_request *rq);
enum MHD_Result shop_coupons_create_batch(struct http_request *rq);
enum MHD_Result shop_coupons_list(struct http_request *rq);
enum MHD_Result shop_coupons_get(struct http_request *rq);
enum MHD_Result shop_coupons_stop(struct http_request *rq);
enum MHD_Result shop_coupons_add_quantity(struct http_request *rq);
enum MHD_Result shop_live_start(struct http_request *rq);
enum MHD_Result shop_live_stop(struct http_request *rq);

/* h_buyer_coupons.c: coupons, the buyer's side */
enum MHD_Result buyer_coupons_claim(struct http_request *rq);
enum MHD_Result buyer_coupons_claimable(struct http_request *rq);
enum MHD_Result buyer_coupons_list(struct http_request *rq);

/* h_test.c (MERCHANTD_TEST_MODE only) */
enum MHD_Result test_clock_set(struct http_request *rq);
enum MHD_Result test_jobs_run(struct http_request *rq);

#endif
