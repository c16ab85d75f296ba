-- Pauses (p_paused) or resumes a plan of a shop of the merchant. Returns
-- the plan as promotion_plan_json shows it, or NULL when there is no such
-- plan.
CREATE OR REPLACE FUNCTION promotion_plan_pause(p_merchant bigint, p_shop bigint, p_plan bigint,
                                                p_paused boolean, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_plan promotion_plans;
BEGIN
  UPDATE promotion_plans pl
     SET paused = p_paused,
         updated_at = CASE WHEN pl.paused = p_paused THEN pl.updated_at ELSE p_now END
    FROM shops s
   WHERE pl.id = p_plan AND pl.shop_id = p_shop AND s.id = pl.shop_id AND s.merchant_id = p_merchant
  RETURNING pl.* INTO v_plan;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN promotion_plan_json(v_plan, p_now);
END
$$;
