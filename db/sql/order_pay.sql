-- Simulated payment: the group forms at payment, and the money enters the
-- shop's pending in the same transaction (funds_order_paid). An order past
-- its payment deadline is closed instead (its stock goes back) even before
-- the job runs.
CREATE OR REPLACE FUNCTION order_pay(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
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
  PERFORM funds_order_paid(p_order, p_now);
  RETURN 'ok';
END
$$;
