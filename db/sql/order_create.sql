-- Places an order: locks the SKUs, checks shop, sale status and stock,
-- reserves the stock and writes the order with price snapshots.
-- p_items: [{"sku_id": n, "quantity": n}], each SKU once: a repeated one is
-- 'invalid_field' with its id (each line would pass the stock check alone,
-- and together sell more than the stock). p_coupon: an optional buyer
-- coupon. It must be the buyer's, unused, valid at p_now and of this shop;
-- a product coupon needs its product among the lines, and its minimum and
-- discount are measured against those lines (a shop coupon: against all of
-- them). Else 'coupon_unavailable'. The buyer coupon's row is locked before
-- it is read: two orders racing for one coupon run one after the other and
-- the second finds it used. Its discount goes into discount_cents, the
-- coupon is marked used by the order and the shop coupon's used count goes
-- up, all with the order. The order number starts with the day in the
-- platform time zone (MERCHANTD_TZ).
-- A SKU approved in a campaign whose run window holds p_now sells at the
-- campaign price from the campaign stock; its line names the campaign and
-- keeps the regular price, and a coupon is 'coupon_unavailable' with a
-- campaign that forbids stacking. Such a SKU's row is not locked: a flash
-- sale's orders would queue on it from the first statement to the commit.
-- Its units are taken last, by campaign_order_take's guarded UPDATEs,
-- which hold the campaign row's lock only from there to the commit; when
-- they find the campaign stock short ('out_of_stock', the campaign ended
-- meanwhile included) or the buyer past the per-buyer limit
-- ('campaign_limit_reached'), everything the order wrote is undone (the
-- block's savepoint) and that code returned. Whether a SKU is a campaign's
-- is settled before the locks: its row is then live or returned, and
-- approval, which makes a row live, needs the SKU's lock, held here for
-- every SKU that is not.
-- Returns (result, order_id or the SKU a refusal names, placed: the order
-- row on 'ok').
CREATE OR REPLACE FUNCTION order_create(p_buyer bigint, p_shop bigint, p_items jsonb, p_addr jsonb, p_note text,
                             p_now timestamptz, p_expires timestamptz, p_coupon bigint DEFAULT NULL)
RETURNS TABLE (result text, order_id bigint, placed orders) LANGUAGE plpgsql AS $$
DECLARE
  v_items    bigint := 0;
  v_discount bigint := 0;
  v_base     bigint;
  v_lines    jsonb;
  v_id       bigint;
  r          record;
  b          record;
  v_repeated bigint;
  v_stacking boolean := true;
  v_failed   text;
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::orders;
    RETURN;
  END IF;
  SELECT (e ->> 'sku_id')::bigint INTO v_repeated FROM jsonb_array_elements(p_items) e
   GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1;
  IF v_repeated IS NOT NULL THEN
    RETURN QUERY SELECT 'invalid_field', v_repeated, NULL::orders;
    RETURN;
  END IF;
  PERFORM 1 FROM skus WHERE id IN (SELECT (e ->> 'sku_id')::bigint FROM jsonb_array_elements(p_items) e)
     AND NOT EXISTS (SELECT 1 FROM campaign_skus cs WHERE cs.sku_id = skus.id AND cs.state <> 'idle'
                        AND cs.run @> p_now)
   ORDER BY id FOR UPDATE;
  FOR r IN SELECT i.sku_id, i.quantity, s.id AS found, s.shop_id, s.stock, s.price_cents,
                  p.status, p.deleted_at, cs.campaign_id, cs.campaign_price_cents,
                  cs.stock AS campaign_stock, cs.per_buyer_limit, cs.allow_coupons,
                  cs.state AS campaign_state
             FROM jsonb_to_recordset(p_items) AS i (sku_id bigint, quantity integer)
             LEFT JOIN skus s ON s.id = i.sku_id
             LEFT JOIN products p ON p.id = s.product_id
             LEFT JOIN campaign_skus cs ON cs.sku_id = s.id AND cs.state <> 'idle' AND cs.run @> p_now LOOP
    IF r.found IS NULL OR r.shop_id <> p_shop THEN
      RETURN QUERY SELECT 'not_found', r.sku_id, NULL::orders;
      RETURN;
    END IF;
    IF r.status <> 'on_sale' OR r.deleted_at IS NOT NULL THEN
      RETURN QUERY SELECT 'product_unavailable', r.sku_id, NULL::orders;
      RETURN;
    END IF;
    IF r.campaign_id IS NOT NULL THEN
      -- Read without a lock: refusals that spare the write; the guarded
      -- UPDATEs decide.
      IF r.campaign_state <> 'live' OR r.campaign_stock < r.quantity THEN
        RETURN QUERY SELECT 'out_of_stock', r.sku_id, NULL::orders;
        RETURN;
      END IF;
      IF coalesce((SELECT u.n FROM campaign_buyer_units u
                    WHERE u.campaign_id = r.campaign_id AND u.sku_id = r.sku_id
                      AND u.buyer_id = p_buyer), 0) + r.quantity > r.per_buyer_limit THEN
        RETURN QUERY SELECT 'campaign_limit_reached', r.sku_id, NULL::orders;
        RETURN;
      END IF;
      v_stacking := v_stacking AND r.allow_coupons;
      v_items := v_items + r.campaign_price_cents * r.quantity;
      CONTINUE;
    END IF;
    IF r.stock < r.quantity THEN
      RETURN QUERY SELECT 'out_of_stock', r.sku_id, NULL::orders;
      RETURN;
    END IF;
    v_items := v_items + r.price_cents * r.quantity;
  END LOOP;

  SELECT jsonb_agg(jsonb_build_object('line', e.n, 'sku_id', s.id, 'product_id', p.id,
                           'title', p.title, 'spec', s.spec,
                           'image', coalesce((SELECT '/media/' || i.sha256 || '_800.webp'
                                                FROM images i WHERE i.id = s.image_id),
                                             p.images[1]),
                           'price_cents', coalesce(cs.campaign_price_cents, s.price_cents),
                           'quantity', (e.item ->> 'quantity')::integer)
                        || CASE WHEN cs.campaign_id IS NULL THEN '{}'::jsonb
                                ELSE jsonb_build_object('campaign_id', cs.campaign_id,
                                                        'regular_price_cents', s.price_cents) END
                        ORDER BY e.n)
    INTO v_lines
    FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
    JOIN skus s ON s.id = (e.item ->> 'sku_id')::bigint JOIN products p ON p.id = s.product_id
    LEFT JOIN campaign_skus cs ON cs.sku_id = s.id AND cs.state <> 'idle' AND cs.run @> p_now;

  IF p_coupon IS NOT NULL THEN
    SELECT bc.id, bc.buyer_id, bc.shop_id, bc.valid_from, bc.valid_to, bc.used_order_id,
           c.id AS coupon, c.kind, c.product_id, c.discount_cents, c.min_order_cents
      INTO b
      FROM buyer_coupons bc JOIN coupons c ON c.id = bc.coupon_id
     WHERE bc.id = p_coupon FOR UPDATE OF bc;
    IF NOT FOUND OR NOT v_stacking THEN
      RETURN QUERY SELECT 'coupon_unavailable', NULL::bigint, NULL::orders;
      RETURN;
    END IF;
    v_base := CASE WHEN b.kind = 'shop' THEN v_items
                   ELSE (SELECT coalesce(sum((l ->> 'price_cents')::bigint * (l ->> 'quantity')::bigint), 0)
                           FROM jsonb_array_elements(v_lines) l
                          WHERE (l ->> 'product_id')::bigint = b.product_id) END;
    IF b.buyer_id <> p_buyer OR b.shop_id <> p_shop OR b.used_order_id IS NOT NULL
       OR p_now < b.valid_from OR p_now >= b.valid_to
       OR v_base = 0 OR v_base < b.min_order_cents OR v_base < b.discount_cents THEN
      RETURN QUERY SELECT 'coupon_unavailable', NULL::bigint, NULL::orders;
      RETURN;
    END IF;
    v_discount := b.discount_cents;
  END IF;

  BEGIN
    INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                        discount_cents, total_cents, addr_name, addr_phone, addr_province, addr_city,
                        addr_district, addr_detail, note, created_at, expires_at, items, coupon_id,
                        change_seq, change_xid)
    SELECT to_char(p_now AT TIME ZONE platform_zone(), 'YYMMDD') || '-'
             || lpad(nextval('order_sn_seq')::text, 10, '0'),
           p_shop, (SELECT merchant_id FROM shops WHERE id = p_shop), p_buyer, a.display_name,
           'unpaid', v_items, v_discount, v_items - v_discount,
           p_addr ->> 'name', p_addr ->> 'phone', p_addr ->> 'province', p_addr ->> 'city',
           p_addr ->> 'district', p_addr ->> 'detail', coalesce(p_note, ''), p_now, p_expires,
           v_lines, p_coupon, 0, '0'
      FROM accounts a WHERE a.id = p_buyer
    RETURNING id INTO v_id;

    -- A line showing a picture of the shop's space names it, under the
    -- picture's lock (image_blob_lock, shared): the collector, which takes it
    -- exclusively, then waits for this order and sees the line.
    PERFORM image_blob_lock(sha, false)
       FROM (SELECT DISTINCT substring(l ->> 'image' from '^/media/([0-9a-f]{64})_800\.webp$') AS sha
               FROM jsonb_array_elements(v_lines) l) x
      WHERE sha IS NOT NULL ORDER BY sha;
    INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, image_sha256,
                             price_cents, quantity, campaign_id, regular_price_cents)
    SELECT v_id, l.line, l.sku_id, l.product_id, l.title, l.spec, l.image,
           substring(l.image from '^/media/([0-9a-f]{64})_800\.webp$'), l.price_cents, l.quantity,
           l.campaign_id, l.regular_price_cents
      FROM jsonb_to_recordset(v_lines) AS l (line smallint, sku_id bigint, product_id bigint, title text,
                                             spec text, image text, price_cents bigint, quantity integer,
                                             campaign_id bigint, regular_price_cents bigint);
    UPDATE skus s SET stock = s.stock - l.quantity, updated_at = p_now
      FROM jsonb_to_recordset(v_lines) AS l (sku_id bigint, quantity integer, campaign_id bigint)
     WHERE s.id = l.sku_id AND l.campaign_id IS NULL;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(v_lines) l WHERE l ? 'campaign_id') THEN
      PERFORM campaign_order_take(v_id, p_buyer);
    END IF;
    IF p_coupon IS NOT NULL THEN
      UPDATE buyer_coupons SET used_order_id = v_id, used_at = p_now WHERE id = p_coupon;
      UPDATE coupons SET used = used + 1 WHERE id = b.coupon;
    END IF;
  EXCEPTION
    WHEN SQLSTATE 'MC001' THEN  -- campaign_order_take: the SKU in the message
      GET STACKED DIAGNOSTICS v_failed = MESSAGE_TEXT;
      RETURN QUERY SELECT 'out_of_stock', v_failed::bigint, NULL::orders;
      RETURN;
    WHEN SQLSTATE 'MC002' THEN
      GET STACKED DIAGNOSTICS v_failed = MESSAGE_TEXT;
      RETURN QUERY SELECT 'campaign_limit_reached', v_failed::bigint, NULL::orders;
      RETURN;
  END;
  -- The order as written, for the caller's reply: the statement that
  -- called this function cannot read it from the table.
  RETURN QUERY SELECT 'ok', v_id, o FROM orders o WHERE o.id = v_id;
END
$$;
