-- Whether a plan serves at p_now, and if not why: 'paused', 'scheduled'
-- (before starts_at), 'ended' (at or after ends_at), 'product_unavailable'
-- (deleted or off sale), 'insufficient_balance' (the shop's promotion
-- balance less what it holds is below the plan's lowest bid: not one click
-- is covered), 'budget_exhausted' (today's spend, MERCHANTD_TZ, leaves less
-- of the daily budget than the lowest bid), else 'serving'. The auction
-- checks each keyword's own bid against the same two amounts.
CREATE OR REPLACE FUNCTION promotion_plan_status(p_plan promotion_plans, p_now timestamptz)
RETURNS text STABLE LANGUAGE sql AS $$
  SELECT CASE
    WHEN p_plan.paused THEN 'paused'
    WHEN p_now < p_plan.starts_at THEN 'scheduled'
    WHEN p_plan.ends_at IS NOT NULL AND p_now >= p_plan.ends_at THEN 'ended'
    WHEN NOT EXISTS (SELECT 1 FROM products p WHERE p.id = p_plan.product_id
                        AND p.status = 'on_sale' AND p.deleted_at IS NULL)
      THEN 'product_unavailable'
    WHEN (SELECT a.balance - a.held FROM ledger_accounts a
           WHERE a.shop_id = p_plan.shop_id AND a.kind = 'promotion')
         < (SELECT coalesce(min(k.bid_cents), 10) FROM promotion_keywords k WHERE k.plan_id = p_plan.id)
      THEN 'insufficient_balance'
    WHEN (SELECT least(d.budget_cents, p_plan.daily_budget_cents) - d.spend_cents
            FROM promotion_plan_days d
           WHERE d.plan_id = p_plan.id AND d.day = (p_now AT TIME ZONE platform_zone())::date)
         < (SELECT coalesce(min(k.bid_cents), 10) FROM promotion_keywords k WHERE k.plan_id = p_plan.id)
      THEN 'budget_exhausted'
    ELSE 'serving'
  END
$$;
