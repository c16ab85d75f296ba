-- Counts one visit of a share link (GET /s/<code>) by p_visitor (the
-- visitor cookie) at p_now, in one call: the link's hits and distinct
-- visitors, those of the day (MERCHANTD_TZ), and a page view of the page
-- it leads to with source share_<channel> (views_ingest: deduplicated per
-- visitor, page and minute like every view; a missing partition is made).
--
-- Returns one row: 'not_found' (no such code, or the link was revoked), or 'ok' with the shop and
-- the product the visitor goes to (NULL: the shop page, also when the
-- product has been deleted since the link was made).
--
-- Exact under concurrency: a visitor is counted on the day the insert of
-- (link, day, visitor) succeeds, and a concurrent insert of the same row
-- waits for it and then does nothing. Every visit takes the same rows in
-- the same order (page view, day visitor, visitor, day, link), so two
-- visits never deadlock.
CREATE OR REPLACE FUNCTION share_link_visit(p_code text, p_visitor text, p_now timestamptz)
RETURNS TABLE (code text, shop_id bigint, product_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_link     share_links;
  v_product  bigint;
  v_day      date := (p_now AT TIME ZONE platform_zone())::date;
  v_new_day  integer;
  v_new_ever integer;
BEGIN
  SELECT l.* INTO v_link FROM share_links l WHERE l.code = p_code AND l.revoked_at IS NULL;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  SELECT p.id INTO v_product FROM products p
   WHERE p.id = v_link.product_id AND p.deleted_at IS NULL;

  PERFORM 1 FROM views_ingest(p_now, NULL,
                              jsonb_build_array(jsonb_build_object(
                                'shop_id', v_link.shop_id, 'product_id', v_product,
                                'visitor_id', p_visitor, 'at', ts_to_us(p_now),
                                'source', 'share_' || v_link.channel)));

  INSERT INTO share_link_day_visitors (link_id, day, visitor)
  VALUES (v_link.id, v_day, p_visitor) ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_new_day = ROW_COUNT;
  INSERT INTO share_link_visitors (link_id, visitor, first_at)
  VALUES (v_link.id, p_visitor, p_now) ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_new_ever = ROW_COUNT;

  INSERT INTO share_link_days AS d (link_id, day, hits, visitors)
  VALUES (v_link.id, v_day, 1, v_new_day)
  ON CONFLICT (link_id, day) DO UPDATE SET hits = d.hits + 1, visitors = d.visitors + EXCLUDED.visitors;
  UPDATE share_links l SET hits = l.hits + 1, visitors = l.visitors + v_new_ever,
         last_visit_at = greatest(l.last_visit_at, p_now)
   WHERE l.id = v_link.id;

  RETURN QUERY SELECT 'ok'::text, v_link.shop_id, v_product;
END
$$;
