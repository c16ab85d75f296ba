-- Promoted impressions become an append-only log (docs/promotion.md
-- "Impressions"): the auction inserts a row per impression instead of
-- updating the plan's row and its day row in the buyer's search
-- transaction, where every search showing one hot plan queued on those two
-- rows until commit. The rollup worker (stats_fold, docs/data.md) counts
-- the log into promotion_plan_days.impressions and the plan's lifetime
-- promotion_plans.impressions, behind its watermark like page_views.
--
-- No foreign keys: a reference to promotion_plans would take a KEY SHARE
-- lock on the hot plan's row with every insert. The ids come from
-- promotion_impression_ids (signed into the tokens), plan, shop and
-- product from the plans the auction read in the same statement.
CREATE TABLE promotion_impressions (
  impression_id bigint PRIMARY KEY,
  plan_id       bigint NOT NULL,
  shop_id       bigint NOT NULL,
  product_id    bigint NOT NULL,
  price_cents   integer CHECK (price_cents BETWEEN 1 AND 9900),
  created_at    timestamptz NOT NULL,
  fold_xid      xid8 NOT NULL DEFAULT pg_current_xact_id()
);
COMMENT ON TABLE promotion_impressions IS 'promoted impressions shown by the auction, one row each, append-only; folded into promotion_plan_days.impressions and promotion_plans.impressions by stats_fold; kept 400 days (stats_prune)';
COMMENT ON COLUMN promotion_impressions.price_cents IS 'the price per click the auction signed into the impression; NULL for the impressions counted before the log existed (written by this migration from the day rows)';
CREATE INDEX promotion_impressions_fold ON promotion_impressions (fold_xid);
CREATE INDEX promotion_impressions_created ON promotion_impressions (created_at);

-- The days before impressions_from are no longer in the log (stats_prune
-- deleted them): a rebuild leaves their impressions as the fold left them.
ALTER TABLE stats_fold_state ADD COLUMN impressions_from date;
COMMENT ON COLUMN stats_fold_state.impressions_from IS 'the first day (MERCHANTD_TZ) whose promoted impressions the log promotion_impressions still holds; a rebuild forgets and refolds impressions of this day on only (NULL: every day)';

-- The impressions counted so far, by the day rows, become log rows of
-- transaction 0, below every watermark: the fold does not count them
-- again, and a rebuild finds them (at the local midnight of their day; no
-- price). platform_zone() inlined: the functions of db/sql are applied
-- after the migrations.
INSERT INTO promotion_impressions (impression_id, plan_id, shop_id, product_id, price_cents,
                                   created_at, fold_xid)
SELECT nextval('promotion_impression_ids'), d.plan_id, pl.shop_id, pl.product_id, NULL,
       d.day::timestamp AT TIME ZONE coalesce(nullif(current_setting('merchantd.tz', true), ''),
                                              'Asia/Shanghai'),
       '0'
  FROM promotion_plan_days d
  JOIN promotion_plans pl ON pl.id = d.plan_id
 CROSS JOIN LATERAL generate_series(1, d.impressions) g
 ORDER BY d.plan_id, d.day;
