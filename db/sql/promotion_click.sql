-- A click of a promoted impression whose token C has verified (signature,
-- visitor, expiry): bills it at most once (docs/promotion.md "Billing").
--
-- The click's row, keyed by the impression, is inserted first: a second
-- click of the same impression (a replay, or the same click sent twice at
-- once, which waits on the key) answers 'duplicate' with the first's
-- outcome and charges nothing. Then, as one unit that is undone whole when
-- any step refuses:
--   1. the fraud guard: the visitor's row of (plan, day) counts a charge
--      only when fewer than p_cap were charged today and none in the last
--      10 minutes, midnight or not (outcome daily_click_cap /
--      repeat_click): the day's row is made with the last charge of the
--      visitor's row of the day before;
--   2. the budget: today's spend grows by the price only where it stays
--      within the day's budget (budget_exhausted); the CHECK of
--      promotion_plan_days refuses any other write past it;
--   3. the plan's lifetime clicks and spend;
--   4. ledger_post of the price from the shop's promotion account to the
--      fee_revenue shard, event key promotion_click:<impression>
--      (insufficient_funds: the balance CHECK refuses an overdraft too).
-- A plan that has stopped serving since the impression (paused, ended,
-- product gone) charges nothing (not_serving).
--
-- Returns 'not_found' (no such plan), 'duplicate' or 'ok', the outcome
-- (charged, repeat_click, daily_click_cap, budget_exhausted,
-- insufficient_funds, not_serving) and the amount charged.
--
-- Locks, in this order on every path: the click's key, the visitor's row
-- of the day before (shared, when the day's row is made), the visitor's day
-- row, the plan's day row, the plan row, the two ledger accounts; the
-- auction takes day rows before plan rows too.
CREATE OR REPLACE FUNCTION promotion_click(p_impression bigint, p_plan bigint, p_price integer,
                                           p_visitor text, p_buyer bigint, p_cap integer,
                                           p_now timestamptz)
RETURNS TABLE (code text, outcome text, charged_cents bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_plan    promotion_plans;
  v_day     date := (p_now AT TIME ZONE platform_zone())::date;
  v_outcome text;
  v_posted  text;
BEGIN
  SELECT * INTO v_plan FROM promotion_plans pl WHERE pl.id = p_plan;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::text, 0::bigint;
    RETURN;
  END IF;
  INSERT INTO promotion_clicks (impression_id, plan_id, shop_id, product_id, visitor, buyer_id,
                                price_cents, charged, outcome, created_at)
  VALUES (p_impression, p_plan, v_plan.shop_id, v_plan.product_id, p_visitor, p_buyer, p_price,
          false, 'not_serving', p_now)
  ON CONFLICT ON CONSTRAINT promotion_clicks_pkey DO NOTHING;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'duplicate'::text, c.outcome, 0::bigint
                   FROM promotion_clicks c WHERE c.impression_id = p_impression;
    RETURN;
  END IF;

  v_outcome := 'not_serving';
  IF NOT v_plan.paused AND p_now >= v_plan.starts_at
     AND (v_plan.ends_at IS NULL OR p_now < v_plan.ends_at)
     AND EXISTS (SELECT 1 FROM products p WHERE p.id = v_plan.product_id
                    AND p.status = 'on_sale' AND p.deleted_at IS NULL) THEN
    BEGIN
      -- The day's first click of the visitor makes the day's row, carrying
      -- the last charge of the day before (read under a share lock, so a
      -- charge of the day before still committing is waited for): the
      -- 10-minute window runs across midnight; the count starts at 0.
      IF NOT EXISTS (SELECT 1 FROM promotion_visitor_days v
                      WHERE v.plan_id = p_plan AND v.day = v_day AND v.visitor = p_visitor) THEN
        INSERT INTO promotion_visitor_days (plan_id, day, visitor, charged, last_charged_at)
        VALUES (p_plan, v_day, p_visitor, 0,
                coalesce((SELECT v.last_charged_at FROM promotion_visitor_days v
                           WHERE v.plan_id = p_plan AND v.day = v_day - 1
                             AND v.visitor = p_visitor
                             FOR SHARE),
                         '-infinity'))
        ON CONFLICT ON CONSTRAINT promotion_visitor_days_pkey DO NOTHING;
      END IF;
      UPDATE promotion_visitor_days v SET charged = v.charged + 1, last_charged_at = p_now
       WHERE v.plan_id = p_plan AND v.day = v_day AND v.visitor = p_visitor
         AND v.charged < p_cap AND v.last_charged_at <= p_now - interval '10 minutes';
      IF NOT FOUND THEN
        SELECT CASE WHEN v.charged >= p_cap THEN 'daily_click_cap' ELSE 'repeat_click' END
          INTO v_outcome
          FROM promotion_visitor_days v
         WHERE v.plan_id = p_plan AND v.day = v_day AND v.visitor = p_visitor;
        RAISE EXCEPTION USING ERRCODE = 'PR001';
      END IF;
      -- A click from before midnight that comes after the visitor's first
      -- charge of the next day: that day's row was made (and is read here
      -- after it committed: it held this row shared until then) without
      -- this charge, so this one is the repeat.
      IF EXISTS (SELECT 1 FROM promotion_visitor_days v
                  WHERE v.plan_id = p_plan AND v.day = v_day + 1 AND v.visitor = p_visitor
                    AND v.charged > 0 AND v.last_charged_at < p_now + interval '10 minutes') THEN
        v_outcome := 'repeat_click';
        RAISE EXCEPTION USING ERRCODE = 'PR001';
      END IF;
      INSERT INTO promotion_plan_days (plan_id, day, budget_cents)
      VALUES (p_plan, v_day, v_plan.daily_budget_cents)
      ON CONFLICT ON CONSTRAINT promotion_plan_days_pkey DO NOTHING;
      UPDATE promotion_plan_days d
         SET spend_cents = d.spend_cents + p_price, clicks = d.clicks + 1
       WHERE d.plan_id = p_plan AND d.day = v_day AND d.spend_cents + p_price <= d.budget_cents;
      IF NOT FOUND THEN
        v_outcome := 'budget_exhausted';
        RAISE EXCEPTION USING ERRCODE = 'PR001';
      END IF;
      UPDATE promotion_plans pl
         SET clicks = pl.clicks + 1, spend_cents = pl.spend_cents + p_price
       WHERE pl.id = p_plan;
      v_posted := ledger_post('promotion_click:' || p_impression, 'promotion_click', p_impression,
                              ARRAY[ledger_account(v_plan.shop_id, 'promotion')],
                              ARRAY[ledger_account(v_plan.shop_id, 'fee_revenue')],
                              ARRAY[p_price::bigint], ARRAY['promotion_click'], p_now);
      IF v_posted <> 'ok' THEN
        v_outcome := 'insufficient_funds';
        RAISE EXCEPTION USING ERRCODE = 'PR001';
      END IF;
      v_outcome := 'charged';
    EXCEPTION WHEN SQLSTATE 'PR001' THEN
      NULL; -- every step of the unit is undone; v_outcome says why
    END;
  END IF;
  UPDATE promotion_clicks c SET outcome = v_outcome, charged = (v_outcome = 'charged')
   WHERE c.impression_id = p_impression;
  RETURN QUERY SELECT 'ok'::text, v_outcome,
                      CASE WHEN v_outcome = 'charged' THEN p_price ELSE 0 END::bigint;
END
$$;
