-- Paid promotion (推广), first phase: buyer product search over every shop,
-- promotion plans with keyword bids, the keyword auction's impressions and
-- the billing of clicks from the shop's promotion account. docs/promotion.md
-- has the rules.

-- Search: the grams of a product's title (community_grams: every character
-- and pair, lower-cased), indexed for the products a buyer can find, so a
-- Chinese substring (绿茶 in 明前龙井绿茶) is found through the index, as chat
-- and community search find theirs. pg_trgm would need three-character
-- grams, and most Chinese queries are one or two characters. fastupdate is
-- off: titles change seldom, while every search would read a pending list
-- and the planner, counting it, would turn to a sequential scan until
-- (auto)vacuum merged it.
ALTER TABLE products ADD COLUMN grams text[] GENERATED ALWAYS AS (community_grams(title)) STORED;
COMMENT ON COLUMN products.grams IS 'search grams of the title (community_grams), for GET /v1/search/products';
CREATE INDEX products_search_grams ON products USING gin (grams) WITH (fastupdate = off)
  WHERE status = 'on_sale' AND deleted_at IS NULL;

CREATE TABLE promotion_plans (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id            bigint NOT NULL REFERENCES shops (id),
  product_id         bigint NOT NULL REFERENCES products (id),
  name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
  daily_budget_cents bigint NOT NULL CHECK (daily_budget_cents BETWEEN 100 AND 100000000),
  starts_at          timestamptz NOT NULL,
  ends_at            timestamptz,
  paused             boolean NOT NULL DEFAULT false,
  impressions        bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks             bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  spend_cents        bigint NOT NULL DEFAULT 0 CHECK (spend_cents >= 0),
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
COMMENT ON TABLE promotion_plans IS 'a shop''s paid promotion of one product: keyword bids, a daily budget, a schedule; impressions, clicks (charged) and spend_cents are lifetime counts';
CREATE INDEX promotion_plans_shop ON promotion_plans (shop_id, id);

CREATE TABLE promotion_keywords (
  plan_id   bigint NOT NULL REFERENCES promotion_plans (id),
  word      text NOT NULL CHECK (char_length(word) BETWEEN 1 AND 30 AND word = lower(btrim(word))),
  bid_cents integer NOT NULL CHECK (bid_cents BETWEEN 10 AND 9900),
  PRIMARY KEY (plan_id, word)
);
COMMENT ON TABLE promotion_keywords IS 'a plan''s keywords, lower-cased, and the bid in fen it pays at most per click on a search of that word';
CREATE INDEX promotion_keywords_word ON promotion_keywords (word, plan_id);

-- A plan's day (MERCHANTD_TZ): the budget of the day, fixed when the day's
-- row is made and lowered (never below the spend) when the plan's budget
-- changes; the CHECK is the database's own guarantee that a day never
-- spends past it.
CREATE TABLE promotion_plan_days (
  plan_id      bigint NOT NULL REFERENCES promotion_plans (id),
  day          date NOT NULL,
  budget_cents bigint NOT NULL,
  impressions  bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks       bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  spend_cents  bigint NOT NULL DEFAULT 0 CHECK (spend_cents >= 0),
  PRIMARY KEY (plan_id, day),
  CONSTRAINT promotion_plan_days_budget CHECK (spend_cents <= budget_cents)
);
COMMENT ON TABLE promotion_plan_days IS 'a plan''s impressions, charged clicks and spend per day (MERCHANTD_TZ); spend never exceeds the day''s budget';

CREATE SEQUENCE promotion_impression_ids;
COMMENT ON SEQUENCE promotion_impression_ids IS 'ids of promoted impressions, signed into impression_id tokens';

-- One row per clicked impression: its primary key makes an impression
-- charge at most once.
CREATE TABLE promotion_clicks (
  impression_id bigint PRIMARY KEY,
  plan_id       bigint NOT NULL REFERENCES promotion_plans (id),
  shop_id       bigint NOT NULL REFERENCES shops (id),
  product_id    bigint NOT NULL REFERENCES products (id),
  visitor       text NOT NULL,
  buyer_id      bigint REFERENCES accounts (id),
  price_cents   integer NOT NULL CHECK (price_cents BETWEEN 1 AND 9900),
  charged       boolean NOT NULL,
  outcome       text NOT NULL CHECK (outcome IN ('charged', 'repeat_click', 'daily_click_cap',
                                                 'budget_exhausted', 'insufficient_funds',
                                                 'not_serving')),
  created_at    timestamptz NOT NULL,
  CHECK (charged = (outcome = 'charged'))
);
COMMENT ON TABLE promotion_clicks IS 'clicks of promoted impressions, at most one per impression; charged ones are billed by the ledger event promotion_click:<impression_id>';
CREATE INDEX promotion_clicks_plan ON promotion_clicks (plan_id, impression_id);
CREATE INDEX promotion_clicks_buyer ON promotion_clicks (buyer_id, product_id, created_at)
  WHERE buyer_id IS NOT NULL;

-- The click-fraud guard's state: per plan, day and visitor, the charged
-- clicks and the last charged one. The guarded upsert on this row is what
-- keeps concurrent clicks of one visitor within the limits.
CREATE TABLE promotion_visitor_days (
  plan_id         bigint NOT NULL REFERENCES promotion_plans (id),
  day             date NOT NULL,
  visitor         text NOT NULL,
  charged         integer NOT NULL CHECK (charged >= 0),
  last_charged_at timestamptz NOT NULL,
  PRIMARY KEY (plan_id, day, visitor)
);
COMMENT ON TABLE promotion_visitor_days IS 'charged clicks per plan, day (MERCHANTD_TZ) and visitor (a:<buyer> or v:<visitor_id>), for the click-fraud guard';

-- The signing key of impression tokens (crypto_auth, 32 bytes), one for
-- every server of the platform, made by the first server that needs it.
CREATE TABLE promotion_keys (
  id         smallint PRIMARY KEY CHECK (id = 1),
  secret     bytea NOT NULL CHECK (octet_length(secret) = 32),
  created_at timestamptz NOT NULL
);
COMMENT ON TABLE promotion_keys IS 'the key impression_id tokens are signed with (libsodium crypto_auth); one row';

-- Attribution: an order of a clicked product by the buyer who clicked it,
-- within 7 days of the click, belongs to the plan of the buyer's last click
-- of that product (one plan per order). Made as the order's lines are
-- inserted (promotion_attribute, db/sql).
CREATE TABLE promotion_attributions (
  order_id      bigint PRIMARY KEY REFERENCES orders (id),
  plan_id       bigint NOT NULL REFERENCES promotion_plans (id),
  shop_id       bigint NOT NULL REFERENCES shops (id),
  product_id    bigint NOT NULL REFERENCES products (id),
  buyer_id      bigint NOT NULL REFERENCES accounts (id),
  impression_id bigint NOT NULL REFERENCES promotion_clicks (impression_id),
  clicked_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL
);
COMMENT ON TABLE promotion_attributions IS 'orders attributed to a promotion plan: the buyer''s last click of an ordered product within 7 days before the order';
CREATE INDEX promotion_attributions_plan ON promotion_attributions (plan_id, created_at);

CREATE FUNCTION promotion_attribute() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'promotion_attribute: a stub, db/sql/promotion_attribute.sql defines it'; END$$;
CREATE TRIGGER order_items_promotion_attribute AFTER INSERT ON order_items
  FOR EACH ROW EXECUTE FUNCTION promotion_attribute();

-- The ledger: a charged click moves its price from the shop's promotion
-- account to platform revenue (the fee_revenue shard of the shop).
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_kind_check;
ALTER TABLE ledger_transfers ADD CONSTRAINT ledger_transfers_kind_check
  CHECK (kind IN ('payment', 'platform_discount', 'settlement', 'service_fee', 'fee_return',
                  'debt_repayment', 'refund', 'clawback', 'withdrawal', 'withdrawal_returned',
                  'topup', 'adjustment', 'promotion_click')) NOT VALID;
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_cause_check;
ALTER TABLE ledger_transfers ADD CONSTRAINT ledger_transfers_cause_check
  CHECK (cause IN ('order', 'after_sale', 'review_close', 'withdrawal', 'topup', 'adjustment',
                   'promotion_click')) NOT VALID;
ALTER TABLE ledger_transfers VALIDATE CONSTRAINT ledger_transfers_kind_check;
ALTER TABLE ledger_transfers VALIDATE CONSTRAINT ledger_transfers_cause_check;
