#include "view.h"

#include "clock.h"
#include "mask.h"
#include "page.h"
#include "review.h"

#include <stdio.h>
#include <string.h>

json_t *view_time(int64_t us)
{
  char text[CLOCK_RFC3339_SIZE];
  clock_format(us, text);
  return json_string(text);
}

json_t *view_account(const struct db_account *a)
{
  json_t *v = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)a->id, "role", a->role,
                        "username", a->username, "display_name", a->display_name, "created_at",
                        view_time(a->created_at));
  if (v == NULL || strcmp(a->role, "staff") != 0)
    return v;
  /* Staff see what they may do, so that an app shows only those pages. */
  json_t *names = json_array();
  for (unsigned i = 0; i < DB_PERMISSION_COUNT; i++)
    if (a->permissions & (1u << i))
      json_array_append_new(names, json_string(db_permission_name(i)));
  if (json_object_set_new(v, "permissions", names) != 0) {
    json_decref(v);
    return NULL;
  }
  return v;
}

json_t *view_time_or_null(int64_t us)
{
  return us != 0 ? view_time(us) : json_null();
}

void view_review(struct jsonout *j, const char *status, const char *reason, int64_t deadline)
{
  if (status == NULL) {
    jsonout_null(j);
    return;
  }
  jsonout_begin_object(j);
  jsonout_field_string(j, "status", status);
  jsonout_field_string(j, "reason", reason);
  jsonout_field_time(j, "deadline", deadline);
  jsonout_field_string(j, "message", db_review_held(status) ? REVIEW_HOLD_MESSAGE : NULL);
  jsonout_end_object(j);
}

void view_address(struct jsonout *j, const char *name, const char *phone, const char *province,
                  const char *city, const char *district, const char *detail)
{
  jsonout_key(j, "address");
  jsonout_begin_object(j);
  jsonout_field_string(j, "name", name);
  jsonout_field_string(j, "phone", phone);
  jsonout_field_string(j, "province", province);
  jsonout_field_string(j, "city", city);
  jsonout_field_string(j, "district", district);
  jsonout_field_string(j, "detail", detail);
  jsonout_end_object(j);
}

void view_order(struct jsonout *j, const struct db_order *o, bool for_merchant)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", o->id);
  jsonout_field_string(j, "order_sn", o->order_sn);
  jsonout_field_int(j, "shop_id", o->shop_id);
  jsonout_key(j, "buyer");
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", o->buyer_id);
  jsonout_field_string(j, "name", o->buyer_name);
  jsonout_end_object(j);
  jsonout_field_string(j, "status", o->status);
  /* The lines as PostgreSQL wrote the jsonb snapshot: already JSON. */
  jsonout_key(j, "items");
  jsonout_raw(j, o->items_json);

  jsonout_key(j, "amounts");
  jsonout_begin_object(j);
  jsonout_field_int(j, "items_cents", o->items_cents);
  jsonout_field_int(j, "discount_cents", o->discount_cents);
  jsonout_field_int(j, "total_cents", o->total_cents);
  jsonout_field_int(j, "paid_cents", o->paid_cents);
  jsonout_field_int(j, "refunded_cents", o->refunded_cents);
  jsonout_end_object(j);
  /* The buyer coupon whose discount is discount_cents. */
  jsonout_field_int_or_null(j, "coupon_id", o->coupon_id);

  /* While the platform holds an order, its shop may not learn where it
   * goes: the buyer still sees their own address. */
  bool hidden = for_merchant && db_review_held(o->review_status);
  char name[MASK_SIZE], phone[MASK_SIZE];
  if (hidden) {
    mask_name(o->addr_name, name);
    mask_phone(o->addr_phone, phone);
  }
  view_address(j, hidden ? name : o->addr_name, hidden ? phone : o->addr_phone, o->addr_province,
               o->addr_city, o->addr_district, hidden ? "" : o->addr_detail);
  jsonout_field_string(j, "note", o->note);

  jsonout_key(j, "logistics");
  jsonout_begin_object(j);
  jsonout_field_string(j, "carrier", o->carrier);
  jsonout_field_string(j, "tracking_no", o->tracking_no);
  jsonout_end_object(j);

  jsonout_key(j, "timeline");
  jsonout_begin_object(j);
  jsonout_field_time(j, "created_at", o->created_at);
  jsonout_field_time_or_null(j, "pay_deadline", o->status[0] == 'u' ? o->expires_at : 0);
  jsonout_field_time_or_null(j, "paid_at", o->paid_at);
  jsonout_field_time_or_null(j, "grouped_at", o->grouped_at);
  jsonout_field_time_or_null(j, "shipped_at", o->shipped_at);
  jsonout_field_time_or_null(j, "completed_at", o->completed_at);
  jsonout_field_time_or_null(j, "closed_at", o->closed_at);
  jsonout_end_object(j);
  jsonout_field_string(j, "close_reason", o->close_reason);
  jsonout_field_bool(j, "after_sales_open", o->after_sales_open);
  jsonout_key(j, "review");
  view_review(j, o->review_status, o->review_reason, o->review_deadline);
  if (for_merchant) {
    jsonout_field_string(j, "merchant_note", o->merchant_note);
    jsonout_field_int(j, "flag", o->flag);
  }
  jsonout_end_object(j);
}

