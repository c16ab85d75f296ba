-- Order review: the platform holds a paid order it suspects, then releases
-- it (the merchant ships) or closes it and refunds the buyer.

-- The review's state lives on the order row itself: the order's hot reads
-- need no join, and a hold and a shipment contend for the same row lock,
-- so an order can never be shipped while held.
ALTER TABLE orders
  ADD COLUMN review_status   text CHECK (review_status IN ('under_review', 'released', 'closed')),
  ADD COLUMN review_reason   text CHECK (char_length(review_reason) BETWEEN 1 AND 500),
  ADD COLUMN review_deadline timestamptz,
  ADD CONSTRAINT orders_review_complete
    CHECK ((review_status IS NULL) = (review_reason IS NULL AND review_deadline IS NULL)),
  ADD CONSTRAINT orders_not_shipped_while_held
    CHECK (review_status IS DISTINCT FROM 'under_review' OR status = 'paid');
COMMENT ON COLUMN orders.review_status IS 'NULL: never reviewed; under_review: held, cannot ship; released or closed: the outcome';

-- The audit trail: every review action, by whom (NULL: the system), when
-- and why. Append-only.
CREATE TABLE review_actions (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id   bigint NOT NULL REFERENCES orders (id),
  shop_id    bigint NOT NULL REFERENCES shops (id),
  action     text NOT NULL CHECK (action IN ('hold', 'release', 'close', 'extend', 'auto_release')),
  actor_id   bigint REFERENCES accounts (id),
  reason     text,
  note       text,
  deadline   timestamptz,
  created_at timestamptz NOT NULL,
  CHECK ((actor_id IS NULL) = (action = 'auto_release'))
);
COMMENT ON TABLE review_actions IS 'every review action on an order: who (NULL is the system), what, when, why; deadline is the review deadline after the action';
CREATE INDEX review_actions_order ON review_actions (order_id, id);

-- Everything below is the review's own: its queue index, the per-tab
-- counter, shipping refused while held, and the operations. Each operation
-- returns a result code ('ok' or a problem code, see server/problem.c).

-- The reviewers' queue: one status, earliest deadline first, keyset on
-- (review_deadline, id). The auto-release job walks the same index.
CREATE INDEX orders_review_queue ON orders (review_status, review_deadline, id)
  WHERE review_status IS NOT NULL;
-- The shop's order list filtered to held orders (review=under_review).
CREATE INDEX orders_shop_held ON orders (shop_id, created_at, id)
  WHERE review_status = 'under_review';

-- The shop's badge of held orders is one more counter tab, kept by the same
-- trigger as the status tabs.
ALTER TABLE shop_order_counts DROP CONSTRAINT shop_order_counts_tab_check,
  ADD CONSTRAINT shop_order_counts_tab_check
    CHECK (tab IN ('unpaid', 'paid', 'shipped', 'completed', 'closed', 'after_sales', 'under_review'));

