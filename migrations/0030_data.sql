-- Data (数据): visitor events and the rollups the data pages read.
--
-- Views arrive from buyers' apps and are kept append-only in daily
-- partitions (dropped after MERCHANTD_VIEWS_RETENTION_DAYS). Every other
-- figure comes from rows that already exist: orders, refunds, messages,
-- buyer coupons. A worker (stats_fold) folds what changed into the rollup
-- tables below, behind a safe watermark: each source row names the
-- transaction that wrote it (fold_xid, or orders.change_xid), and a fold
-- takes the rows of transactions below its snapshot's xmin that the last
-- fold had not taken, so a transaction that commits late is folded by the
-- next fold, never skipped. Definitions: docs/data.md.

CREATE TABLE page_views (
  shop_id    bigint NOT NULL,
  product_id bigint,
  visitor    text NOT NULL CHECK (visitor ~ '^(a:[0-9]{1,19}|v:[A-Za-z0-9_-]{8,64})$'),
  source     text NOT NULL DEFAULT '' CHECK (source ~ '^[a-z0-9_]{0,32}$'),
  minute     timestamptz NOT NULL,
  at         timestamptz NOT NULL,
  fold_xid   xid8 NOT NULL DEFAULT pg_current_xact_id(),
  CHECK (minute = date_trunc('minute', at)),
  UNIQUE NULLS NOT DISTINCT (visitor, shop_id, product_id, minute)
) PARTITION BY RANGE (minute);
COMMENT ON TABLE page_views IS 'product and shop views reported by buyers'' apps, one per visitor, product (NULL: the shop page) and minute; daily partitions page_views_YYYYMMDD in MERCHANTD_TZ days';
COMMENT ON COLUMN page_views.visitor IS 'a:<account id> for a signed-in buyer, v:<client id> for an anonymous visitor';
CREATE INDEX page_views_fold ON page_views (fold_xid);

-- The source rows the worker folds by the transaction that wrote them.
-- Rows written before this migration read 0 (a constant default, so the
-- tables are not rewritten); the first fold rebuilds everything from the
-- raw rows (stats_fold_state.folded_to is NULL), and new rows get their
-- transaction from the column default, not from a trigger.
ALTER TABLE messages ADD COLUMN fold_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE messages ALTER COLUMN fold_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX messages_fold ON messages (fold_xid);
ALTER TABLE refunds ADD COLUMN fold_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE refunds ALTER COLUMN fold_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX refunds_fold ON refunds (fold_xid);
ALTER TABLE buyer_coupons ADD COLUMN fold_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE buyer_coupons ALTER COLUMN fold_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX buyer_coupons_fold ON buyer_coupons (fold_xid);
CREATE INDEX orders_change_xid ON orders (change_xid);

CREATE TABLE stats_fold_state (
  one       boolean PRIMARY KEY DEFAULT true CHECK (one),
  folded_to xid8,
  as_of     timestamptz,
  folded_at timestamptz
);
COMMENT ON TABLE stats_fold_state IS 'the rollup worker''s watermark: every source row of a transaction below folded_to is in the rollups; as_of is the instant the figures are complete to';
INSERT INTO stats_fold_state DEFAULT VALUES;

-- A shop's figures per minute (kept eight days: "yesterday and last week
-- at the same time"), hour and local day. Sums and counts only; buyers, uv
-- and cs_buyers count each one in the bucket of their first time that day.
CREATE TABLE stats_shop (
  shop_id               bigint NOT NULL REFERENCES shops (id),
  grain                 "char" NOT NULL CHECK (grain IN ('m', 'h', 'd')),
  at                    timestamptz NOT NULL,
  gmv_cents             bigint NOT NULL DEFAULT 0,
  orders                bigint NOT NULL DEFAULT 0,
  buyers                bigint NOT NULL DEFAULT 0,
  pv                    bigint NOT NULL DEFAULT 0,
  uv                    bigint NOT NULL DEFAULT 0,
  refund_cents          bigint NOT NULL DEFAULT 0,
  refunds               bigint NOT NULL DEFAULT 0,
  shipped               bigint NOT NULL DEFAULT 0,
  ship_secs             bigint NOT NULL DEFAULT 0,
  shipped_24h           bigint NOT NULL DEFAULT 0,
  shipped_48h           bigint NOT NULL DEFAULT 0,
  cs_buyers             bigint NOT NULL DEFAULT 0,
  cs_converted          bigint NOT NULL DEFAULT 0,
  cs_rounds             bigint NOT NULL DEFAULT 0,
  cs_rounds_3min        bigint NOT NULL DEFAULT 0,
  cs_response_secs      bigint NOT NULL DEFAULT 0,
  coupon_claims         bigint NOT NULL DEFAULT 0,
  coupon_orders         bigint NOT NULL DEFAULT 0,
  coupon_gmv_cents      bigint NOT NULL DEFAULT 0,
  coupon_discount_cents bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, grain, at)
);
COMMENT ON TABLE stats_shop IS 'a shop''s figures per minute (m, kept 8 days), hour (h) and MERCHANTD_TZ day (d), at = the bucket''s start; see docs/data.md';

