-- Shops, products and SKUs, orders with their line items, after-sales and
-- refunds, carriers, idempotency keys. Functions below hold every rule that
-- spans statements, so that no race can break it whatever the C code does.

CREATE TABLE shops (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id bigint NOT NULL REFERENCES accounts (id),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
COMMENT ON TABLE shops IS 'a merchant''s shops; opening one is free and instant';
CREATE INDEX shops_merchant ON shops (merchant_id, id);

CREATE TABLE products (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id     bigint NOT NULL REFERENCES shops (id),
  title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  images      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(images) <= 20),
  status      text NOT NULL CHECK (status IN ('on_sale', 'off_sale')),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  deleted_at  timestamptz
);
COMMENT ON TABLE products IS 'products; deleting one only marks it, since orders keep pointing at it';
CREATE INDEX products_shop ON products (shop_id, id) WHERE deleted_at IS NULL;

CREATE TABLE skus (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id  bigint NOT NULL REFERENCES products (id),
  shop_id     bigint NOT NULL REFERENCES shops (id),
  spec        text NOT NULL CHECK (char_length(spec) BETWEEN 1 AND 60),
  price_cents bigint NOT NULL CHECK (price_cents BETWEEN 1 AND 100000000),
  stock       integer NOT NULL CHECK (stock BETWEEN 0 AND 10000000),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
COMMENT ON TABLE skus IS 'sellable variants of a product; stock can never go below zero';
CREATE INDEX skus_product ON skus (product_id, id);

-- Adds a SKU to a live product of the merchant's shop ('not_found' else). A
-- product has at most 50 SKUs ('invalid_state' past that): the product row
-- is locked before counting, so concurrent adds count each other. NO KEY
-- UPDATE does not block the key-share locks of orders referencing it.
CREATE FUNCTION sku_add(p_merchant bigint, p_shop bigint, p_product bigint, p_spec text,
                        p_price bigint, p_stock integer, p_now timestamptz)
RETURNS TABLE (result text, sku_id bigint) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM products p JOIN shops s ON s.id = p.shop_id
   WHERE p.id = p_product AND p.shop_id = p_shop AND p.deleted_at IS NULL
     AND s.merchant_id = p_merchant
     FOR NO KEY UPDATE OF p;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
  ELSIF (SELECT count(*) FROM skus k WHERE k.product_id = p_product) >= 50 THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
  ELSE
    INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
    VALUES (p_product, p_shop, p_spec, p_price, p_stock, p_now, p_now)
    RETURNING id INTO sku_id;
    result := 'ok';
    RETURN NEXT;
  END IF;
END
$$;

CREATE TABLE carriers (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{2,20}$'),
  name text NOT NULL
);
COMMENT ON TABLE carriers IS 'logistics companies a merchant may ship with';
INSERT INTO carriers (code, name) VALUES
  ('sf', '顺丰速运'), ('zto', '中通快递'), ('yto', '圆通速递'), ('sto', '申通快递'),
  ('yunda', '韵达快递'), ('jd', '京东物流'), ('ems', '中国邮政EMS'), ('jtexpress', '极兔速递'),
  ('deppon', '德邦快递'), ('best', '百世快递');

CREATE SEQUENCE order_sn_seq;

CREATE TABLE orders (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_sn         text NOT NULL UNIQUE,
  shop_id          bigint NOT NULL REFERENCES shops (id),
  merchant_id      bigint NOT NULL REFERENCES accounts (id),
  buyer_id         bigint NOT NULL REFERENCES accounts (id),
  buyer_name       text NOT NULL,
  status           text NOT NULL CHECK (status IN ('unpaid', 'paid', 'shipped', 'completed', 'closed')),
  items_cents      bigint NOT NULL CHECK (items_cents > 0),
  discount_cents   bigint NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
  total_cents      bigint NOT NULL CHECK (total_cents = items_cents - discount_cents AND total_cents >= 0),
  paid_cents       bigint NOT NULL DEFAULT 0 CHECK (paid_cents IN (0, total_cents)),
  refunded_cents   bigint NOT NULL DEFAULT 0 CHECK (refunded_cents BETWEEN 0 AND paid_cents),
  addr_name        text NOT NULL,
  addr_phone       text NOT NULL,
  addr_province    text NOT NULL,
  addr_city        text NOT NULL,
  addr_district    text NOT NULL,
  addr_detail      text NOT NULL,
  note             text NOT NULL DEFAULT '',
  merchant_note    text NOT NULL DEFAULT '' CHECK (char_length(merchant_note) <= 500),
  flag             smallint NOT NULL DEFAULT 0 CHECK (flag BETWEEN 0 AND 5),
  carrier          text REFERENCES carriers (code),
  tracking_no      text CHECK (tracking_no ~ '^[A-Za-z0-9-]{6,40}$'),
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  paid_at          timestamptz,
  grouped_at       timestamptz,
  shipped_at       timestamptz,
  completed_at     timestamptz,
  closed_at        timestamptz,
  close_reason     text CHECK (close_reason IN ('cancelled', 'expired', 'refunded')),
  items            jsonb NOT NULL,
  after_sales_open boolean NOT NULL DEFAULT false,
  change_seq       bigint NOT NULL,
  change_xid       xid8 NOT NULL,
  CHECK ((status = 'unpaid') = (paid_at IS NULL) OR status = 'closed'),
  CHECK ((status IN ('shipped', 'completed')) <= (carrier IS NOT NULL AND shipped_at IS NOT NULL)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL AND close_reason IS NOT NULL))
);
COMMENT ON TABLE orders IS 'buyers'' orders; status moves only along unpaid > paid > shipped > completed, or to closed (see order_status_guard)';
COMMENT ON COLUMN orders.merchant_id IS 'the shop''s owner (shops never change hands), so that reading an order authorises without reading the shop';
COMMENT ON COLUMN orders.items IS 'the lines as ordered, the same as order_items: read with the order without a join';
COMMENT ON COLUMN orders.change_seq IS 'position in the ERP change feed, renewed by every change: change_xid << 20 plus a count within the transaction';
COMMENT ON COLUMN orders.change_xid IS 'transaction of the last change: the feed holds back changes of transactions that may still commit';
CREATE INDEX orders_shop_created ON orders (shop_id, created_at, id);
CREATE INDEX orders_shop_status_created ON orders (shop_id, status, created_at, id);
CREATE INDEX orders_shop_status_paid ON orders (shop_id, status, paid_at, id);
CREATE INDEX orders_shop_paid ON orders (shop_id, paid_at, id);
CREATE INDEX orders_shop_after_sales ON orders (shop_id, created_at, id) WHERE after_sales_open;
CREATE INDEX orders_shop_change ON orders (shop_id, change_seq);
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE INDEX orders_unpaid_expiry ON orders (expires_at) WHERE status = 'unpaid';
CREATE INDEX orders_shipped ON orders (shipped_at) WHERE status = 'shipped';
-- text_pattern_ops: a buyer name prefix is a byte range whatever the collation.
CREATE INDEX orders_shop_buyer_name ON orders (shop_id, buyer_name text_pattern_ops);

