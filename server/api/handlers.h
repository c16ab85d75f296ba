/* Every route handler, named h_FILE_ACTION after the file it lives in
 * (h_FILE.c); the route table in routes.c says who may call each. */
#ifndef MERCHANTD_HANDLERS_H
#define MERCHANTD_HANDLERS_H

#include "request.h"

/* h_ops.c */
enum MHD_Result h_ops_livez(struct http_request *rq);
enum MHD_Result h_ops_readyz(struct http_request *rq);
enum MHD_Result h_ops_metrics(struct http_request *rq);

/* h_auth.c */
enum MHD_Result h_auth_register(struct http_request *rq);
enum MHD_Result h_auth_login(struct http_request *rq);
enum MHD_Result h_auth_logout(struct http_request *rq);

/* h_me.c */
enum MHD_Result h_me_get(struct http_request *rq);

/* h_shops.c, h_products.c */
enum MHD_Result h_shops_carriers(struct http_request *rq);
enum MHD_Result h_shops_create(struct http_request *rq);
enum MHD_Result h_shops_list(struct http_request *rq);
enum MHD_Result h_shops_get(struct http_request *rq);
enum MHD_Result h_shops_update(struct http_request *rq);
enum MHD_Result h_products_list(struct http_request *rq);
enum MHD_Result h_products_create(struct http_request *rq);
enum MHD_Result h_products_get(struct http_request *rq);
enum MHD_Result h_products_update(struct http_request *rq);
enum MHD_Result h_products_delete(struct http_request *rq);
enum MHD_Result h_products_sku_create(struct http_request *rq);
enum MHD_Result h_products_sku_update(struct http_request *rq);

/* h_orders.c: the buyer's side */
enum MHD_Result h_orders_create(struct http_request *rq);
enum MHD_Result h_orders_list(struct http_request *rq);
enum MHD_Result h_orders_get(struct http_request *rq);
enum MHD_Result h_orders_pay(struct http_request *rq);
enum MHD_Result h_orders_cancel(struct http_request *rq);
enum MHD_Result h_orders_confirm_receipt(struct http_request *rq);
enum MHD_Result h_orders_after_sale(struct http_request *rq);

/* h_shop_order_list.c, h_shop_orders.c: the merchant's side */
enum MHD_Result h_shop_order_list_get(struct http_request *rq);
enum MHD_Result h_shop_order_list_csv(struct http_request *rq);
enum MHD_Result h_shop_orders_get(struct http_request *rq);
enum MHD_Result h_shop_orders_update(struct http_request *rq);
enum MHD_Result h_shop_orders_ship(struct http_request *rq);
enum MHD_Result h_shop_orders_ship_batch(struct http_request *rq);

/* h_after_sales.c, h_erp.c */
enum MHD_Result h_after_sales_list(struct http_request *rq);
enum MHD_Result h_after_sales_approve(struct http_request *rq);
enum MHD_Result h_after_sales_reject(struct http_request *rq);
enum MHD_Result h_after_sales_reship(struct http_request *rq);
enum MHD_Result h_erp_feed(struct http_request *rq);

/* h_letters.c: a shop's in-app letters about order reviews */
enum MHD_Result h_letters_list(struct http_request *rq);
enum MHD_Result h_letters_get(struct http_request *rq);
enum MHD_Result h_letters_read(struct http_request *rq);
enum MHD_Result h_letters_attachment(struct http_request *rq);

/* h_review.c: the platform's order review (reviewers only) */
enum MHD_Result h_review_queue(struct http_request *rq);
enum MHD_Result h_review_history(struct http_request *rq);
enum MHD_Result h_review_hold(struct http_request *rq);
enum MHD_Result h_review_release(struct http_request *rq);
enum MHD_Result h_review_close(struct http_request *rq);
enum MHD_Result h_review_extend(struct http_request *rq);

/* h_chat.c: chat conversations and messages */
enum MHD_Result h_chat_conversation_open(struct http_request *rq);
enum MHD_Result h_chat_conversations_list(struct http_request *rq);
enum MHD_Result h_chat_shop_conversations(struct http_request *rq);
enum MHD_Result h_chat_messages_list(struct http_request *rq);
enum MHD_Result h_chat_message_send(struct http_request *rq);
enum MHD_Result h_chat_conversation_read(struct http_request *rq);
enum MHD_Result h_chat_conversation_orders(struct http_request *rq);

