-- Platform campaigns (活动报名): staff publish a campaign with its rules,
-- shops enter products with a campaign price and a campaign stock per SKU,
-- staff approve (or the kind approves at once), and while the campaign runs
-- checkout sells the approved SKUs at the campaign price from the campaign
-- stock. See docs/campaigns.md for the rules, the lock order and the end job.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Every price a SKU has had, from the moment it took effect (the SKU's
-- updated_at of the write). A trigger on skus records each insert and each
-- price change, whoever writes it; the 30-day low of sign-up reads it.
CREATE TABLE sku_prices (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku_id      bigint NOT NULL REFERENCES skus (id),
  price_cents bigint NOT NULL CHECK (price_cents BETWEEN 1 AND 100000000),
  since       timestamptz NOT NULL
);
COMMENT ON TABLE sku_prices IS 'price history of every SKU: price_cents took effect at since (kept by the skus_price_history triggers)';
CREATE INDEX sku_prices_sku ON sku_prices (sku_id, since);
-- The history starts with the prices of today, as of each SKU's last write.
INSERT INTO sku_prices (sku_id, price_cents, since) SELECT id, price_cents, updated_at FROM skus;

CREATE FUNCTION sku_price_record() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'sku_price_record: a stub, db/sql/sku_price_record.sql defines it'; END$$;
CREATE TRIGGER skus_price_history_insert AFTER INSERT ON skus
  FOR EACH ROW EXECUTE FUNCTION sku_price_record();
CREATE TRIGGER skus_price_history_update AFTER UPDATE OF price_cents ON skus
  FOR EACH ROW WHEN (OLD.price_cents IS DISTINCT FROM NEW.price_cents)
  EXECUTE FUNCTION sku_price_record();

CREATE TABLE campaigns (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  kind                  text NOT NULL CHECK (kind IN ('flash_sale', 'festival', 'daily_deal')),
  signup_from           timestamptz NOT NULL,
  signup_to             timestamptz NOT NULL,
  starts_at             timestamptz NOT NULL,
  ends_at               timestamptz NOT NULL,
  min_discount_percent  integer NOT NULL CHECK (min_discount_percent BETWEEN 0 AND 99),
  min_campaign_stock    integer NOT NULL CHECK (min_campaign_stock BETWEEN 1 AND 10000000),
  per_buyer_limit       integer NOT NULL CHECK (per_buyer_limit BETWEEN 1 AND 999),
  max_products_per_shop integer NOT NULL CHECK (max_products_per_shop BETWEEN 1 AND 1000),
  allow_coupons         boolean NOT NULL,
  auto_approve          boolean NOT NULL,
  created_by            bigint NOT NULL REFERENCES accounts (id),
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  cancelled_at          timestamptz,
  ended_at              timestamptz,
  CHECK (signup_from < signup_to AND signup_to <= starts_at AND starts_at < ends_at),
  CHECK (cancelled_at IS NULL OR ended_at IS NULL)
);
COMMENT ON TABLE campaigns IS 'platform campaigns; the rules are fixed from signup_from on; ended_at: the end job gave the unsold campaign stock back';
CREATE INDEX campaigns_due ON campaigns (ends_at, id) WHERE ended_at IS NULL AND cancelled_at IS NULL;

CREATE TABLE campaign_entries (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  shop_id     bigint NOT NULL REFERENCES shops (id),
  product_id  bigint NOT NULL REFERENCES products (id),
  status      text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn',
                                              'cancelled')),
  reason      text CHECK (char_length(reason) BETWEEN 1 AND 500),
  created_at  timestamptz NOT NULL,
  decided_at  timestamptz,
  decided_by  bigint REFERENCES accounts (id),
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK (status <> 'rejected' OR reason IS NOT NULL),
  CHECK (decided_by IS NULL OR status IN ('approved', 'rejected'))
);
COMMENT ON TABLE campaign_entries IS 'a shop''s product entered in a campaign; decided_by NULL on a decided entry: approved by the campaign (auto_approve), withdrawn or cancelled';
CREATE UNIQUE INDEX campaign_entries_one_per_product ON campaign_entries (campaign_id, product_id)
  WHERE status IN ('pending', 'approved');
CREATE INDEX campaign_entries_queue ON campaign_entries (campaign_id, status, id);
CREATE INDEX campaign_entries_shop ON campaign_entries (shop_id, id);

