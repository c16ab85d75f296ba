-- Makes a plan (p_plan NULL) or changes one (PATCH: NULL arguments keep
-- what the plan has; p_clear_end removes ends_at; p_words non-NULL replaces
-- every keyword with p_keywords' [{"word", "bid_cents"}], words
-- lower-cased). The product must be a live product of the shop.
--
-- Returns 'not_found' (no such shop of the merchant, or no such plan of
-- the shop), 'invalid_product', 'invalid_field' (ends_at not after
-- starts_at), 'duplicate_in_batch' (two keywords the same once
-- lower-cased), or 'ok' with the plan (promotion_plan_json). A lower budget also lowers
-- today's cap, never below what today spent.
CREATE OR REPLACE FUNCTION promotion_plan_write(p_merchant bigint, p_shop bigint, p_plan bigint,
                                                p_product bigint, p_name text, p_budget bigint,
                                                p_starts timestamptz, p_ends timestamptz,
                                                p_clear_end boolean, p_keywords jsonb,
                                                p_now timestamptz)
RETURNS TABLE (code text, body text)
LANGUAGE plpgsql AS $$
DECLARE
  v_plan promotion_plans;
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::text;
    RETURN;
  END IF;
  IF p_product IS NOT NULL THEN
    PERFORM 1 FROM products p
     WHERE p.id = p_product AND p.shop_id = p_shop AND p.deleted_at IS NULL;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_product'::text, NULL::text;
      RETURN;
    END IF;
  END IF;
  IF p_keywords IS NOT NULL
     AND (SELECT count(DISTINCT lower(e->>'word')) <> count(*) FROM jsonb_array_elements(p_keywords) e) THEN
    RETURN QUERY SELECT 'duplicate_in_batch'::text, NULL::text;
    RETURN;
  END IF;
  IF p_plan IS NULL THEN
    IF p_ends IS NOT NULL AND p_ends <= p_starts THEN
      RETURN QUERY SELECT 'invalid_field'::text, NULL::text;
      RETURN;
    END IF;
    INSERT INTO promotion_plans (shop_id, product_id, name, daily_budget_cents, starts_at, ends_at,
                                 created_at, updated_at)
    VALUES (p_shop, p_product, p_name, p_budget, p_starts, p_ends, p_now, p_now)
    RETURNING * INTO v_plan;
  ELSE
    -- Today's day row before the plan row, the order clicks and searches
    -- take them in (docs/promotion.md "Locks"): a budget change racing a
    -- click waits for it instead of deadlocking with it.
    PERFORM 1 FROM promotion_plan_days d
     WHERE d.plan_id = p_plan AND d.day = (p_now AT TIME ZONE platform_zone())::date
       FOR NO KEY UPDATE;
    SELECT * INTO v_plan FROM promotion_plans pl
     WHERE pl.id = p_plan AND pl.shop_id = p_shop FOR NO KEY UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::text;
      RETURN;
    END IF;
    IF (CASE WHEN p_clear_end THEN NULL ELSE coalesce(p_ends, v_plan.ends_at) END)
       <= coalesce(p_starts, v_plan.starts_at) THEN
      RETURN QUERY SELECT 'invalid_field'::text, NULL::text;
      RETURN;
    END IF;
    UPDATE promotion_plans pl
       SET product_id = coalesce(p_product, pl.product_id), name = coalesce(p_name, pl.name),
           daily_budget_cents = coalesce(p_budget, pl.daily_budget_cents),
           starts_at = coalesce(p_starts, pl.starts_at),
           ends_at = CASE WHEN p_clear_end THEN NULL ELSE coalesce(p_ends, pl.ends_at) END,
           updated_at = p_now
     WHERE pl.id = p_plan
    RETURNING * INTO v_plan;
    IF p_budget IS NOT NULL THEN
      UPDATE promotion_plan_days d SET budget_cents = greatest(p_budget, d.spend_cents)
       WHERE d.plan_id = p_plan AND d.day = (p_now AT TIME ZONE platform_zone())::date;
    END IF;
    IF p_keywords IS NOT NULL THEN
      DELETE FROM promotion_keywords k WHERE k.plan_id = p_plan;
    END IF;
  END IF;
  IF p_keywords IS NOT NULL THEN
    INSERT INTO promotion_keywords (plan_id, word, bid_cents)
    SELECT v_plan.id, lower(e->>'word'), (e->>'bid_cents')::integer
      FROM jsonb_array_elements(p_keywords) e;
  END IF;
  RETURN QUERY SELECT 'ok'::text, promotion_plan_json(v_plan, p_now);
END
$$;