/* h_images.c, h_image_folders.c, h_media.c: the image space and its files */
enum MHD_Result h_images_upload(struct http_request *rq);
enum MHD_Result h_images_list(struct http_request *rq);
enum MHD_Result h_images_get(struct http_request *rq);
enum MHD_Result h_images_update(struct http_request *rq);
enum MHD_Result h_images_delete(struct http_request *rq);
enum MHD_Result h_image_folders_create(struct http_request *rq);
enum MHD_Result h_image_folders_list(struct http_request *rq);
enum MHD_Result h_image_folders_update(struct http_request *rq);
enum MHD_Result h_image_folders_delete(struct http_request *rq);
enum MHD_Result h_media_get(struct http_request *rq);

/* h_app.c: the web console */
enum MHD_Result h_app_index(struct http_request *rq);
enum MHD_Result h_app_route(struct http_request *rq);
enum MHD_Result h_app_asset(struct http_request *rq);

/* h_quick_replies.c, h_auto_reply.c: a shop's chat quick replies and auto-replies */
enum MHD_Result h_quick_replies_list(struct http_request *rq);
enum MHD_Result h_quick_replies_create(struct http_request *rq);
enum MHD_Result h_quick_replies_update(struct http_request *rq);
enum MHD_Result h_quick_replies_delete(struct http_request *rq);
enum MHD_Result h_auto_reply_get(struct http_request *rq);
enum MHD_Result h_auto_reply_put(struct http_request *rq);

/* h_events.c: real-time chat events (SSE and long poll) */
enum MHD_Result h_events_stream(struct http_request *rq);
enum MHD_Result h_events_poll(struct http_request *rq);

/* h_chat_search.c: full-history search of a shop's chat */
enum MHD_Result h_chat_search_messages(struct http_request *rq);

/* h_coupons.c: coupons, the merchant's side, and the shop's live sessions */
enum MHD_Result h_coupons_create(struct http_request *rq);
enum MHD_Result h_coupons_create_batch(struct http_request *rq);
enum MHD_Result h_coupons_list(struct http_request *rq);
enum MHD_Result h_coupons_get(struct http_request *rq);
enum MHD_Result h_coupons_stop(struct http_request *rq);
enum MHD_Result h_coupons_add_quantity(struct http_request *rq);

/* h_live.c: the live room, its pushed coupon and red packets */
enum MHD_Result h_live_state(struct http_request *rq);
enum MHD_Result h_live_room(struct http_request *rq);
enum MHD_Result h_live_start(struct http_request *rq);
enum MHD_Result h_live_stop(struct http_request *rq);
enum MHD_Result h_live_join(struct http_request *rq);
enum MHD_Result h_live_leave(struct http_request *rq);
enum MHD_Result h_live_coupon_push(struct http_request *rq);
enum MHD_Result h_live_red_packet_create(struct http_request *rq);
enum MHD_Result h_live_red_packet_get(struct http_request *rq);
enum MHD_Result h_live_red_packet_grab(struct http_request *rq);

/* h_buyer_coupons.c: coupons, the buyer's side */
enum MHD_Result h_buyer_coupons_claim(struct http_request *rq);
enum MHD_Result h_buyer_coupons_claimable(struct http_request *rq);
enum MHD_Result h_buyer_coupons_list(struct http_request *rq);

/* h_funds.c: a shop's funds, the merchant's side */
enum MHD_Result h_funds_get(struct http_request *rq);

/* h_topups.c, h_withdrawals.c: money in and out of a shop, the merchant's
 * side and the provider's webhook */
enum MHD_Result h_topups_create(struct http_request *rq);
enum MHD_Result h_topups_list(struct http_request *rq);
enum MHD_Result h_topups_get(struct http_request *rq);
enum MHD_Result h_topups_sandbox_pay(struct http_request *rq);
enum MHD_Result h_topups_webhook(struct http_request *rq);
enum MHD_Result h_withdrawals_bank_account_put(struct http_request *rq);
enum MHD_Result h_withdrawals_bank_account_get(struct http_request *rq);
enum MHD_Result h_withdrawals_create(struct http_request *rq);
enum MHD_Result h_withdrawals_list(struct http_request *rq);
enum MHD_Result h_withdrawals_get(struct http_request *rq);
enum MHD_Result h_withdrawals_cancel(struct http_request *rq);

