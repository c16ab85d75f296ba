-- A held order that the shop refunds in full through after-sales
-- (after_sale_approve) is closed: the review has nothing left to decide,
-- so it ends as 'closed' too (the CHECK orders_not_shipped_while_held
-- would refuse a closed order still held). The history keeps no action for
-- it: no reviewer acted; the refund and the after-sales request record it.
CREATE OR REPLACE FUNCTION order_review_follow_close() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.review_status := 'closed';
  RETURN NEW;
END
$$;
