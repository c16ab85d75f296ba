-- merchantd stats check: whether the rollups equal a rebuild from the raw
-- rows. After stats_check_settled in the same snapshot, keeps a copy of
-- every rollup table, rebuilds everything in this one transaction and
-- returns each row that differs (the caller rolls back, so the rollups
-- stay as they were). It holds the xmin horizon while it runs: a tool for
-- tests and quiet hours. While a rebuild is in progress the rollups are
-- incomplete: it says so. Rows of all zeros (a count that moved
-- from one bucket to another) and rows past their retention (stats_prune)
-- are not compared. The promotion plans and their day rows are compared
-- whole: the rebuild changes only their impressions.
CREATE OR REPLACE FUNCTION stats_check(p_now timestamptz)
RETURNS TABLE (rollup text, difference text) LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := greatest(p_now, (SELECT folded_at FROM stats_fold_state));
  v_day date := stats_day(v_now);
  t     record;
BEGIN
  SELECT 'stats_fold_state', format('a rebuild is in progress (next day %s of %s)',
                                    rebuild_next, rebuild_last)
    INTO rollup, difference
    FROM stats_fold_state WHERE rebuild_next IS NOT NULL;
  IF FOUND THEN
    RETURN NEXT;
    RETURN;
  END IF;
  CREATE TEMP TABLE stats_check_spec (name text, keys text[], filter text) ON COMMIT DROP;
  INSERT INTO stats_check_spec VALUES
    ('stats_shop', '{shop_id,grain,at}',
     format('(grain <> ''m'' OR at >= %L::timestamptz - interval ''7 days'')', v_now)),
    ('stats_product', '{product_id,shop_id,day}', 'true'),
    ('stats_coupon', '{coupon_id,shop_id,day}', 'true'),
    ('stats_carrier', '{shop_id,carrier,day}', 'true'),
    ('stats_shop_buyers', NULL, format('day >= %L::date - 400', v_day)),
    ('stats_shop_visitors', NULL, format('day >= %L::date - 400', v_day)),
    ('stats_product_buyers', NULL, format('day >= %L::date - 400', v_day)),
    ('stats_product_visitors', NULL, format('day >= %L::date - 400', v_day)),
    ('stats_cs_writers', NULL, format('day >= %L::date - 40', v_day)),
    ('stats_cs_rounds', NULL, format('started_at >= %L::timestamptz - interval ''40 days''', v_now)),
    ('stats_cs_due', NULL, 'true'),
    ('stats_order_marks', NULL, 'true'),
    ('promotion_plan_days', NULL, 'true'),
    ('promotion_plans', NULL, 'true');
  -- A row counts when it has a figure other than zero.
  UPDATE stats_check_spec
     SET filter = filter || format(' AND EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(r) - %L::text[])'
                                   ' WHERE value <> ''0'')', keys)
   WHERE keys IS NOT NULL;
  FOR t IN SELECT * FROM stats_check_spec LOOP
    EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT * FROM %I r WHERE %s',
                   t.name || '_before', t.name, t.filter);
  END LOOP;
  -- products.sales_30d follows stats_product through triggers: it must
  -- equal the rebuilt days of its window.
  CREATE TEMP TABLE stats_check_sales ON COMMIT DROP AS
  SELECT id, sales_30d FROM products WHERE sales_30d <> 0;
  PERFORM stats_forget(NULL, '-infinity', 'infinity');
  PERFORM stats_refold(NULL, '-infinity', 'infinity', (SELECT folded_to FROM stats_fold_state), v_now);
  PERFORM stats_apply(v_now);
  RETURN QUERY
  SELECT 'products.sales_30d', format('product %s: %s, rebuilt %s', coalesce(a.id, b.product_id),
                                      coalesce(a.sales_30d, 0), coalesce(b.units, 0))
    FROM stats_check_sales a
    FULL JOIN (SELECT product_id, sum(units) AS units FROM stats_product
                WHERE day >= (SELECT start_day FROM product_sales_window)
                GROUP BY 1 HAVING sum(units) <> 0) b ON b.product_id = a.id
   WHERE a.sales_30d IS DISTINCT FROM b.units;
  FOR t IN SELECT * FROM stats_check_spec LOOP
    RETURN QUERY EXECUTE format(
      'SELECT %1$L, ''incremental '' || to_jsonb(a)::text'
      '  FROM (SELECT * FROM %2$I EXCEPT SELECT * FROM %1$I r WHERE %3$s) a'
      ' UNION ALL '
      'SELECT %1$L, ''rebuilt '' || to_jsonb(b)::text'
      '  FROM (SELECT * FROM %1$I r WHERE %3$s EXCEPT SELECT * FROM %2$I) b',
      t.name, t.name || '_before', t.filter);
  END LOOP;
END
$$;