/* h_finance.c: the platform's finance desk (staff with finance) */
enum MHD_Result h_finance_withdrawals_pending(struct http_request *rq);
enum MHD_Result h_finance_withdrawal_approve(struct http_request *rq);
enum MHD_Result h_finance_withdrawal_reject(struct http_request *rq);
enum MHD_Result h_finance_adjustments_create(struct http_request *rq);
enum MHD_Result h_finance_adjustments_list(struct http_request *rq);
enum MHD_Result h_finance_adjustment_approve(struct http_request *rq);
enum MHD_Result h_finance_adjustment_reject(struct http_request *rq);
enum MHD_Result h_finance_audit(struct http_request *rq);

/* h_campaigns.c: platform campaigns, the staff's side (campaigns) */
enum MHD_Result h_campaigns_create(struct http_request *rq);
enum MHD_Result h_campaigns_list(struct http_request *rq);
enum MHD_Result h_campaigns_get(struct http_request *rq);
enum MHD_Result h_campaigns_update(struct http_request *rq);
enum MHD_Result h_campaigns_cancel(struct http_request *rq);
enum MHD_Result h_campaigns_entries(struct http_request *rq);
enum MHD_Result h_campaigns_entry_approve(struct http_request *rq);
enum MHD_Result h_campaigns_entry_reject(struct http_request *rq);

/* h_campaign_entries.c: platform campaigns, the merchant's side */
enum MHD_Result h_campaign_entries_campaigns(struct http_request *rq);
enum MHD_Result h_campaign_entries_create(struct http_request *rq);
enum MHD_Result h_campaign_entries_batch(struct http_request *rq);
enum MHD_Result h_campaign_entries_list(struct http_request *rq);
enum MHD_Result h_campaign_entries_withdraw(struct http_request *rq);
enum MHD_Result h_campaign_entries_stats(struct http_request *rq);

/* h_page_views.c: visitor events */
enum MHD_Result h_page_views_ingest(struct http_request *rq);

/* h_feedback.c: feedback (意见反馈), the merchant's and the staff's sides */
enum MHD_Result h_feedback_create(struct http_request *rq);
enum MHD_Result h_feedback_list(struct http_request *rq);
enum MHD_Result h_feedback_get(struct http_request *rq);
enum MHD_Result h_feedback_platform_list(struct http_request *rq);
enum MHD_Result h_feedback_platform_get(struct http_request *rq);
enum MHD_Result h_feedback_reply(struct http_request *rq);
enum MHD_Result h_feedback_close(struct http_request *rq);

/* h_support.c: official support chat (conversations of kind support) */
enum MHD_Result h_support_open(struct http_request *rq);
enum MHD_Result h_support_shop_list(struct http_request *rq);
enum MHD_Result h_support_queue(struct http_request *rq);
enum MHD_Result h_support_mine(struct http_request *rq);
enum MHD_Result h_support_claim(struct http_request *rq);
enum MHD_Result h_support_close(struct http_request *rq);
enum MHD_Result h_support_release(struct http_request *rq);

/* h_share_links.c: share links and the public /s/{code} */
/* h_promotions.c */
enum MHD_Result h_promotions_search(struct http_request *rq);
enum MHD_Result h_promotions_click(struct http_request *rq);
enum MHD_Result h_promotions_create(struct http_request *rq);
enum MHD_Result h_promotions_list(struct http_request *rq);
enum MHD_Result h_promotions_get(struct http_request *rq);
enum MHD_Result h_promotions_update(struct http_request *rq);
enum MHD_Result h_promotions_pause(struct http_request *rq);
enum MHD_Result h_promotions_resume(struct http_request *rq);
/* h_promotion_reports.c */
enum MHD_Result h_promotion_reports(struct http_request *rq);
enum MHD_Result h_promotion_reports_csv(struct http_request *rq);

