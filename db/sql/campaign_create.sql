-- Creates a campaign from p_body (checked by the handler: every field
-- present and of its type and range). 'invalid_field' when the times are
-- out of order: sign-up opens before it closes, closes no later than the
-- start, and the campaign starts before it ends.
CREATE OR REPLACE FUNCTION campaign_create(p_staff bigint, p_body jsonb, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c campaigns;
BEGIN
  IF NOT ((p_body ->> 'signup_from')::timestamptz < (p_body ->> 'signup_to')::timestamptz
          AND (p_body ->> 'signup_to')::timestamptz <= (p_body ->> 'starts_at')::timestamptz
          AND (p_body ->> 'starts_at')::timestamptz < (p_body ->> 'ends_at')::timestamptz) THEN
    RETURN QUERY SELECT 'invalid_field', NULL::jsonb;
    RETURN;
  END IF;
  INSERT INTO campaigns (name, kind, signup_from, signup_to, starts_at, ends_at,
                         min_discount_percent, min_campaign_stock, per_buyer_limit,
                         max_products_per_shop, allow_coupons, auto_approve, created_by,
                         created_at, updated_at)
  SELECT p_body ->> 'name', p_body ->> 'kind', (p_body ->> 'signup_from')::timestamptz,
         (p_body ->> 'signup_to')::timestamptz, (p_body ->> 'starts_at')::timestamptz,
         (p_body ->> 'ends_at')::timestamptz, r.min_discount_percent, r.min_campaign_stock,
         r.per_buyer_limit, r.max_products_per_shop, r.allow_coupons, r.auto_approve, p_staff,
         p_now, p_now
    FROM jsonb_to_record(p_body -> 'rules') AS r (min_discount_percent integer,
           min_campaign_stock integer, per_buyer_limit integer, max_products_per_shop integer,
           allow_coupons boolean, auto_approve boolean)
  RETURNING * INTO c;
  RETURN QUERY SELECT 'ok', campaign_json(c, p_now);
END
$$;
