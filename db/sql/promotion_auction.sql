-- The keyword auction of a buyer's search (docs/promotion.md): the plans
-- with a keyword equal to the query (lower-cased, trimmed) that serve at
-- p_now and whose bid on it is covered both by the shop's promotion balance
-- (less what it holds) and by what is left of today's budget; a product
-- takes part once, with its best plan. They rank by bid x quality, quality
-- being the plan's smoothed click-through rate (clicks + 1) / (impressions
-- + 50), ties by the older plan; the first p_slots win. Each winner pays
-- per click the next plan's bid x its quality / the winner's quality,
-- rounded down, + 1 fen, never more than its own bid; the last plan of the
-- ranking pays the reserve, 10 fen (generalised second price).
--
-- Each winner gets a fresh impression id and a row of the append-only
-- log promotion_impressions, which the rollup worker (stats_fold) counts
-- into the plan's day and lifetime impressions: the search locks no row,
-- so searches showing one hot plan do not queue on it. The quality score
-- reads the lifetime count as of the last fold.
CREATE OR REPLACE FUNCTION promotion_auction(p_query text, p_slots integer, p_now timestamptz)
RETURNS TABLE (impression_id bigint, plan_id bigint, shop_id bigint, product_id bigint,
               price_cents bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_word     text := lower(btrim(p_query));
  v_day      date := (p_now AT TIME ZONE platform_zone())::date;
  v_plans    bigint[];
  v_shops    bigint[];
  v_products bigint[];
  v_prices   bigint[];
BEGIN
  WITH cand AS (
    SELECT DISTINCT ON (pl.product_id)
           pl.id, pl.shop_id, pl.product_id, k.bid_cents::numeric AS bid,
           (pl.clicks + 1)::numeric AS c, (pl.impressions + 50)::numeric AS i
      FROM promotion_keywords k
      JOIN promotion_plans pl ON pl.id = k.plan_id
      JOIN products p ON p.id = pl.product_id AND p.status = 'on_sale' AND p.deleted_at IS NULL
      JOIN ledger_accounts a ON a.shop_id = pl.shop_id AND a.kind = 'promotion'
      LEFT JOIN promotion_plan_days d ON d.plan_id = pl.id AND d.day = v_day
     WHERE k.word = v_word AND NOT pl.paused
       AND EXISTS (SELECT 1 FROM skus s WHERE s.product_id = pl.product_id) AND pl.starts_at <= p_now
       AND (pl.ends_at IS NULL OR pl.ends_at > p_now)
       AND a.balance - a.held >= k.bid_cents
       AND least(coalesce(d.budget_cents, pl.daily_budget_cents), pl.daily_budget_cents)
           - coalesce(d.spend_cents, 0) >= k.bid_cents
     ORDER BY pl.product_id, k.bid_cents * (pl.clicks + 1)::numeric / (pl.impressions + 50) DESC,
              pl.id
  ), ranked AS (
    SELECT cand.*, row_number() OVER w AS slot,
           lead(bid) OVER w AS nbid, lead(c) OVER w AS nc, lead(i) OVER w AS ni
      FROM cand
    WINDOW w AS (ORDER BY bid * c / i DESC, id)
  )
  SELECT array_agg(r.id ORDER BY r.slot), array_agg(r.shop_id ORDER BY r.slot),
         array_agg(r.product_id ORDER BY r.slot),
         array_agg(least(r.bid, coalesce(floor(r.nbid * r.nc * r.i / (r.ni * r.c)) + 1, 10))::bigint
                   ORDER BY r.slot)
    INTO v_plans, v_shops, v_products, v_prices
    FROM ranked r
   WHERE r.slot <= p_slots;
  IF v_plans IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY
  WITH w AS MATERIALIZED (
    SELECT nextval('promotion_impression_ids') AS id, x.*
      FROM (SELECT * FROM unnest(v_plans, v_shops, v_products, v_prices) WITH ORDINALITY
                          u (plan_id, shop_id, product_id, price_cents, slot)
             ORDER BY u.slot) x
  ), logged AS (
    INSERT INTO promotion_impressions (impression_id, plan_id, shop_id, product_id, price_cents,
                                       created_at)
    SELECT w.id, w.plan_id, w.shop_id, w.product_id, w.price_cents, p_now FROM w
  )
  SELECT w.id, w.plan_id, w.shop_id, w.product_id, w.price_cents FROM w ORDER BY w.slot;
END
$$;