void view_coupon(struct jsonout *j, const struct db_coupon *c)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", c->id);
  jsonout_field_int(j, "shop_id", c->shop_id);
  jsonout_field_string(j, "kind", c->kind);
  jsonout_field_int_or_null(j, "product_id", c->product_id);
  jsonout_field_string(j, "title", c->title);
  jsonout_field_int(j, "discount_cents", c->discount_cents);
  jsonout_field_int(j, "min_order_cents", c->min_order_cents);
  jsonout_field_int(j, "total_quantity", c->total_quantity);
  jsonout_field_int(j, "claimed", c->claimed);
  jsonout_field_int(j, "used", c->used);
  jsonout_field_int(j, "remaining", c->total_quantity - c->claimed);
  jsonout_field_int(j, "per_buyer_limit", c->per_buyer_limit);
  jsonout_field_time(j, "claim_start", c->claim_start);
  jsonout_field_time(j, "claim_end", c->claim_end);
  jsonout_field_int_or_null(j, "valid_days", c->valid_days);
  jsonout_field_time_or_null(j, "valid_from", c->valid_days != 0 ? 0 : c->valid_from);
  jsonout_field_time_or_null(j, "valid_to", c->valid_days != 0 ? 0 : c->valid_to);
  jsonout_field_string(j, "channel", c->channel);
  jsonout_field_string(j, "status", c->status);
  jsonout_field_time_or_null(j, "stopped_at", c->stopped_at);
  jsonout_field_time(j, "created_at", c->created_at);
  jsonout_end_object(j);
}

void view_topup(struct jsonout *j, const struct db_topup *t)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", t->id);
  jsonout_field_int(j, "shop_id", t->shop_id);
  jsonout_field_string(j, "account", t->account);
  jsonout_field_int(j, "amount_cents", t->amount_cents);
  jsonout_field_string(j, "status", t->status);
  jsonout_field_string(j, "provider", t->provider);
  jsonout_field_string(j, "provider_reference", t->provider_ref);
  jsonout_field_time(j, "created_at", t->created_at);
  jsonout_field_time_or_null(j, "confirmed_at", t->confirmed_at);
  jsonout_end_object(j);
}

/* "**** 1234": the four digits let a merchant tell accounts apart. */
static void masked_account(struct jsonout *j, const char *last4)
{
  char masked[16];
  snprintf(masked, sizeof masked, "**** %.4s", last4);
  jsonout_field_string(j, "account_no", masked);
}

void view_bank_account(struct jsonout *j, const struct db_bank_account *b)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "shop_id", b->shop_id);
  jsonout_field_string(j, "holder", b->holder);
  jsonout_field_string(j, "bank", b->bank);
  masked_account(j, b->last4);
  jsonout_field_time(j, "updated_at", b->updated_at);
  jsonout_end_object(j);
}

static void field_text_or_null(struct jsonout *j, const char *key, const char *s)
{
  jsonout_key(j, key);
  if (s != NULL)
    jsonout_string(j, s);
  else
    jsonout_null(j);
}

void view_withdrawal(struct jsonout *j, const struct db_withdrawal *w)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", w->id);
  jsonout_field_int(j, "shop_id", w->shop_id);
  jsonout_field_int(j, "amount_cents", w->amount_cents);
  jsonout_field_string(j, "status", w->status);
  jsonout_field_string(j, "approval", w->approval);
  jsonout_key(j, "bank_account");
  jsonout_begin_object(j);
  jsonout_field_string(j, "holder", w->holder);
  jsonout_field_string(j, "bank", w->bank);
  masked_account(j, w->last4);
  jsonout_end_object(j);
  field_text_or_null(j, "provider_reference", w->provider_ref);
  field_text_or_null(j, "reason", w->reason);
  jsonout_field_time(j, "requested_at", w->requested_at);
  jsonout_field_time_or_null(j, "decided_at", w->decided_at);
  jsonout_field_time_or_null(j, "submitted_at", w->submitted_at);
  jsonout_field_time_or_null(j, "resolved_at", w->resolved_at);
  jsonout_field_time_or_null(j, "returned_at", w->returned_at);
  jsonout_end_object(j);
}

void view_withdrawal_row(const struct db_withdrawal *w, void *arg)
{
  struct page *pg = arg;
  if (page_row_by_id(pg, w->id))
    view_withdrawal(&pg->out, w);
}

void view_adjustment(struct jsonout *j, const struct db_adjustment *a)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", a->id);
  jsonout_field_int(j, "shop_id", a->shop_id);
  jsonout_field_string(j, "account", a->account);
  jsonout_field_string(j, "platform_account", a->platform_account);
  jsonout_field_string(j, "direction", a->direction);
  jsonout_field_int(j, "amount_cents", a->amount_cents);
  jsonout_field_string(j, "reason", a->reason);
  jsonout_field_string(j, "status", a->status);
  jsonout_field_int(j, "created_by", a->created_by);
  jsonout_field_int_or_null(j, "decided_by", a->decided_by);
  field_text_or_null(j, "decision_reason", a->decision_reason);
  jsonout_field_time(j, "created_at", a->created_at);
  jsonout_field_time_or_null(j, "decided_at", a->decided_at);
  jsonout_end_object(j);
}

void view_audit_entry(struct jsonout *j, const struct db_audit_entry *e)
{
  jsonout_begin_object(j);
  jsonout_field_int(j, "id", e->id);
  jsonout_field_time(j, "at", e->at);
  jsonout_field_int_or_null(j, "actor_id", e->actor_id);
  jsonout_field_string(j, "action", e->action);
  jsonout_field_string(j, "object", e->object);
  jsonout_field_int(j, "object_id", e->object_id);
  jsonout_field_int(j, "shop_id", e->shop_id);
  jsonout_key(j, "detail");
  jsonout_raw(j, e->detail); /* jsonb's text: an object, valid JSON */
  jsonout_end_object(j);
}
