#include "problem.h"

#include <string.h>

static const struct problem_info problems[PROBLEM_COUNT] = {
    [PROBLEM_INVALID_JSON] = {"invalid_json", 400, "Request body is not valid JSON"},
    [PROBLEM_UNKNOWN_FIELD] = {"unknown_field", 400, "Request has an unknown field"},
    [PROBLEM_INVALID_FIELD] = {"invalid_field", 400, "Request has an invalid field"},
    [PROBLEM_UNEXPECTED_BODY] = {"unexpected_body", 400, "This endpoint takes no request body"},
    [PROBLEM_UNAUTHENTICATED] = {"unauthenticated", 401, "Authentication required"},
    [PROBLEM_INVALID_CREDENTIALS] = {"invalid_credentials", 401, "Invalid username or password"},
    [PROBLEM_SESSION_EXPIRED] = {"session_expired", 401, "Session expired"},
    [PROBLEM_SESSION_REPLACED] = {"session_replaced", 401, "Account logged in elsewhere"},
    [PROBLEM_FORBIDDEN] = {"forbidden", 403, "Not allowed for this role"},
    [PROBLEM_ACCOUNT_DISABLED] = {"account_disabled", 403, "This account is disabled"},
    [PROBLEM_NOT_FOUND] = {"not_found", 404, "Not found"},
    [PROBLEM_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405, "Method not allowed"},
    [PROBLEM_USERNAME_TAKEN] = {"username_taken", 409, "Username already taken"},
    [PROBLEM_INVALID_STATE] = {"invalid_state", 409, "Not possible in the current state"},
    [PROBLEM_OUT_OF_STOCK] = {"out_of_stock", 409, "Not enough stock"},
    [PROBLEM_PRODUCT_UNAVAILABLE] = {"product_unavailable", 409, "Product not on sale"},
    [PROBLEM_ORDER_EXPIRED] = {"order_expired", 409, "Order payment deadline passed"},
    [PROBLEM_AFTER_SALE_OPEN] = {"after_sale_open", 409, "An after-sales request is already open"},
    [PROBLEM_REFUND_EXCEEDS_PAID] = {"refund_exceeds_paid", 409,
                                     "Refund would exceed what was paid"},
    [PROBLEM_RESHIP_WINDOW_CLOSED] = {"reship_window_closed", 409, "Reship window has closed"},
    [PROBLEM_DUPLICATE_IN_BATCH] = {"duplicate_in_batch", 409, "Repeated in the same batch"},
    [PROBLEM_ALREADY_UNDER_REVIEW] = {"already_under_review", 409, "Order is already under review"},
    [PROBLEM_ORDER_UNDER_REVIEW] = {"order_under_review", 409, "Order is under review"},
    [PROBLEM_ATTACHMENT_EXPIRED] = {"attachment_expired", 410, "Attachment no longer available"},
    [PROBLEM_QUICK_REPLY_LIMIT] = {"quick_reply_limit", 409, "Too many quick replies"},
    [PROBLEM_SOLD_OUT] = {"sold_out", 409, "Coupon sold out"},
    [PROBLEM_CLAIM_LIMIT_REACHED] = {"claim_limit_reached", 409,
                                     "Coupon claim limit reached for this buyer"},
    [PROBLEM_NOT_CLAIMABLE] = {"not_claimable", 409, "Coupon cannot be claimed now"},
    [PROBLEM_COUPON_UNAVAILABLE] = {"coupon_unavailable", 409, "Coupon cannot be used here"},
    [PROBLEM_QUOTA_EXCEEDED] = {"quota_exceeded", 409, "Image space quota exceeded"},
    [PROBLEM_IMAGE_IN_USE] = {"image_in_use", 409, "Image is in use"},
    [PROBLEM_FOLDER_NOT_EMPTY] = {"folder_not_empty", 409, "Folder is not empty"},
    [PROBLEM_INSUFFICIENT_FUNDS] = {"insufficient_funds", 409, "Not enough funds"},
    [PROBLEM_WITHDRAWAL_OPEN] = {"withdrawal_open", 409, "A withdrawal is already in progress"},
    [PROBLEM_WITHDRAWAL_LIMIT] = {"withdrawal_limit", 409, "Daily withdrawal limit reached"},
    [PROBLEM_BANK_ACCOUNT_REQUIRED] = {"bank_account_required", 409,
                                       "The shop has no bank account"},
    [PROBLEM_WEBHOOK_REPLAYED] = {"webhook_replayed", 409, "This event was received before"},
    [PROBLEM_FOUR_EYES_REQUIRED] = {"four_eyes_required", 409,
                                    "Another staff member must decide this"},
    [PROBLEM_CAMPAIGN_LOCKED] = {"campaign_locked", 409,
                                 "The campaign's rules cannot change once sign-up has opened"},
    [PROBLEM_CAMPAIGN_RULES_FAILED] = {"campaign_rules_failed", 422,
                                       "The entry does not meet the campaign's rules"},
    [PROBLEM_CAMPAIGN_OVERLAP] = {"campaign_overlap", 409,
                                  "A SKU is in another campaign at that time"},
    [PROBLEM_CAMPAIGN_LIMIT_REACHED] = {"campaign_limit_reached", 409,
                                        "Campaign purchase limit per buyer reached"},
    [PROBLEM_NOT_LIVE] = {"not_live", 409, "The shop is not live"},
    [PROBLEM_NOT_IN_ROOM] = {"not_in_room", 409, "Not in the live room"},
    [PROBLEM_ALREADY_GRABBED] = {"already_grabbed", 409, "Red packet already grabbed"},
    [PROBLEM_RED_PACKET_EMPTY] = {"red_packet_empty", 409, "Red packet has no grabs left"},
    [PROBLEM_RED_PACKET_EXPIRED] = {"red_packet_expired", 409, "Red packet has expired"},
    [PROBLEM_ALREADY_CLAIMED] = {"already_claimed", 409,
                                 "Another staff member has claimed this conversation"},
    /* growth */
    [PROBLEM_KEY_TAKEN] = {"key_taken", 409, "Key already in use"},
    [PROBLEM_INVALID_SIGNATURE] = {"invalid_signature", 401, "Signature missing or invalid"},
    [PROBLEM_SIGNATURE_EXPIRED] = {"signature_expired", 401,
                                   "Signature timestamp outside the allowed window"},
    [PROBLEM_IDEMPOTENCY_KEY_REQUIRED] = {"idempotency_key_required", 400,
                                          "This request needs an Idempotency-Key"},
    [PROBLEM_IDEMPOTENCY_IN_PROGRESS] = {"idempotency_in_progress", 409,
                                         "A request with this Idempotency-Key is still running"},
    [PROBLEM_IDEMPOTENCY_KEY_REUSED] = {"idempotency_key_reused", 422,
                                        "Idempotency-Key reused with a different request"},
    [PROBLEM_PAYLOAD_TOO_LARGE] = {"payload_too_large", 413, "Request body too large"},
    [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {"unsupported_media_type", 415,
                                        "Request body must be application/json"},
    [PROBLEM_UNSUPPORTED_MEDIA] = {"unsupported_media", 415,
                                   "Only JPEG, PNG, WebP and GIF images are accepted"},
    [PROBLEM_INVALID_IMAGE] = {"invalid_image", 422, "The image cannot be used"},
    [PROBLEM_TOO_MANY_ATTEMPTS] = {"too_many_attempts", 429, "Too many failed attempts"},
    [PROBLEM_TOO_MANY_COMMENTS] = {"too_many_comments", 429, "Too many comments in a minute"},
    [PROBLEM_INTERNAL_ERROR] = {"internal_error", 500, "Internal server error"},
    [PROBLEM_SERVER_BUSY] = {"server_busy", 503, "Server busy"},
    [PROBLEM_DATABASE_UNAVAILABLE] = {"database_unavailable", 503, "Database unavailable"},
    [PROBLEM_NOT_READY] = {"not_ready", 503, "Not ready"},
    [PROBLEM_STATEMENT_UNAVAILABLE] = {"statement_unavailable", 503, "Statements cannot be signed"},
    [PROBLEM_SHUTTING_DOWN] = {"shutting_down", 503, "Shutting down"},
};

const struct problem_info *problem_info(enum problem p)
{
  return &problems[p];
}

bool problem_by_code(const char *code, enum problem *out)
{
  for (int i = 0; i < PROBLEM_COUNT; i++)
    if (strcmp(problems[i].code, code) == 0) {
      *out = (enum problem)i;
      return true;
    }
  return false;
}