CREATE TABLE order_items (
  order_id    bigint NOT NULL REFERENCES orders (id),
  line        smallint NOT NULL CHECK (line BETWEEN 1 AND 50),
  sku_id      bigint NOT NULL REFERENCES skus (id),
  product_id  bigint NOT NULL REFERENCES products (id),
  title       text NOT NULL,
  spec        text NOT NULL,
  image       text,
  price_cents bigint NOT NULL CHECK (price_cents > 0),
  quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
  PRIMARY KEY (order_id, line)
);
COMMENT ON TABLE order_items IS 'order lines with the title, spec and price as they were when ordered';

CREATE TABLE shop_order_counts (
  shop_id bigint NOT NULL REFERENCES shops (id),
  tab     text NOT NULL CHECK (tab IN ('unpaid', 'paid', 'shipped', 'completed', 'closed', 'after_sales')),
  n       bigint NOT NULL CHECK (n >= 0),
  PRIMARY KEY (shop_id, tab)
);
COMMENT ON TABLE shop_order_counts IS 'orders per status tab and shop, kept by trigger so counts cost one index read';

CREATE TABLE after_sales (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id     bigint NOT NULL REFERENCES orders (id),
  shop_id      bigint NOT NULL REFERENCES shops (id),
  buyer_id     bigint NOT NULL REFERENCES accounts (id),
  type         text NOT NULL CHECK (type IN ('refund_only', 'return_refund', 'reship')),
  reason       text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  status       text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'refunded', 'reshipped')),
  reject_reason text,
  carrier      text REFERENCES carriers (code),
  tracking_no  text CHECK (tracking_no ~ '^[A-Za-z0-9-]{6,40}$'),
  created_at   timestamptz NOT NULL,
  decided_at   timestamptz,
  reshipped_at timestamptz,
  CHECK ((type = 'reship') = (amount_cents = 0))
);
COMMENT ON TABLE after_sales IS 'buyers'' after-sales requests and the merchant''s decisions';
-- One open request per order at a time.
CREATE UNIQUE INDEX after_sales_one_open ON after_sales (order_id)
  WHERE status IN ('requested', 'approved');