-- An entry's SKUs. idle until approved; live from approval (the campaign
-- stock carved out of skus.stock, stock + sold = campaign_stock); returned
-- once the unsold stock went back to the SKU (the end job, a cancellation).
-- A SKU is live in at most one campaign whose run windows overlap.
CREATE TABLE campaign_skus (
  entry_id             bigint NOT NULL REFERENCES campaign_entries (id),
  sku_id               bigint NOT NULL REFERENCES skus (id),
  campaign_id          bigint NOT NULL REFERENCES campaigns (id),
  shop_id              bigint NOT NULL REFERENCES shops (id),
  product_id           bigint NOT NULL REFERENCES products (id),
  campaign_price_cents bigint NOT NULL CHECK (campaign_price_cents BETWEEN 1 AND 100000000),
  campaign_stock       integer NOT NULL CHECK (campaign_stock BETWEEN 1 AND 10000000),
  stock                integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  sold                 integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
  per_buyer_limit      integer NOT NULL CHECK (per_buyer_limit BETWEEN 1 AND 999),
  allow_coupons        boolean NOT NULL,
  run                  tstzrange NOT NULL,
  state                text NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'live', 'returned')),
  PRIMARY KEY (entry_id, sku_id),
  CHECK (state = 'live' OR stock = 0),
  CHECK (state <> 'live' OR stock + sold = campaign_stock),
  CHECK (state <> 'idle' OR sold = 0),
  EXCLUDE USING gist (sku_id WITH =, run WITH &&) WHERE (state = 'live')
);
COMMENT ON TABLE campaign_skus IS 'campaign price and stock of an entry''s SKUs; stock: campaign units left to sell while live, sold: units on orders that did not close';
CREATE UNIQUE INDEX campaign_skus_sold ON campaign_skus (campaign_id, sku_id) WHERE state <> 'idle';
CREATE INDEX campaign_skus_sku_live ON campaign_skus (sku_id) WHERE state = 'live';

-- Campaign units each buyer holds on orders that did not close, per SKU:
-- the per-buyer limit's counter, changed under the SKU's row lock.
CREATE TABLE campaign_buyer_units (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  sku_id      bigint NOT NULL REFERENCES skus (id),
  buyer_id    bigint NOT NULL REFERENCES accounts (id),
  n           integer NOT NULL CHECK (n BETWEEN 0 AND 999),
  PRIMARY KEY (campaign_id, sku_id, buyer_id)
);

-- Counters of a shop in a campaign and of each of its products, changed
-- with the orders (created at approval, so an order only updates them).
CREATE TABLE campaign_shop_stats (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  shop_id     bigint NOT NULL REFERENCES shops (id),
  units       bigint NOT NULL DEFAULT 0 CHECK (units >= 0),
  gmv_cents   bigint NOT NULL DEFAULT 0 CHECK (gmv_cents >= 0),
  orders      bigint NOT NULL DEFAULT 0 CHECK (orders >= 0),
  PRIMARY KEY (campaign_id, shop_id)
);
COMMENT ON TABLE campaign_shop_stats IS 'a shop''s campaign units, GMV (campaign prices) and orders on orders that did not close';
CREATE TABLE campaign_product_stats (
  campaign_id bigint NOT NULL REFERENCES campaigns (id),
  product_id  bigint NOT NULL REFERENCES products (id),
  shop_id     bigint NOT NULL REFERENCES shops (id),
  units       bigint NOT NULL DEFAULT 0 CHECK (units >= 0),
  gmv_cents   bigint NOT NULL DEFAULT 0 CHECK (gmv_cents >= 0),
  PRIMARY KEY (campaign_id, product_id)
);
CREATE INDEX campaign_product_stats_top ON campaign_product_stats
  (campaign_id, shop_id, units DESC, product_id);

-- An order line sold at a campaign price names the campaign and keeps the
-- SKU's regular price beside it.
ALTER TABLE order_items ADD COLUMN campaign_id bigint REFERENCES campaigns (id);
ALTER TABLE order_items ADD COLUMN regular_price_cents bigint;
ALTER TABLE order_items ADD CHECK ((campaign_id IS NULL) = (regular_price_cents IS NULL));

-- Letters about campaign entries: one per decision, delivered at once.
-- The one-per-hour rule stays the review letters'.
ALTER TABLE letters DROP CONSTRAINT letters_kind_check;
ALTER TABLE letters ADD CONSTRAINT letters_kind_check
  CHECK (kind IN ('hold', 'result', 'extend', 'campaign'));
ALTER TABLE letters ADD COLUMN campaign_entry_id bigint REFERENCES campaign_entries (id);
ALTER TABLE letters ADD CHECK ((kind = 'campaign') = (campaign_entry_id IS NOT NULL));
DROP INDEX letters_one_per_hour;
CREATE UNIQUE INDEX letters_one_per_hour ON letters (shop_id, kind, delivered_at)
  WHERE kind <> 'campaign';
COMMENT ON COLUMN letters.kind IS 'hold: 订单禁止发货通知; result: 订单审核结果通知 (released or closed); extend: 订单审核延期通知; campaign: 活动报名审核结果通知';
