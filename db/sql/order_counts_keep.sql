-- Keeps shop_order_counts: a tab per order status, after_sales (orders with
-- an open request) and under_review (orders the platform holds). It runs at
-- commit (orders_counts is deferred, migration 0029): a shop's count rows
-- are the last its transactions lock.
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
