-- The live room (docs/live.md): each live session of a shop is a room with
-- an id that buyers join; the merchant sees how many are in it, pushes a
-- live coupon to them over the event stream and hands out red packets whose
-- grabs become shop vouchers (per-grab coupons of channel 'red_packet').
--
-- Lock order, the same on every path: the shop's row, the room's row, a
-- grab's (packet, buyer) advisory lock and red packet slot, then rows
-- inserted (coupons, buyer coupons, events).

CREATE TABLE live_rooms (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id           bigint NOT NULL REFERENCES shops (id),
  started_at        timestamptz NOT NULL,
  ended_at          timestamptz,
  pushed_coupon_id  bigint,
  pushed_at         timestamptz,
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  CHECK ((pushed_coupon_id IS NULL) = (pushed_at IS NULL)),
  FOREIGN KEY (pushed_coupon_id, shop_id) REFERENCES coupons (id, shop_id)
);
COMMENT ON TABLE live_rooms IS 'one row per live session of a shop (live/start to live/stop); the open one has ended_at NULL';
COMMENT ON COLUMN live_rooms.pushed_coupon_id IS 'the live coupon last pushed to the room (live.coupon); a buyer who joins later gets it in the join reply';
CREATE UNIQUE INDEX live_rooms_one_open ON live_rooms (shop_id) WHERE ended_at IS NULL;
CREATE INDEX live_rooms_shop ON live_rooms (shop_id, id);

-- Presence: a buyer is in a room while seen_at (the last join, which is
-- also the heartbeat) is younger than the presence window. One row per
-- buyer whatever the number of devices.
CREATE TABLE live_viewers (
  live_id   bigint NOT NULL REFERENCES live_rooms (id),
  buyer_id  bigint NOT NULL REFERENCES accounts (id),
  joined_at timestamptz NOT NULL,
  seen_at   timestamptz NOT NULL,
  PRIMARY KEY (live_id, buyer_id),
  CHECK (joined_at <= seen_at)
);
COMMENT ON TABLE live_viewers IS 'buyers in a live room; present while seen_at is within the presence window (live_presence_seconds), purged by the purge_live_viewers job';
CREATE INDEX live_viewers_seen ON live_viewers (live_id, seen_at);

-- A per-grab voucher is a coupon of its own (its discount is the amount
-- grabbed), so checkout uses it like any shop coupon.
ALTER TABLE coupons DROP CONSTRAINT coupons_channel_check;
ALTER TABLE coupons ADD CONSTRAINT coupons_channel_check
  CHECK (channel IN ('normal', 'live', 'red_packet'));
COMMENT ON COLUMN coupons.channel IS 'live: claimable only while the shop is live (shops.live_since); red_packet: the voucher of one red packet grab, never claimable';

CREATE TABLE red_packets (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  live_id         bigint NOT NULL REFERENCES live_rooms (id),
  shop_id         bigint NOT NULL REFERENCES shops (id),
  kind            text NOT NULL CHECK (kind IN ('lucky', 'equal')),
  total_cents     bigint NOT NULL CHECK (total_cents BETWEEN 1 AND 20000000),
  count           integer NOT NULL CHECK (count BETWEEN 1 AND 10000),
  valid_days      integer NOT NULL CHECK (valid_days BETWEEN 1 AND 365),
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  expired_at      timestamptz,
  unclaimed_cents bigint CHECK (unclaimed_cents BETWEEN 0 AND total_cents),
  CHECK (total_cents >= count),
  CHECK (created_at < expires_at),
  CHECK ((expired_at IS NULL) = (unclaimed_cents IS NULL))
);
COMMENT ON TABLE red_packets IS 'live-room red packets: count grabs sharing total_cents exactly (the slots), each at least 1 fen; unclaimed_cents is recorded when the expire_red_packets job closes one';
CREATE INDEX red_packets_live ON red_packets (live_id, id);
CREATE INDEX red_packets_open ON red_packets (expires_at) WHERE expired_at IS NULL;

-- A packet is split when it is handed out: one slot per grab, whose
-- amounts add up to total_cents. A grab takes a free slot (FOR UPDATE SKIP
-- LOCKED: concurrent grabs take different slots, no row is hot) and
-- records the buyer and the voucher it issued on it.
CREATE TABLE red_packet_slots (
  red_packet_id   bigint NOT NULL REFERENCES red_packets (id),
  seq             integer NOT NULL CHECK (seq >= 1),
  amount_cents    bigint NOT NULL CHECK (amount_cents >= 1),
  buyer_id        bigint REFERENCES accounts (id),
  buyer_coupon_id bigint UNIQUE REFERENCES buyer_coupons (id),
  grabbed_at      timestamptz,
  PRIMARY KEY (red_packet_id, seq),
  CHECK ((buyer_id IS NULL) = (buyer_coupon_id IS NULL)),
  CHECK ((buyer_id IS NULL) = (grabbed_at IS NULL))
);
COMMENT ON TABLE red_packet_slots IS 'the grabs of a red packet, split when it is handed out; buyer_id NULL: not grabbed yet';
CREATE UNIQUE INDEX red_packet_slots_one_per_buyer ON red_packet_slots (red_packet_id, buyer_id)
  WHERE buyer_id IS NOT NULL;
CREATE INDEX red_packet_slots_free ON red_packet_slots (red_packet_id, seq) WHERE buyer_id IS NULL;