enum MHD_Result h_share_links_create(struct http_request *rq);
enum MHD_Result h_share_links_list(struct http_request *rq);
enum MHD_Result h_share_links_get(struct http_request *rq);
enum MHD_Result h_share_links_revoke(struct http_request *rq);
enum MHD_Result h_share_links_visit(struct http_request *rq);

/* h_test.c (MERCHANTD_TEST_MODE only) */
enum MHD_Result h_test_clock_set(struct http_request *rq);
enum MHD_Result h_test_jobs_run(struct http_request *rq);
enum MHD_Result h_test_stream(struct http_request *rq);

/* h_funds_statement.c */
enum MHD_Result h_funds_statement_flows(struct http_request *rq);
enum MHD_Result h_funds_statement_csv(struct http_request *rq);
enum MHD_Result h_funds_statement_key(struct http_request *rq);

/* h_stats.c: the data pages, read from the rollups */
enum MHD_Result h_stats_overview(struct http_request *rq);
enum MHD_Result h_stats_daily(struct http_request *rq);
enum MHD_Result h_stats_daily_csv(struct http_request *rq);
enum MHD_Result h_stats_hourly(struct http_request *rq);
enum MHD_Result h_stats_products(struct http_request *rq);
enum MHD_Result h_stats_service(struct http_request *rq);
enum MHD_Result h_stats_logistics(struct http_request *rq);
enum MHD_Result h_stats_coupons(struct http_request *rq);
enum MHD_Result h_stats_me_overview(struct http_request *rq);

/* h_community.c: the merchant community, the merchants' side */
enum MHD_Result h_community_feed(struct http_request *rq);
enum MHD_Result h_community_read(struct http_request *rq);
enum MHD_Result h_community_like(struct http_request *rq);
enum MHD_Result h_community_unlike(struct http_request *rq);
enum MHD_Result h_community_bookmark(struct http_request *rq);
enum MHD_Result h_community_unbookmark(struct http_request *rq);
enum MHD_Result h_community_comments(struct http_request *rq);
enum MHD_Result h_community_comment(struct http_request *rq);
enum MHD_Result h_community_report(struct http_request *rq);
enum MHD_Result h_community_question(struct http_request *rq);
enum MHD_Result h_community_search(struct http_request *rq);

/* h_community_own.c: the merchant community, a merchant's own bookmarks,
 * comments and questions */
enum MHD_Result h_community_bookmarks(struct http_request *rq);
enum MHD_Result h_community_comment_delete(struct http_request *rq);
enum MHD_Result h_community_question_update(struct http_request *rq);
enum MHD_Result h_community_question_delete(struct http_request *rq);
enum MHD_Result h_community_question_accept(struct http_request *rq);

/* h_community_staff.c: the merchant community, the staff's side (community) */
enum MHD_Result h_community_staff_create(struct http_request *rq);
enum MHD_Result h_community_staff_list(struct http_request *rq);
enum MHD_Result h_community_staff_get(struct http_request *rq);
enum MHD_Result h_community_staff_update(struct http_request *rq);
enum MHD_Result h_community_staff_comments(struct http_request *rq);
enum MHD_Result h_community_staff_answer(struct http_request *rq);
enum MHD_Result h_community_staff_accept(struct http_request *rq);
enum MHD_Result h_community_staff_reports(struct http_request *rq);
enum MHD_Result h_community_staff_hide(struct http_request *rq);
enum MHD_Result h_community_staff_dismiss(struct http_request *rq);
/* h_growth.c: growth tasks, medals and a shop's progress (docs/growth.md) */
enum MHD_Result h_growth_tasks_create(struct http_request *rq);
enum MHD_Result h_growth_tasks_list(struct http_request *rq);
enum MHD_Result h_growth_tasks_get(struct http_request *rq);
enum MHD_Result h_growth_tasks_update(struct http_request *rq);
enum MHD_Result h_growth_medals_create(struct http_request *rq);
enum MHD_Result h_growth_medals_list(struct http_request *rq);
enum MHD_Result h_growth_medals_get(struct http_request *rq);
enum MHD_Result h_growth_medals_update(struct http_request *rq);
enum MHD_Result h_growth_shop(struct http_request *rq);
enum MHD_Result h_growth_shop_medals(struct http_request *rq);

#endif
