-- pgbench: how an impression was counted before the impressions' log, in
-- the search's transaction: today's day row of plan :plan and the plan row,
-- both hot rows every search showing the plan updates (as the auction did
-- up to migration 0046), as tests/bench/promotion.sh compares it.
BEGIN;
INSERT INTO promotion_plan_days AS d (plan_id, day, budget_cents, impressions)
VALUES (:plan, (now() AT TIME ZONE platform_zone())::date, 100000000, 1)
ON CONFLICT ON CONSTRAINT promotion_plan_days_pkey DO UPDATE SET impressions = d.impressions + 1;
UPDATE promotion_plans SET impressions = impressions + 1 WHERE id = :plan;
END;
