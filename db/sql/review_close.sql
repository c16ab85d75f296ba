-- Closes a held order and refunds the buyer all that is left to refund, in
-- one transaction: the order is 'closed' with close_reason 'refunded' (the
-- buyer got the money back; review_status 'closed' tells that the platform
-- closed it, so the reasons clients already know need no new value), its
-- stock goes back on sale, and an open after-sales request is marked
-- 'refunded' (its ask is met, and more) so it no longer counts as open.
-- The order's row lock, taken before its state is read, makes concurrent
-- closes wait and then find it closed: exactly one refund. The open
-- request is locked before the order, in after_sale_approve's order, so a
-- close and an approval do not deadlock. refund_cents: what was refunded,
-- whose money goes back in the same transaction (funds_order_refund).
CREATE OR REPLACE FUNCTION review_close(p_reviewer bigint, p_order bigint, p_reason text, p_now timestamptz)
RETURNS TABLE (result text, refund_cents bigint) LANGUAGE plpgsql AS $$
DECLARE
  o        orders%ROWTYPE;
  v_refund bigint;
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
    VALUES (p_order, refund_cents, p_reason, p_now)
    RETURNING id INTO v_refund;
  END IF;
  UPDATE after_sales a SET status = 'refunded', decided_at = p_now
   WHERE a.order_id = p_order AND a.status IN ('requested', 'approved');
  PERFORM order_release_stock(p_order);
  UPDATE orders SET status = 'closed', closed_at = p_now, close_reason = 'refunded',
                    refunded_cents = paid_cents, after_sales_open = false, review_status = 'closed'
   WHERE id = p_order;
  -- The money after the order's own rows (docs/funds.md, Locks).
  IF v_refund IS NOT NULL THEN
    PERFORM funds_order_refund(p_order, v_refund, refund_cents, 'review_close', p_order, p_now);
  END IF;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, reason, deadline, created_at)
  VALUES (p_order, o.shop_id, 'close', p_reviewer, p_reason, o.review_deadline, p_now);
  result := 'ok';
  RETURN NEXT;
END
$$;
