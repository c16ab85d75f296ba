-- Coupons, the buyer's side: claiming a shop's coupon into one of the
-- buyer's own, using it on an order (order_create with a coupon), and
-- giving it back when that order closes unpaid or by review.
--
-- Lock order, the same everywhere so that nothing deadlocks: an order's
-- row, then SKUs (in id order), then the buyer coupon, then the shop
-- coupon. A claim takes only the shop coupon's row (and inserts).

-- A buyer coupon as it is now. As with order_fresh: a statement calling an
-- operation reads with a snapshot taken before the call, so it would not
-- see the row the call made; this VOLATILE function takes a fresh one.
CREATE FUNCTION buyer_coupon_fresh(p_id bigint) RETURNS SETOF buyer_coupons
VOLATILE ROWS 1 LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT * FROM buyer_coupons WHERE id = p_id;
END
$$;

-- Claims one of a shop's coupons for a buyer. Every claim of a coupon
-- locks its row first, so the checks below run one claim at a time per
-- coupon and read the counts as the previous claim left them: neither
-- total_quantity nor the per-buyer limit can be passed whatever the
-- concurrency (and the CHECKs of 0010 would refuse it anyway). NO KEY
-- UPDATE: buyer coupons and orders referencing the row (key share) do not
-- wait for it. Results: ok, not_found, not_claimable (stopped, outside the
-- claim window, live-only while the shop is not live, or a fixed validity
-- already over), claim_limit_reached, sold_out.
CREATE FUNCTION coupon_claim(p_buyer bigint, p_coupon bigint, p_now timestamptz)
RETURNS TABLE (result text, buyer_coupon_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  c      coupons%ROWTYPE;
  v_n    integer;
  v_from timestamptz;
  v_to   timestamptz;
  v_id   bigint;
BEGIN
  SELECT * INTO c FROM coupons WHERE id = p_coupon FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  IF c.stopped_at IS NOT NULL OR p_now < c.claim_start OR p_now >= c.claim_end
     OR (c.valid_days IS NULL AND c.valid_to <= p_now)
     OR (c.channel = 'live'
         AND (SELECT s.live_since FROM shops s WHERE s.id = c.shop_id) IS NULL) THEN
    RETURN QUERY SELECT 'not_claimable', NULL::bigint;
    RETURN;
  END IF;
  SELECT k.n INTO v_n FROM coupon_buyer_claims k WHERE k.coupon_id = p_coupon AND k.buyer_id = p_buyer;
  IF coalesce(v_n, 0) >= c.per_buyer_limit THEN
    RETURN QUERY SELECT 'claim_limit_reached', NULL::bigint;
    RETURN;
  END IF;
  IF c.claimed >= c.total_quantity THEN
    RETURN QUERY SELECT 'sold_out', NULL::bigint;
    RETURN;
  END IF;
  -- Both writes stay conditional: should anything ever change these rows
  -- without the coupon's lock, the claim fails rather than over-issues.
  INSERT INTO coupon_buyer_claims AS k (coupon_id, buyer_id, n) VALUES (p_coupon, p_buyer, 1)
  ON CONFLICT (coupon_id, buyer_id) DO UPDATE SET n = k.n + 1 WHERE k.n < c.per_buyer_limit
  RETURNING k.n INTO v_n;
  IF v_n IS NULL THEN
    RAISE EXCEPTION 'claims of coupon % by buyer % changed under its lock', p_coupon, p_buyer;
  END IF;
  UPDATE coupons SET claimed = claimed + 1 WHERE id = p_coupon AND claimed < total_quantity;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'coupon % changed under its lock', p_coupon;
  END IF;
  IF c.valid_days IS NOT NULL THEN
    v_from := p_now;
    v_to := p_now + make_interval(days => c.valid_days);
  ELSE
    v_from := c.valid_from;
    v_to := c.valid_to;
  END IF;
  INSERT INTO buyer_coupons (coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at)
  VALUES (p_coupon, p_buyer, c.shop_id, v_from, v_to, p_now)
  RETURNING id INTO v_id;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;

-- order_create of 0002 with an optional buyer coupon (p_coupon). The coupon
-- must be the buyer's, unused, valid at p_now and of this shop; a product
-- coupon needs its product among the lines, and its minimum and discount
-- are measured against those lines (a shop coupon: against all of them).
-- Else 'coupon_unavailable'. The buyer coupon's row is locked before it is
-- read: two orders racing for one coupon run one after the other and the
-- second finds it used. Its discount goes into discount_cents, the coupon
-- is marked used by the order and the shop coupon's used count goes up,
-- all with the order.
DROP FUNCTION order_create(bigint, bigint, jsonb, jsonb, text, timestamptz, timestamptz);
CREATE FUNCTION order_create(p_buyer bigint, p_shop bigint, p_items jsonb, p_addr jsonb, p_note text,
                             p_now timestamptz, p_expires timestamptz, p_coupon bigint DEFAULT NULL)
RETURNS TABLE (result text, order_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_items    bigint := 0;
  v_discount bigint := 0;
  v_base     bigint;
  v_lines    jsonb;
  v_id       bigint;
  r          record;
  b          record;
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

  IF p_coupon IS NOT NULL THEN
    SELECT bc.id, bc.buyer_id, bc.shop_id, bc.valid_from, bc.valid_to, bc.used_order_id,
           c.id AS coupon, c.kind, c.product_id, c.discount_cents, c.min_order_cents
      INTO b
      FROM buyer_coupons bc JOIN coupons c ON c.id = bc.coupon_id
     WHERE bc.id = p_coupon FOR UPDATE OF bc;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'coupon_unavailable', NULL::bigint;
      RETURN;
    END IF;
    v_base := CASE WHEN b.kind = 'shop' THEN v_items
                   ELSE (SELECT coalesce(sum((l ->> 'price_cents')::bigint * (l ->> 'quantity')::bigint), 0)
                           FROM jsonb_array_elements(v_lines) l
                          WHERE (l ->> 'product_id')::bigint = b.product_id) END;
    IF b.buyer_id <> p_buyer OR b.shop_id <> p_shop OR b.used_order_id IS NOT NULL
       OR p_now < b.valid_from OR p_now >= b.valid_to
       OR v_base = 0 OR v_base < b.min_order_cents OR v_base < b.discount_cents THEN
      RETURN QUERY SELECT 'coupon_unavailable', NULL::bigint;
      RETURN;
    END IF;
    v_discount := b.discount_cents;
  END IF;

  INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                      discount_cents, total_cents, addr_name, addr_phone, addr_province, addr_city,
                      addr_district, addr_detail, note, created_at, expires_at, items, coupon_id,
                      change_seq, change_xid)
  SELECT to_char(p_now AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-'
           || lpad(nextval('order_sn_seq')::text, 10, '0'),
         p_shop, (SELECT merchant_id FROM shops WHERE id = p_shop), p_buyer, a.display_name,
         'unpaid', v_items, v_discount, v_items - v_discount,
         p_addr ->> 'name', p_addr ->> 'phone', p_addr ->> 'province', p_addr ->> 'city',
         p_addr ->> 'district', p_addr ->> 'detail', coalesce(p_note, ''), p_now, p_expires,
         v_lines, p_coupon, 0, '0'
    FROM accounts a WHERE a.id = p_buyer
  RETURNING id INTO v_id;

  INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
  SELECT v_id, l.line, l.sku_id, l.product_id, l.title, l.spec, l.image, l.price_cents, l.quantity
    FROM jsonb_to_recordset(v_lines) AS l (line smallint, sku_id bigint, product_id bigint, title text,
                                           spec text, image text, price_cents bigint, quantity integer);
  UPDATE skus s SET stock = s.stock - i.quantity, updated_at = p_now
    FROM jsonb_to_recordset(p_items) AS i (sku_id bigint, quantity integer)
   WHERE s.id = i.sku_id;
  IF p_coupon IS NOT NULL THEN
    UPDATE buyer_coupons SET used_order_id = v_id, used_at = p_now WHERE id = p_coupon;
    UPDATE coupons SET used = used + 1 WHERE id = b.coupon;
  END IF;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;

-- Gives a coupon back when the order that used it closes without being
-- fulfilled: cancelled or expired unpaid, or closed by the platform's
-- review. Only while the buyer coupon is still valid at the close; an
-- expired one stays used (by an order that never completed). A trigger, so
-- every path that closes orders (order_cancel, orders_expire, order_pay
-- past the deadline, review_close) gives back without changing.
CREATE FUNCTION coupon_give_back() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_coupon bigint;
BEGIN
  UPDATE buyer_coupons SET used_order_id = NULL, used_at = NULL
   WHERE id = NEW.coupon_id AND used_order_id = NEW.id AND valid_to > NEW.closed_at
  RETURNING coupon_id INTO v_coupon;
  IF v_coupon IS NOT NULL THEN
    UPDATE coupons SET used = used - 1 WHERE id = v_coupon;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER orders_coupon_give_back AFTER UPDATE OF status ON orders
  FOR EACH ROW WHEN (NEW.coupon_id IS NOT NULL AND NEW.status = 'closed' AND OLD.status <> 'closed'
                     AND (NEW.close_reason IN ('cancelled', 'expired')
                          OR NEW.review_status IS NOT DISTINCT FROM 'closed'))
  EXECUTE FUNCTION coupon_give_back();

COMMENT ON FUNCTION coupon_claim(bigint, bigint, timestamptz) IS 'claims a coupon for a buyer, exactly: never past total_quantity or per_buyer_limit';
