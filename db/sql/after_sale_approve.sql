-- Approving a refund records it and closes the order once all that was paid
-- has gone back; an order never shipped then returns its stock. The CHECK
-- on orders.refunded_cents makes over-refunding impossible even so. The
-- money goes back in the same transaction (funds_order_refund), and a
-- completed order whose settlement waited for this request settles with
-- what is left (funds_order_settle).
CREATE OR REPLACE FUNCTION after_sale_approve(p_shop bigint, p_id bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  a    after_sales%ROWTYPE;
  o    orders%ROWTYPE;
  v_full boolean;
  v_refund bigint;
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
  VALUES (o.id, p_id, a.amount_cents, a.reason, p_now)
  RETURNING id INTO v_refund;
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
  -- The money after the order's own rows, as every order operation does
  -- (docs/funds.md, Locks): the ledger's rows are the last taken.
  PERFORM funds_order_refund(o.id, v_refund, a.amount_cents, 'after_sale', p_id, p_now);
  PERFORM funds_order_settle(o.id, p_now);
  RETURN 'ok';
END
$$;