CREATE INDEX after_sales_shop ON after_sales (shop_id, id);
-- The merchant's tabs (requested, approved...): a page filtered by status.
CREATE INDEX after_sales_shop_status ON after_sales (shop_id, status, id);

CREATE TABLE refunds (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id      bigint NOT NULL REFERENCES orders (id),
  after_sale_id bigint REFERENCES after_sales (id),
  amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
  reason        text NOT NULL,
  created_at    timestamptz NOT NULL
);
COMMENT ON TABLE refunds IS 'money returned to buyers; append-only, its sum per order is orders.refunded_cents';
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE idempotency_keys (
  account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key           text NOT NULL,
  request_hash  bytea NOT NULL,
  status        integer,
  content_type  text,
  body          text,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (account_id, key)
);
COMMENT ON TABLE idempotency_keys IS 'replies to writes sent with an Idempotency-Key; status is NULL while the first request runs';
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Status transitions, the change feed and the per-tab counters, for every
-- write whatever its origin.
CREATE FUNCTION order_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_n integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'unpaid' THEN
      RAISE EXCEPTION 'a new order must be unpaid' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'unpaid' AND NEW.status IN ('paid', 'closed'))
    OR (OLD.status = 'paid' AND NEW.status IN ('shipped', 'closed'))
    OR (OLD.status = 'shipped' AND NEW.status IN ('completed', 'closed'))
    OR (OLD.status = 'completed' AND NEW.status = 'closed' AND NEW.close_reason = 'refunded')) THEN
    RAISE EXCEPTION 'order % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  -- The feed position follows the transaction id, so that a change the ERP
  -- feed hands out (change_xid below its snapshot's xmin) sorts before every
  -- change still to commit. A sequence drawn here could not promise that: a
  -- transaction that got its id early (a lock at its start) draws late, and
  -- a newer transaction still running can hold a smaller number. The low 20
  -- bits count the changes of the transaction: seqs stay unique and grow.
  v_n := coalesce(nullif(current_setting('merchantd.order_changes', true), ''), '0')::integer;
  IF v_n >= 1048576 THEN
    RAISE EXCEPTION 'too many order changes in one transaction'
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  PERFORM set_config('merchantd.order_changes', (v_n + 1)::text, true);
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := (NEW.change_xid::text::bigint << 20) | v_n;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_status_guard BEFORE INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION order_status_guard();

CREATE FUNCTION order_count(p_shop bigint, p_tab text, p_delta integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO shop_order_counts AS c (shop_id, tab, n) VALUES (p_shop, p_tab, greatest(p_delta, 0))
  ON CONFLICT (shop_id, tab) DO UPDATE SET n = c.n + p_delta
$$;

CREATE FUNCTION order_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM order_count(NEW.shop_id, NEW.status, 1);
    RETURN NULL;
  END IF;
  IF NEW.status <> OLD.status THEN
    PERFORM order_count(OLD.shop_id, OLD.status, -1);
    PERFORM order_count(NEW.shop_id, NEW.status, 1);
  END IF;
  IF NEW.after_sales_open <> OLD.after_sales_open THEN
    PERFORM order_count(NEW.shop_id, 'after_sales', CASE WHEN NEW.after_sales_open THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER orders_counts AFTER INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION order_counts_keep();

-- Operations. Each returns a result code: 'ok' or the problem code the API
-- answers with (see server/problem.c), never raising for a business rule.

-- Returns the stock of an order's lines to their SKUs. SKU rows are locked
-- in id order, as order_create does, so the two never deadlock.
CREATE FUNCTION order_release_stock(p_order bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM skus WHERE id IN (SELECT sku_id FROM order_items WHERE order_id = p_order)
   ORDER BY id FOR UPDATE;
  UPDATE skus s SET stock = s.stock + i.quantity
    FROM order_items i WHERE i.order_id = p_order AND s.id = i.sku_id;
END
$$;

-- Places an order: locks the SKUs, checks shop, sale status and stock,
-- reserves the stock and writes the order with price snapshots.
-- p_items: [{"sku_id": n, "quantity": n}] with distinct sku ids.
CREATE FUNCTION order_create(p_buyer bigint, p_shop bigint, p_items jsonb, p_addr jsonb, p_note text,
                             p_now timestamptz, p_expires timestamptz)
RETURNS TABLE (result text, order_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_items bigint := 0;
  v_lines jsonb;
  v_id    bigint;
  r       record;
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  PERFORM 1 FROM skus WHERE id IN (SELECT (e ->> 'sku_id')::bigint FROM jsonb_array_elements(p_items) e)
   ORDER BY id FOR UPDATE;
  FOR r IN SELECT i.sku_id, i.quantity, s.id AS found, s.shop_id, s.stock, s.price_cents,
                  p.status, p.deleted_at
             FROM jsonb_to_recordset(p_items) AS i (sku_id bigint, quantity integer)
             LEFT JOIN skus s ON s.id = i.sku_id
             LEFT JOIN products p ON p.id = s.product_id LOOP
    IF r.found IS NULL OR r.shop_id <> p_shop THEN
      RETURN QUERY SELECT 'not_found', r.sku_id;
      RETURN;
    END IF;
    IF r.status <> 'on_sale' OR r.deleted_at IS NOT NULL THEN
      RETURN QUERY SELECT 'product_unavailable', r.sku_id;
      RETURN;
    END IF;
    IF r.stock < r.quantity THEN
      RETURN QUERY SELECT 'out_of_stock', r.sku_id;
      RETURN;
    END IF;
    v_items := v_items + r.price_cents * r.quantity;
  END LOOP;

  SELECT jsonb_agg(jsonb_build_object('line', e.n, 'sku_id', s.id, 'product_id', p.id,
                           'title', p.title, 'spec', s.spec, 'image', p.images[1],
                           'price_cents', s.price_cents,
                           'quantity', (e.item ->> 'quantity')::integer) ORDER BY e.n)
    INTO v_lines
    FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
    JOIN skus s ON s.id = (e.item ->> 'sku_id')::bigint JOIN products p ON p.id = s.product_id;

  INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                      total_cents, addr_name, addr_phone, addr_province, addr_city, addr_district,
                      addr_detail, note, created_at, expires_at, items, change_seq, change_xid)
  SELECT to_char(p_now AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-'
           || lpad(nextval('order_sn_seq')::text, 10, '0'),
         p_shop, (SELECT merchant_id FROM shops WHERE id = p_shop), p_buyer, a.display_name,
         'unpaid', v_items, v_items,
         p_addr ->> 'name', p_addr ->> 'phone', p_addr ->> 'province', p_addr ->> 'city',
         p_addr ->> 'district', p_addr ->> 'detail', coalesce(p_note, ''), p_now, p_expires,
         v_lines, 0, '0'
    FROM accounts a WHERE a.id = p_buyer
  RETURNING id INTO v_id;

  INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
  SELECT v_id, l.line, l.sku_id, l.product_id, l.title, l.spec, l.image, l.price_cents, l.quantity
    FROM jsonb_to_recordset(v_lines) AS l (line smallint, sku_id bigint, product_id bigint, title text,
                                           spec text, image text, price_cents bigint, quantity integer);
  UPDATE skus s SET stock = s.stock - i.quantity, updated_at = p_now
    FROM jsonb_to_recordset(p_items) AS i (sku_id bigint, quantity integer)
   WHERE s.id = i.sku_id;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;

CREATE FUNCTION order_close_unpaid(p_order bigint, p_reason text, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM order_release_stock(p_order);
  UPDATE orders SET status = 'closed', closed_at = p_now, close_reason = p_reason WHERE id = p_order;
END
$$;

-- Simulated payment: the group forms at payment. An order past its payment
-- deadline is closed instead (its stock goes back) even before the job runs.
CREATE FUNCTION order_pay(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.status <> 'unpaid' THEN
    RETURN 'invalid_state';
  ELSIF o.expires_at <= p_now THEN
    PERFORM order_close_unpaid(p_order, 'expired', p_now);
    RETURN 'order_expired';
  END IF;
  UPDATE orders SET status = 'paid', paid_at = p_now, grouped_at = p_now, paid_cents = total_cents
   WHERE id = p_order;
  RETURN 'ok';
END
$$;

CREATE FUNCTION order_cancel(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
BEGIN
  SELECT status INTO v_status FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF v_status <> 'unpaid' THEN
    RETURN 'invalid_state';
  END IF;
  PERFORM order_close_unpaid(p_order, 'cancelled', p_now);
  RETURN 'ok';
END
$$;

CREATE FUNCTION order_confirm_receipt(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders SET status = 'completed', completed_at = p_now
   WHERE id = p_order AND buyer_id = p_buyer AND status = 'shipped';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM orders WHERE id = p_order AND buyer_id = p_buyer;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;

-- An order as it is now. A statement that calls an operation above reads
-- orders with its own snapshot, taken before the call, and so would see the
-- order as it was; this VOLATILE function takes a fresh snapshot, so
-- "FROM order_pay(...) r LEFT JOIN LATERAL order_fresh(...) o" returns the
-- paid order in one round trip. ROWS 1 keeps the planner's estimate (and
-- with it JIT compilation) from assuming a thousand rows.
CREATE FUNCTION order_fresh(p_order bigint) RETURNS SETOF orders
VOLATILE ROWS 1 LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT * FROM orders WHERE id = p_order;
END
$$;

-- Background work, a bounded batch per call; SKIP LOCKED lets several
-- instances share it. Both return how many orders they moved.
CREATE FUNCTION orders_expire(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_n  integer := 0;
BEGIN
  FOR v_id IN SELECT id FROM orders WHERE status = 'unpaid' AND expires_at <= p_now
               ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED LOOP
    PERFORM order_close_unpaid(v_id, 'expired', p_now);
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;

CREATE FUNCTION orders_autocomplete(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE sql AS $$
  WITH due AS (SELECT id FROM orders WHERE status = 'shipped' AND shipped_at <= p_now - interval '10 days'
                ORDER BY shipped_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
       done AS (UPDATE orders o SET status = 'completed', completed_at = p_now
                  FROM due WHERE o.id = due.id RETURNING 1)
  SELECT count(*)::integer FROM done
$$;

-- A known carrier and a tracking number of its form: what every shipment
-- (an order's, or an after-sales reship) must name.
CREATE FUNCTION shipment_valid(p_carrier text, p_tracking text) RETURNS boolean
STABLE LANGUAGE sql AS $$
  SELECT coalesce(p_tracking ~ '^[A-Za-z0-9-]{6,40}$', false)
     AND EXISTS (SELECT 1 FROM carriers WHERE code = p_carrier)
$$;

CREATE FUNCTION order_ship(p_shop bigint, p_order bigint, p_carrier text, p_tracking text,
                           p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  UPDATE orders SET status = 'shipped', carrier = p_carrier, tracking_no = p_tracking, shipped_at = p_now
   WHERE id = p_order AND shop_id = p_shop AND status = 'paid';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  SELECT status INTO v_status FROM orders WHERE id = p_order AND shop_id = p_shop;
  RETURN CASE WHEN v_status IS NULL THEN 'not_found' ELSE 'invalid_state' END;
END
$$;

-- Ships each row on its own: a bad row is reported and never blocks the
-- others; a repeated order id is reported, not shipped twice.
-- p_items: [{"order_id": n, "carrier": s, "tracking_no": s}]
CREATE FUNCTION orders_ship_batch(p_shop bigint, p_items jsonb, p_now timestamptz)
RETURNS TABLE (order_id bigint, result text) LANGUAGE plpgsql AS $$
DECLARE
  r    record;
  seen bigint[] := '{}';
BEGIN
  FOR r IN SELECT (e.item ->> 'order_id')::bigint AS id, e.item ->> 'carrier' AS carrier,
                  e.item ->> 'tracking_no' AS tracking_no
             FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
            ORDER BY e.n LOOP
    order_id := r.id;
    IF r.id = ANY (seen) THEN
      result := 'duplicate_in_batch';
    ELSE
      seen := seen || r.id;
      result := order_ship(p_shop, r.id, r.carrier, r.tracking_no, p_now);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;

CREATE FUNCTION after_sale_create(p_buyer bigint, p_order bigint, p_type text, p_reason text,
                                  p_amount bigint, p_now timestamptz)
RETURNS TABLE (result text, after_sale_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  o        orders%ROWTYPE;
  v_amount bigint;
  v_id     bigint;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  IF o.status NOT IN ('paid', 'shipped', 'completed') OR (p_type = 'reship' AND o.status = 'paid') THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
    RETURN;
  END IF;
  IF o.after_sales_open THEN
    RETURN QUERY SELECT 'after_sale_open', NULL::bigint;
    RETURN;
  END IF;
  IF p_type = 'reship' THEN
    v_amount := 0;
  ELSE
    v_amount := coalesce(p_amount, o.paid_cents - o.refunded_cents);
    IF v_amount <= 0 OR v_amount > o.paid_cents - o.refunded_cents THEN
      RETURN QUERY SELECT 'refund_exceeds_paid', NULL::bigint;
      RETURN;
    END IF;
  END IF;
  INSERT INTO after_sales (order_id, shop_id, buyer_id, type, reason, amount_cents, status, created_at)
  VALUES (p_order, o.shop_id, p_buyer, p_type, p_reason, v_amount, 'requested', p_now)
  RETURNING id INTO v_id;
  UPDATE orders SET after_sales_open = true WHERE id = p_order;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;

-- Approving a refund records it and closes the order once all that was paid
-- has gone back; an order never shipped then returns its stock. The CHECK
-- on orders.refunded_cents makes over-refunding impossible even so.
CREATE FUNCTION after_sale_approve(p_shop bigint, p_id bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  a    after_sales%ROWTYPE;
  o    orders%ROWTYPE;
  v_full boolean;
BEGIN
  SELECT * INTO a FROM after_sales WHERE id = p_id AND shop_id = p_shop FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF a.status <> 'requested' THEN
    RETURN 'invalid_state';
  END IF;
  IF a.type = 'reship' THEN
    UPDATE after_sales SET status = 'approved', decided_at = p_now WHERE id = p_id;
    RETURN 'ok';
  END IF;
  SELECT * INTO o FROM orders WHERE id = a.order_id FOR UPDATE;
  IF a.amount_cents > o.paid_cents - o.refunded_cents THEN
    RETURN 'refund_exceeds_paid';
  END IF;
  INSERT INTO refunds (order_id, after_sale_id, amount_cents, reason, created_at)
  VALUES (o.id, p_id, a.amount_cents, a.reason, p_now);
  v_full := o.refunded_cents + a.amount_cents = o.paid_cents;
  IF v_full AND o.status = 'paid' THEN
    PERFORM order_release_stock(o.id);
  END IF;
  UPDATE orders SET refunded_cents = refunded_cents + a.amount_cents, after_sales_open = false,
                    status = CASE WHEN v_full THEN 'closed' ELSE status END,
                    closed_at = CASE WHEN v_full THEN p_now ELSE closed_at END,
                    close_reason = CASE WHEN v_full THEN 'refunded' ELSE close_reason END
   WHERE id = o.id;
  UPDATE after_sales SET status = 'refunded', decided_at = p_now WHERE id = p_id;
  RETURN 'ok';
END
$$;

CREATE FUNCTION after_sale_reject(p_shop bigint, p_id bigint, p_reason text, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_order bigint;
BEGIN
  UPDATE after_sales SET status = 'rejected', reject_reason = p_reason, decided_at = p_now
   WHERE id = p_id AND shop_id = p_shop AND status = 'requested'
  RETURNING order_id INTO v_order;
  IF FOUND THEN
    UPDATE orders SET after_sales_open = false WHERE id = v_order;
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM after_sales WHERE id = p_id AND shop_id = p_shop;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;

-- A reship goes out within 15 days of its approval.
CREATE FUNCTION after_sale_reship(p_shop bigint, p_id bigint, p_carrier text, p_tracking text,
                                  p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a after_sales%ROWTYPE;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  SELECT * INTO a FROM after_sales WHERE id = p_id AND shop_id = p_shop FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF a.type <> 'reship' OR a.status <> 'approved' THEN
    RETURN 'invalid_state';
  ELSIF p_now > a.decided_at + interval '15 days' THEN
    RETURN 'reship_window_closed';
  END IF;
  UPDATE after_sales SET status = 'reshipped', carrier = p_carrier, tracking_no = p_tracking,
                         reshipped_at = p_now
   WHERE id = p_id;
  UPDATE orders SET after_sales_open = false WHERE id = a.order_id;
  RETURN 'ok';
END
$$;

-- The merchant's decisions (p_action: approve, reject or reship) for the API
-- in one round trip: another merchant's shop is not_found, and a decided
-- after-sale comes back as it now is (a query calling the decision itself
-- would still see the row as it was before).
CREATE FUNCTION shop_after_sale_decide(p_merchant bigint, p_shop bigint, p_id bigint,
                                       p_action text, p_reason text, p_carrier text,
                                       p_tracking text, p_now timestamptz)
RETURNS TABLE (result text, decided after_sales) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop AND merchant_id = p_merchant;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSE
    result := CASE p_action
                WHEN 'approve' THEN after_sale_approve(p_shop, p_id, p_now)
                WHEN 'reject' THEN after_sale_reject(p_shop, p_id, p_reason, p_now)
                WHEN 'reship' THEN after_sale_reship(p_shop, p_id, p_carrier, p_tracking, p_now)
              END;
    IF result = 'ok' THEN
      SELECT * INTO decided FROM after_sales WHERE id = p_id;
    END IF;
  END IF;
  RETURN NEXT;
END
$$;