CREATE TABLE stats_product (
  product_id bigint NOT NULL REFERENCES products (id),
  shop_id    bigint NOT NULL REFERENCES shops (id),
  day        date NOT NULL,
  gmv_cents  bigint NOT NULL DEFAULT 0,
  units      bigint NOT NULL DEFAULT 0,
  orders     bigint NOT NULL DEFAULT 0,
  buyers     bigint NOT NULL DEFAULT 0,
  pv         bigint NOT NULL DEFAULT 0,
  uv         bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, day)
);
COMMENT ON TABLE stats_product IS 'a product''s figures per day: gmv_cents is its lines'' amount (price x quantity) on orders paid that day';
CREATE INDEX stats_product_shop ON stats_product (shop_id, day);

CREATE TABLE stats_coupon (
  coupon_id      bigint NOT NULL REFERENCES coupons (id),
  shop_id        bigint NOT NULL REFERENCES shops (id),
  day            date NOT NULL,
  claims         bigint NOT NULL DEFAULT 0,
  orders         bigint NOT NULL DEFAULT 0,
  gmv_cents      bigint NOT NULL DEFAULT 0,
  discount_cents bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (coupon_id, day)
);
COMMENT ON TABLE stats_coupon IS 'a coupon''s claims (by claim day) and the orders paid with it (by payment day)';
CREATE INDEX stats_coupon_shop ON stats_coupon (shop_id, day);

CREATE TABLE stats_carrier (
  shop_id       bigint NOT NULL REFERENCES shops (id),
  carrier       text NOT NULL REFERENCES carriers (code),
  day           date NOT NULL,
  shipped       bigint NOT NULL DEFAULT 0,
  ship_secs     bigint NOT NULL DEFAULT 0,
  completed     bigint NOT NULL DEFAULT 0,
  transit_secs  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (shop_id, carrier, day)
);
COMMENT ON TABLE stats_carrier IS 'per shop and carrier: orders shipped that day (and their paid-to-shipped seconds), orders completed that day (and their shipped-to-completed seconds)';

-- Exact distinct counts: who was counted on a day, and when first.
CREATE TABLE stats_shop_buyers (
  shop_id  bigint NOT NULL,
  day      date NOT NULL,
  buyer_id bigint NOT NULL,
  first_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, day, buyer_id)
);
CREATE TABLE stats_shop_visitors (
  shop_id  bigint NOT NULL,
  day      date NOT NULL,
  visitor  text NOT NULL,
  first_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, day, visitor)
);
CREATE TABLE stats_product_buyers (
  product_id bigint NOT NULL,
  day        date NOT NULL,
  buyer_id   bigint NOT NULL,
  PRIMARY KEY (product_id, day, buyer_id)
);
CREATE TABLE stats_product_visitors (
  product_id bigint NOT NULL,
  day        date NOT NULL,
  visitor    text NOT NULL,
  PRIMARY KEY (product_id, day, visitor)
);
COMMENT ON TABLE stats_shop_buyers IS 'buyers who paid at the shop on a day, with their first payment: exact distinct buyers over any window';
COMMENT ON TABLE stats_shop_visitors IS 'visitors of the shop on a day, with their first view: exact distinct visitors over any window';

-- Customer service: who wrote on a day (and whether they paid within 24 h
-- of writing), and each conversation's rounds as last computed.
CREATE TABLE stats_cs_writers (
  shop_id   bigint NOT NULL,
  day       date NOT NULL,
  buyer_id  bigint NOT NULL,
  first_at  timestamptz NOT NULL,
  last_at   timestamptz NOT NULL,
  converted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (shop_id, day, buyer_id)
);
COMMENT ON TABLE stats_cs_writers IS 'buyers who wrote to the shop on a day: first and last message, and whether they paid between the first and 24 h after the last';
CREATE INDEX stats_cs_writers_open ON stats_cs_writers (shop_id, buyer_id, last_at) WHERE NOT converted;

CREATE TABLE stats_cs_rounds (
  conversation_id bigint NOT NULL,
  message_id      bigint NOT NULL,
  started_at      timestamptz NOT NULL,
  shop_id         bigint NOT NULL,
  response_secs   integer NOT NULL CHECK (response_secs BETWEEN 0 AND 600),
  PRIMARY KEY (conversation_id, message_id)
);
COMMENT ON TABLE stats_cs_rounds IS 'final rounds (buyer message to first human reply, capped at 600 s) that count, as folded into stats_shop; message_id is the buyer message that opened the round';
CREATE INDEX stats_cs_rounds_started ON stats_cs_rounds (conversation_id, started_at);

CREATE TABLE stats_cs_due (
  conversation_id bigint NOT NULL,
  day             date NOT NULL,
  due_at          timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, day)
);
COMMENT ON TABLE stats_cs_due IS 'conversation days with a round still open: looked at again when its 600 s have passed';
CREATE INDEX stats_cs_due_at ON stats_cs_due (due_at);

CREATE TABLE stats_order_marks (
  order_id bigint PRIMARY KEY,
  marks    smallint NOT NULL CHECK (marks BETWEEN 0 AND 7)
);
COMMENT ON TABLE stats_order_marks IS 'what of an order is in the rollups: 1 paid, 2 shipped, 4 completed; a fold adds what the order has and its marks lack';