CREATE OR REPLACE FUNCTION order_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM order_count(NEW.shop_id, NEW.status, 1);
    IF NEW.review_status = 'under_review' THEN
      PERFORM order_count(NEW.shop_id, 'under_review', 1);
    END IF;
    RETURN NULL;
  END IF;
  IF NEW.status <> OLD.status THEN
    PERFORM order_count(OLD.shop_id, OLD.status, -1);
    PERFORM order_count(NEW.shop_id, NEW.status, 1);
  END IF;
  IF NEW.after_sales_open <> OLD.after_sales_open THEN
    PERFORM order_count(NEW.shop_id, 'after_sales', CASE WHEN NEW.after_sales_open THEN 1 ELSE -1 END);
  END IF;
  IF (OLD.review_status IS NOT DISTINCT FROM 'under_review')
     <> (NEW.review_status IS NOT DISTINCT FROM 'under_review') THEN
    PERFORM order_count(NEW.shop_id, 'under_review',
                        CASE WHEN NEW.review_status = 'under_review' THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;

-- A held order answers 'order_under_review'. The UPDATE's condition is
-- re-checked on the latest row version after waiting for a concurrent
-- hold, so a hold and a ship of one order serialise on its row lock: one
-- of them wins, the other is refused (the CHECK orders_not_shipped_while_held
-- stands behind this). When the UPDATE matched nothing, a paid order with a
-- review can only have been held at that moment, even if it was released
-- since; anything else not paid is 'invalid_state'.
CREATE OR REPLACE FUNCTION order_ship(p_shop bigint, p_order bigint, p_carrier text, p_tracking text,
                                      p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
  v_review text;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  UPDATE orders SET status = 'shipped', carrier = p_carrier, tracking_no = p_tracking, shipped_at = p_now
   WHERE id = p_order AND shop_id = p_shop AND status = 'paid'
     AND review_status IS DISTINCT FROM 'under_review';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  SELECT status, review_status INTO v_status, v_review FROM orders WHERE id = p_order AND shop_id = p_shop;
  RETURN CASE WHEN v_status IS NULL THEN 'not_found'
              WHEN v_status = 'paid' AND v_review IS NOT NULL THEN 'order_under_review'
              ELSE 'invalid_state' END;
END
$$;

-- A held order that the shop refunds in full through after-sales
-- (after_sale_approve) is closed: the review has nothing left to decide,
-- so it ends as 'closed' too (the CHECK orders_not_shipped_while_held
-- would refuse a closed order still held). The history keeps no action for
-- it: no reviewer acted; the refund and the after-sales request record it.
CREATE FUNCTION order_review_follow_close() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.review_status := 'closed';
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_review_follow_close BEFORE UPDATE OF status ON orders
  FOR EACH ROW WHEN (OLD.review_status = 'under_review' AND NEW.status = 'closed'
                     AND NEW.review_status IS NOT DISTINCT FROM 'under_review')
  EXECUTE FUNCTION order_review_follow_close();

-- Holds a paid order that is not shipped: it cannot ship until released.
-- The deadline is the group's formation plus 24 hours, the platform's
-- promise to the merchant. A released order may be held again while it is
-- still paid (new evidence can come up); its deadline stays grouped_at +
-- 24 h, so a hold placed after that is released by the next run of the
-- auto-release job unless a reviewer extends it.
CREATE FUNCTION review_hold(p_reviewer bigint, p_order bigint, p_reason text, p_note text,
                            p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
  v_deadline timestamptz;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status = 'under_review' THEN
    RETURN 'already_under_review';
  ELSIF o.status <> 'paid' THEN
    RETURN 'invalid_state';
  END IF;
  v_deadline := coalesce(o.grouped_at, o.paid_at) + interval '24 hours';
  UPDATE orders SET review_status = 'under_review', review_reason = p_reason,
                    review_deadline = v_deadline
   WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, reason, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'hold', p_reviewer, p_reason, p_note, v_deadline, p_now);
  RETURN 'ok';
END
$$;

-- Ends a hold: the merchant must ship. The UPDATE renews the order's
-- change_seq, so the ERP feed (which leaves held orders out) gets it now.
CREATE FUNCTION review_release(p_reviewer bigint, p_order bigint, p_note text, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN 'invalid_state';
  END IF;
  UPDATE orders SET review_status = 'released' WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'release', p_reviewer, p_note, o.review_deadline, p_now);
  RETURN 'ok';
END
$$;

-- Closes a held order and refunds the buyer all that is left to refund, in
-- one transaction: the order is 'closed' with close_reason 'refunded' (the
-- buyer got the money back; review_status 'closed' tells that the platform
-- closed it, so the reasons clients already know need no new value), its
-- stock goes back on sale, and an open after-sales request is marked
-- 'refunded' (its ask is met, and more) so it no longer counts as open.
-- The order's row lock, taken before its state is read, makes concurrent
-- closes wait and then find it closed: exactly one refund. The open
-- request is locked before the order, in after_sale_approve's order, so a
-- close and an approval do not deadlock. refund_cents: what was refunded.
CREATE FUNCTION review_close(p_reviewer bigint, p_order bigint, p_reason text, p_now timestamptz)
RETURNS TABLE (result text, refund_cents bigint) LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  PERFORM 1 FROM after_sales a WHERE a.order_id = p_order AND a.status IN ('requested', 'approved')
    FOR UPDATE;
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
    RETURN;
  END IF;
  refund_cents := o.paid_cents - o.refunded_cents;
  IF refund_cents > 0 THEN
    INSERT INTO refunds (order_id, amount_cents, reason, created_at)
    VALUES (p_order, refund_cents, p_reason, p_now);
  END IF;
  UPDATE after_sales a SET status = 'refunded', decided_at = p_now
   WHERE a.order_id = p_order AND a.status IN ('requested', 'approved');
  PERFORM order_release_stock(p_order);
  UPDATE orders SET status = 'closed', closed_at = p_now, close_reason = 'refunded',
                    refunded_cents = paid_cents, after_sales_open = false, review_status = 'closed'
   WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, reason, deadline, created_at)
  VALUES (p_order, o.shop_id, 'close', p_reviewer, p_reason, o.review_deadline, p_now);
  result := 'ok';
  RETURN NEXT;
END
$$;

-- Gives a held order more time (special categories need longer checks).
-- The action records the new deadline; the auto-release job follows it.
CREATE FUNCTION review_extend(p_reviewer bigint, p_order bigint, p_hours integer, p_note text,
                              p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
  v_deadline timestamptz;
BEGIN
  IF p_hours NOT BETWEEN 1 AND 168 THEN
    RAISE EXCEPTION 'extension of % hours is out of range', p_hours
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN 'invalid_state';
  END IF;
  v_deadline := o.review_deadline + p_hours * interval '1 hour';
  UPDATE orders SET review_deadline = v_deadline WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'extend', p_reviewer, p_note, v_deadline, p_now);
  RETURN 'ok';
END
$$;

-- The background job: releases held orders whose deadline has come, at
-- most p_limit per call, recorded as done by the system (actor NULL).
-- Several instances share it: SKIP LOCKED leaves rows another instance (or
-- a reviewer) is working on, and the UPDATE re-checks the state on the row
-- it locked, so an order released meanwhile gets no second action.
CREATE FUNCTION reviews_release_due(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE sql AS $$
  WITH due AS (SELECT id FROM orders
                WHERE review_status = 'under_review' AND review_deadline <= p_now
                ORDER BY review_deadline, id LIMIT p_limit FOR UPDATE SKIP LOCKED),
       released AS (UPDATE orders o SET review_status = 'released'
                      FROM due WHERE o.id = due.id AND o.review_status = 'under_review'
                                 AND o.review_deadline <= p_now
                    RETURNING o.id, o.shop_id, o.review_deadline),
       recorded AS (INSERT INTO review_actions (order_id, shop_id, action, deadline, created_at)
                    SELECT id, shop_id, 'auto_release', review_deadline, p_now FROM released
                    RETURNING 1)
  SELECT count(*)::integer FROM recorded
$$;
