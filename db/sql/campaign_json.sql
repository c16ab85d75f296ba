-- A campaign as the API shows it, with its status at p_now.
CREATE OR REPLACE FUNCTION campaign_json(c campaigns, p_now timestamptz) RETURNS jsonb
STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
           'id', c.id, 'name', c.name, 'kind', c.kind, 'status', campaign_status(c, p_now),
           'signup_from', campaign_ts(c.signup_from), 'signup_to', campaign_ts(c.signup_to),
           'starts_at', campaign_ts(c.starts_at), 'ends_at', campaign_ts(c.ends_at),
           'rules', jsonb_build_object('min_discount_percent', c.min_discount_percent,
                                       'min_campaign_stock', c.min_campaign_stock,
                                       'per_buyer_limit', c.per_buyer_limit,
                                       'max_products_per_shop', c.max_products_per_shop,
                                       'allow_coupons', c.allow_coupons,
                                       'auto_approve', c.auto_approve),
           'created_at', campaign_ts(c.created_at), 'updated_at', campaign_ts(c.updated_at),
           'cancelled_at', campaign_ts(c.cancelled_at), 'ended_at', campaign_ts(c.ended_at))
$$;
