#include "view.h"

#include "clock.h"

json_t *view_time(int64_t us)
{
  char text[CLOCK_RFC3339_SIZE];
  clock_format(us, text);
  return json_string(text);
}

json_t *view_account(const struct db_account *a)
{
  return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)a->id, "role", a->role,
                   "username", a->username, "display_name", a->display_name, "created_at",
                   view_time(a->created_at));
}

json_t *view_time_or_null(int64_t us)
{
  return us != 0 ? view_time(us) : json_null();
}

static json_t *text_or_null(const char *s)
{
  return s != NULL ? json_string(s) : json_null();
}

json_t *view_order(const struct db_order *o, bool for_merchant)
{
  json_t *items = json_loads(o->items_json, 0, NULL);
  json_t *j = json_pack(
      "{s:I, s:s, s:I, s:{s:I, s:s}, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I},"
      " s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:{s:o, s:o},"
      " s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:b}",
      "id", (json_int_t)o->id, "order_sn", o->order_sn, "shop_id", (json_int_t)o->shop_id, "buyer",
      "id", (json_int_t)o->buyer_id, "name", o->buyer_name, "status", o->status, "items",
      items != NULL ? items : json_array(), "amounts", "items_cents", (json_int_t)o->items_cents,
      "discount_cents", (json_int_t)o->discount_cents, "total_cents", (json_int_t)o->total_cents,
      "paid_cents", (json_int_t)o->paid_cents, "refunded_cents", (json_int_t)o->refunded_cents,
      "address", "name", o->addr_name, "phone", o->addr_phone, "province", o->addr_province, "city",
      o->addr_city, "district", o->addr_district, "detail", o->addr_detail, "note", o->note,
      "logistics", "carrier", text_or_null(o->carrier), "tracking_no", text_or_null(o->tracking_no),
      "timeline", "created_at", view_time(o->created_at), "pay_deadline",
      view_time_or_null(o->status[0] == 'u' ? o->expires_at : 0), "paid_at",
      view_time_or_null(o->paid_at), "grouped_at", view_time_or_null(o->grouped_at), "shipped_at",
      view_time_or_null(o->shipped_at), "completed_at", view_time_or_null(o->completed_at),
      "closed_at", view_time_or_null(o->closed_at), "close_reason", text_or_null(o->close_reason),
      "after_sales_open", o->after_sales_open);
  if (j != NULL && for_merchant) {
    json_object_set_new(j, "merchant_note", json_string(o->merchant_note));
    json_object_set_new(j, "flag", json_integer(o->flag));
  }
  return j;
}
