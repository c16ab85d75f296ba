-- Moves products.sales_30d to the 30 days of MERCHANTD_TZ ending today
-- (docs/promotion.md "Search"): the job product_sales_roll, every minute.
-- When the first day of the window is no longer today - 29, the units of
-- the days between the old and the new first day are taken off (or, should
-- the clock go back, added to) every product they belong to, and the new
-- first day recorded, in one transaction under the window row's lock:
-- the stats_product triggers read that row under FOR SHARE, so a fold
-- writing a day either commits before (and the roll takes it off) or
-- after (and then finds the day out of the window). Returns the products
-- changed, 0 when the window was current.
CREATE OR REPLACE FUNCTION product_sales_roll(p_now timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_start date := stats_day(p_now) - 29;
  v_old   date;
  v_n     bigint;
BEGIN
  IF (SELECT start_day FROM product_sales_window) = v_start THEN
    RETURN 0;
  END IF;
  SELECT start_day INTO v_old FROM product_sales_window FOR UPDATE;
  IF v_old = v_start THEN
    RETURN 0;
  END IF;
  UPDATE products p
     SET sales_30d = p.sales_30d + CASE WHEN v_start > v_old THEN -d.units ELSE d.units END
    FROM (SELECT product_id, sum(units) AS units FROM stats_product
           WHERE day >= least(v_old, v_start) AND day < greatest(v_old, v_start)
           GROUP BY 1 HAVING sum(units) <> 0 ORDER BY 1) d
   WHERE p.id = d.product_id;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  UPDATE product_sales_window SET start_day = v_start;
  RETURN v_n;
END
$$;
