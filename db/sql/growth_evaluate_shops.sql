-- Brings the progress of the given shops up to date (docs/growth.md
-- "Progress"): the active tasks (of the condition kind p_kind only, when
-- not NULL) each has not done, from growth_progress. A done task stays
-- done; rows at 0 and rows that would not change are not written. The
-- medals are growth_award_medals'.
CREATE OR REPLACE FUNCTION growth_evaluate_shops(p_shops bigint[], p_now timestamptz,
                                                 p_kind text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO growth_shop_tasks AS g (shop_id, task_id, progress, done_at, updated_at)
  SELECT s.id, t.id, least(p.v, t.target), CASE WHEN p.v >= t.target THEN p_now END, p_now
    FROM unnest(p_shops) AS s (id)
   CROSS JOIN growth_tasks t
    LEFT JOIN growth_shop_tasks e ON e.shop_id = s.id AND e.task_id = t.id
   CROSS JOIN LATERAL (SELECT growth_progress(s.id, t, p_now) AS v) p
   WHERE t.active AND (p_kind IS NULL OR t.condition_kind = p_kind) AND e.done_at IS NULL
     -- Only rows that change: an unchanged row met by ON CONFLICT would
     -- still be locked and written.
     AND CASE WHEN e.shop_id IS NULL THEN p.v > 0
              ELSE e.progress <> least(p.v, t.target) OR p.v >= t.target END
   ORDER BY s.id, t.id
  ON CONFLICT (shop_id, task_id) DO UPDATE
     SET progress = excluded.progress, done_at = excluded.done_at, updated_at = excluded.updated_at
   WHERE g.done_at IS NULL
     AND (g.progress, g.done_at) IS DISTINCT FROM (excluded.progress, excluded.done_at);
$$;
