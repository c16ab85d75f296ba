/* Opaque list cursors for keyset pagination: the sort key and id of the last
 * row a page showed, plus a letter naming the ordering, so that a cursor
 * cannot be used with another ordering. Base64url text.
 *
 * Letters in use, one per ordering: a after-sales, b a buyer's orders,
 * c C p P a shop's orders by created_at, -created_at, paid_at, -paid_at,
 * g products, r the review queue by (review_deadline, id), l a shop's
 * letters by (-delivered_at, -id), v a shop's and u a buyer's conversations
 * by (-last_activity_at, -id), o a conversation's orders by -id, q message
 * search results by -id, k a shop's coupons by -id, w a buyer's coupons
 * by -id, y a shop's claimable coupons by -id, h a shop's share links by
 * -id. */
#ifndef MERCHANTD_CURSOR_H
#define MERCHANTD_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#define CURSOR_TEXT_SIZE 96

struct cursor {
  int64_t key; /* e.g. a time in microseconds; 0 when the ordering is by id alone */
  int64_t id;
};

void cursor_encode(char kind, const struct cursor *c, char out[CURSOR_TEXT_SIZE]);
/* False when text is not a cursor of this kind. */
bool cursor_decode(char kind, const char *text, struct cursor *c);

#endif
