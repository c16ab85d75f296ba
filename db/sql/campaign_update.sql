-- Changes the fields p_body names. The name may change until the campaign
-- ends; everything else only before sign-up opens ('campaign_locked' from
-- signup_from on: shops entered under those rules). A cancelled or ended
-- campaign is 'invalid_state'; times out of order 'invalid_field'. The row
-- is locked, so a change and the opening of sign-up (an entry, which reads
-- the rules under a share lock) are ordered.
CREATE OR REPLACE FUNCTION campaign_update(p_id bigint, p_body jsonb, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c campaigns;
  r jsonb := coalesce(p_body -> 'rules', '{}');
BEGIN
  SELECT * INTO c FROM campaigns WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF c.cancelled_at IS NOT NULL OR p_now >= c.ends_at THEN
    RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;
  IF p_now >= c.signup_from AND (p_body - 'name') <> '{}'::jsonb THEN
    RETURN QUERY SELECT 'campaign_locked', NULL::jsonb;
    RETURN;
  END IF;
  c.name := coalesce(p_body ->> 'name', c.name);
  c.kind := coalesce(p_body ->> 'kind', c.kind);
  c.signup_from := coalesce((p_body ->> 'signup_from')::timestamptz, c.signup_from);
  c.signup_to := coalesce((p_body ->> 'signup_to')::timestamptz, c.signup_to);
  c.starts_at := coalesce((p_body ->> 'starts_at')::timestamptz, c.starts_at);
  c.ends_at := coalesce((p_body ->> 'ends_at')::timestamptz, c.ends_at);
  c.min_discount_percent := coalesce((r ->> 'min_discount_percent')::integer, c.min_discount_percent);
  c.min_campaign_stock := coalesce((r ->> 'min_campaign_stock')::integer, c.min_campaign_stock);
  c.per_buyer_limit := coalesce((r ->> 'per_buyer_limit')::integer, c.per_buyer_limit);
  c.max_products_per_shop := coalesce((r ->> 'max_products_per_shop')::integer,
                                      c.max_products_per_shop);
  c.allow_coupons := coalesce((r ->> 'allow_coupons')::boolean, c.allow_coupons);
  c.auto_approve := coalesce((r ->> 'auto_approve')::boolean, c.auto_approve);
  IF NOT (c.signup_from < c.signup_to AND c.signup_to <= c.starts_at AND c.starts_at < c.ends_at) THEN
    RETURN QUERY SELECT 'invalid_field', NULL::jsonb;
    RETURN;
  END IF;
  UPDATE campaigns SET name = c.name, kind = c.kind, signup_from = c.signup_from,
         signup_to = c.signup_to, starts_at = c.starts_at, ends_at = c.ends_at,
         min_discount_percent = c.min_discount_percent, min_campaign_stock = c.min_campaign_stock,
         per_buyer_limit = c.per_buyer_limit, max_products_per_shop = c.max_products_per_shop,
         allow_coupons = c.allow_coupons, auto_approve = c.auto_approve, updated_at = p_now
   WHERE id = p_id RETURNING * INTO c;
  RETURN QUERY SELECT 'ok', campaign_json(c, p_now);
END
$$;
