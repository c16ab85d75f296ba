-- The background job: releases held orders whose deadline has come, at
-- most p_limit per call, recorded as done by the system (actor NULL).
-- Several instances share it: SKIP LOCKED leaves rows another instance (or
-- a reviewer) is working on, and the UPDATE re-checks the state on the row
-- it locked, so an order released meanwhile gets no second action.
CREATE OR REPLACE FUNCTION reviews_release_due(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE sql AS $$
  WITH due AS (SELECT id FROM orders
                WHERE review_status = 'under_review' AND review_deadline <= p_now
                ORDER BY review_deadline, id LIMIT p_limit FOR UPDATE SKIP LOCKED),
       released AS (UPDATE orders o SET review_status = 'released'
                      FROM due WHERE o.id = due.id AND o.review_status = 'under_review'
                                 AND o.review_deadline <= p_now
                    RETURNING o.id, o.shop_id, o.review_deadline),
       recorded AS (INSERT INTO review_actions (order_id, shop_id, action, deadline, created_at)
                    SELECT id, shop_id, 'auto_release', review_deadline, p_now FROM released
                    RETURNING 1)
  SELECT count(*)::integer FROM recorded
$$;
