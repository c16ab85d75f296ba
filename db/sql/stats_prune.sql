-- Drops what the data pages no longer read (docs/data.md, Rollups): minute
-- buckets after eight days, the per-day distinct tables after 400 days,
-- the customer-service state after 40 days, the promoted impressions' log
-- (promotion_impressions, folded long since into the plans' day rows,
-- which stay) after 400 days, a whole day of MERCHANTD_TZ at a time, and
-- then the first day it still holds (stats_fold_state.impressions_from),
-- before which a rebuild leaves the day rows' impressions alone. Returns
-- the rows deleted.
CREATE OR REPLACE FUNCTION stats_prune(p_now timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_day date := stats_day(p_now);
  v_n   bigint;
  v_all bigint := 0;
BEGIN
  DELETE FROM stats_shop WHERE grain = 'm' AND at < p_now - interval '8 days';
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  DELETE FROM stats_shop_buyers WHERE day < v_day - 400;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  DELETE FROM stats_shop_visitors WHERE day < v_day - 400;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  DELETE FROM stats_product_buyers WHERE day < v_day - 400;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  DELETE FROM stats_product_visitors WHERE day < v_day - 400;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  DELETE FROM stats_cs_writers WHERE day < v_day - 40;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  DELETE FROM stats_cs_rounds WHERE started_at < p_now - interval '40 days';
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  UPDATE stats_fold_state SET impressions_from = v_day - 400
   WHERE impressions_from IS NULL OR impressions_from < v_day - 400;
  DELETE FROM promotion_impressions WHERE created_at < stats_day_start(v_day - 400);
  GET DIAGNOSTICS v_n = ROW_COUNT; v_all := v_all + v_n;
  RETURN v_all;
END
$$;
