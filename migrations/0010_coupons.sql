-- Coupons: a shop's coupons (for the whole shop or one product), claimed by
-- buyers into coupons of their own, and used on an order at most once.
-- The counts that must never drift (claimed, used, and each buyer's claims)
-- are columns changed only by conditional UPDATEs under the coupon's row
-- lock, with CHECKs that make over-issuing impossible whatever the code.

CREATE TABLE coupons (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id         bigint NOT NULL REFERENCES shops (id),
  kind            text NOT NULL CHECK (kind IN ('shop', 'product')),
  product_id      bigint REFERENCES products (id),
  title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
  discount_cents  bigint NOT NULL CHECK (discount_cents > 0),
  min_order_cents bigint NOT NULL DEFAULT 0 CHECK (min_order_cents >= 0),
  total_quantity  integer NOT NULL CHECK (total_quantity BETWEEN 1 AND 1000000),
  claimed         integer NOT NULL DEFAULT 0,
  used            integer NOT NULL DEFAULT 0,
  per_buyer_limit integer NOT NULL CHECK (per_buyer_limit BETWEEN 1 AND 100),
  claim_start     timestamptz NOT NULL,
  claim_end       timestamptz NOT NULL,
  valid_days      integer CHECK (valid_days BETWEEN 1 AND 365),
  valid_from      timestamptz,
  valid_to        timestamptz,
  channel         text NOT NULL CHECK (channel IN ('normal', 'live')),
  stopped_at      timestamptz,
  created_at      timestamptz NOT NULL,
  CHECK ((kind = 'product') = (product_id IS NOT NULL)),
  CHECK (min_order_cents = 0 OR discount_cents < min_order_cents),
  CHECK (claim_start < claim_end),
  CHECK ((valid_days IS NULL) = (valid_from IS NOT NULL AND valid_to IS NOT NULL)),
  CHECK (valid_from < valid_to),
  CHECK (claimed BETWEEN 0 AND total_quantity),
  CHECK (used BETWEEN 0 AND claimed)
);
COMMENT ON TABLE coupons IS 'a shop''s coupons; claimed and used count buyer coupons and never pass total_quantity (remaining = total_quantity - claimed)';
COMMENT ON COLUMN coupons.valid_days IS 'a claimed coupon is valid this many days from its claim; else from valid_from to valid_to';
COMMENT ON COLUMN coupons.channel IS 'live: claimable only while the shop is live (shops.live_since)';
CREATE INDEX coupons_shop ON coupons (shop_id, id);

-- A buyer's coupon: one claim of a shop coupon, with its own validity.
CREATE TABLE buyer_coupons (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  coupon_id     bigint NOT NULL REFERENCES coupons (id),
  buyer_id      bigint NOT NULL REFERENCES accounts (id),
  shop_id       bigint NOT NULL REFERENCES shops (id),
  valid_from    timestamptz NOT NULL,
  valid_to      timestamptz NOT NULL,
  claimed_at    timestamptz NOT NULL,
  used_order_id bigint REFERENCES orders (id),
  used_at       timestamptz,
  CHECK (valid_from < valid_to),
  CHECK ((used_order_id IS NULL) = (used_at IS NULL))
);
COMMENT ON TABLE buyer_coupons IS 'coupons buyers claimed; used_order_id is the order that used it (NULL again if that order closed unpaid or by review while the coupon is still valid)';
CREATE INDEX buyer_coupons_buyer ON buyer_coupons (buyer_id, id);
CREATE INDEX buyer_coupons_coupon_buyer ON buyer_coupons (coupon_id, buyer_id);
CREATE UNIQUE INDEX buyer_coupons_order ON buyer_coupons (used_order_id) WHERE used_order_id IS NOT NULL;

-- Each buyer's claims of a coupon, the per-buyer limit's counter: one row
-- per coupon and buyer, raised by a conditional upsert.
CREATE TABLE coupon_buyer_claims (
  coupon_id bigint NOT NULL REFERENCES coupons (id),
  buyer_id  bigint NOT NULL REFERENCES accounts (id),
  n         integer NOT NULL CHECK (n >= 0),
  PRIMARY KEY (coupon_id, buyer_id)
);

-- A shop is live from live_since until the live session stops (NULL).
ALTER TABLE shops ADD COLUMN live_since timestamptz;

-- The coupon an order used (a buyer coupon), and its discount in
-- orders.discount_cents.
ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES buyer_coupons (id);
