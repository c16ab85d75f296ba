-- Adding a quick reply counts the shop's live ones under the shop row's
-- lock, so two concurrent adds cannot both pass the cap: the shop's limit
-- (shop_limits: the base and its medals' privileges), never above p_max,
-- the ceiling the caller takes. Returns 'ok' and
-- the new id, 'not_found' (no such shop of the merchant) or
-- 'quick_reply_limit'.
CREATE OR REPLACE FUNCTION quick_reply_add(p_merchant bigint, p_shop bigint, p_text text, p_group text,
                                p_position integer, p_max integer, p_now timestamptz,
                                OUT code text, OUT id bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF (SELECT count(*) FROM quick_replies q
       WHERE q.shop_id = p_shop AND q.deleted_at IS NULL)
     >= least(p_max, (shop_limits(p_shop)).quick_replies) THEN
    code := 'quick_reply_limit';
    RETURN;
  END IF;
  INSERT INTO quick_replies (shop_id, text, group_name, position, created_at, updated_at)
  VALUES (p_shop, p_text, p_group, p_position, p_now, p_now)
  RETURNING quick_replies.id INTO id;
  code := 'ok';
END
$$;
