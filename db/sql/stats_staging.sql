-- The fold's staging tables, one set per connection, emptied at commit:
-- stats_delta gathers what a fold adds to the shops' buckets (stats_apply
-- writes it to every grain at once), stats_work and stats_o the orders to
-- fold and the facts they add, stats_v the views, stats_seen_in the
-- first-of-day candidates of stats_seen. Created once per connection
-- rather than per fold, so that folding every second does not churn the
-- catalog.
CREATE OR REPLACE FUNCTION stats_staging() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('pg_temp.stats_delta') IS NOT NULL THEN
    RETURN;
  END IF;
  CREATE TEMP TABLE stats_delta (
    shop_id bigint NOT NULL, at timestamptz NOT NULL,
    gmv_cents bigint NOT NULL DEFAULT 0, orders bigint NOT NULL DEFAULT 0,
    buyers bigint NOT NULL DEFAULT 0, pv bigint NOT NULL DEFAULT 0, uv bigint NOT NULL DEFAULT 0,
    refund_cents bigint NOT NULL DEFAULT 0, refunds bigint NOT NULL DEFAULT 0,
    shipped bigint NOT NULL DEFAULT 0, ship_secs bigint NOT NULL DEFAULT 0,
    shipped_24h bigint NOT NULL DEFAULT 0, shipped_48h bigint NOT NULL DEFAULT 0,
    cs_buyers bigint NOT NULL DEFAULT 0, cs_converted bigint NOT NULL DEFAULT 0,
    cs_rounds bigint NOT NULL DEFAULT 0, cs_rounds_3min bigint NOT NULL DEFAULT 0,
    cs_response_secs bigint NOT NULL DEFAULT 0, coupon_claims bigint NOT NULL DEFAULT 0,
    coupon_orders bigint NOT NULL DEFAULT 0, coupon_gmv_cents bigint NOT NULL DEFAULT 0,
    coupon_discount_cents bigint NOT NULL DEFAULT 0
  ) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE stats_work (id bigint PRIMARY KEY) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE stats_o (
    id bigint, shop_id bigint, buyer_id bigint, new smallint, facts smallint,
    paid_at timestamptz, paid_cents bigint, discount_cents bigint, coupon_id bigint,
    shipped_at timestamptz, completed_at timestamptz, carrier text
  ) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE stats_v (
    shop_id bigint, product_id bigint, visitor text, at timestamptz
  ) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE stats_seen_in (
    shop_id bigint, day date, who text, at timestamptz
  ) ON COMMIT DELETE ROWS;
END
$$;
