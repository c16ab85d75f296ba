-- The merchant's decisions (p_action: approve, reject or reship) for the API
-- in one round trip: another merchant's shop is not_found, and a decided
-- after-sale comes back as it now is (a query calling the decision itself
-- would still see the row as it was before).
CREATE OR REPLACE FUNCTION shop_after_sale_decide(p_merchant bigint, p_shop bigint, p_id bigint,
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
