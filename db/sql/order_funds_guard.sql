-- An order's money moves forward only, whatever writes its row: pending
-- (or awaiting an after-sales request) until settled or refunded, both
-- final; its pending part only shrinks; a settlement, once made, keeps its
-- amount, rate, fee and time, and only what was clawed back and the fee
-- returned with it grow. So an order settles once.
CREATE OR REPLACE FUNCTION order_funds_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.order_id, NEW.shop_id, NEW.paid_cents, NEW.paid_at)
       IS DISTINCT FROM (OLD.order_id, OLD.shop_id, OLD.paid_cents, OLD.paid_at)
     OR NEW.pending_cents > OLD.pending_cents
     OR OLD.state = 'refunded'
     OR (OLD.state = 'awaiting_after_sale' AND NEW.state = 'pending')
     OR (OLD.state = 'settled'
         AND (NEW.state <> 'settled'
              OR (NEW.settled_cents, NEW.fee_bps, NEW.fee_cents, NEW.settled_at)
                   IS DISTINCT FROM (OLD.settled_cents, OLD.fee_bps, OLD.fee_cents, OLD.settled_at)
              OR NEW.clawed_back_cents < OLD.clawed_back_cents
              OR NEW.fee_returned_cents < OLD.fee_returned_cents)) THEN
    RAISE EXCEPTION 'order % funds cannot go from % to %', OLD.order_id, OLD.state, NEW.state
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
