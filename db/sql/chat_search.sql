-- The ids of the shop's text messages that contain p_query, newest first,
-- below p_before_id, at most p_limit of them; p_buyer_id (the buyer's
-- conversation only), p_from (inclusive) and p_to (exclusive) are optional.
-- Only buyer conversations' messages (buyer_id set): the shop's support
-- conversations with the platform are not its customer chat.
CREATE OR REPLACE FUNCTION chat_search(p_shop_id bigint, p_query text, p_buyer_id bigint,
                            p_from timestamptz, p_to timestamptz, p_before_id bigint,
                            p_limit integer)
-- ROWS: a page's worth, so that the caller's joins look each row up by key.
RETURNS SETOF bigint STABLE ROWS 20 LANGUAGE plpgsql AS $$
DECLARE
  v_needle text := lower(p_query);
  v_conversation bigint;
  v_ids bigint[];
  v_seen integer;
BEGIN
  IF p_buyer_id IS NOT NULL THEN
    SELECT c.id INTO v_conversation FROM conversations c
     WHERE c.shop_id = p_shop_id AND c.buyer_id = p_buyer_id;
    IF NOT FOUND THEN
      RETURN;
    END IF;
  END IF;

  -- First pass: the newest messages of the shop (or of the one
  -- conversation), read until the page is full. The page is complete when
  -- it is full, or when the window held every message below the cursor.
  IF v_conversation IS NULL THEN
    SELECT array_agg(x.id ORDER BY x.id DESC) INTO v_ids
      FROM (SELECT w.id
              FROM (SELECT m.id, m.type, m.body, m.created_at, m.buyer_id FROM messages m
                     WHERE m.shop_id = p_shop_id AND m.id < p_before_id
                     ORDER BY m.id DESC LIMIT chat_search_window()) w
             WHERE w.type = 'text' AND w.buyer_id IS NOT NULL
               AND position(v_needle IN lower(w.body)) > 0
               AND (p_from IS NULL OR w.created_at >= p_from)
               AND (p_to IS NULL OR w.created_at < p_to)
             LIMIT p_limit) x;
    IF coalesce(cardinality(v_ids), 0) < p_limit THEN
      SELECT count(*) INTO v_seen
        FROM (SELECT 1 FROM messages m WHERE m.shop_id = p_shop_id AND m.id < p_before_id
               ORDER BY m.id DESC LIMIT chat_search_window()) w;
    END IF;
  ELSE
    SELECT array_agg(x.id ORDER BY x.id DESC) INTO v_ids
      FROM (SELECT w.id
              FROM (SELECT m.id, m.type, m.body, m.created_at FROM messages m
                     WHERE m.conversation_id = v_conversation AND m.id < p_before_id
                     ORDER BY m.id DESC LIMIT chat_search_window()) w
             WHERE w.type = 'text' AND position(v_needle IN lower(w.body)) > 0
               AND (p_from IS NULL OR w.created_at >= p_from)
               AND (p_to IS NULL OR w.created_at < p_to)
             LIMIT p_limit) x;
    IF coalesce(cardinality(v_ids), 0) < p_limit THEN
      SELECT count(*) INTO v_seen
        FROM (SELECT 1 FROM messages m WHERE m.conversation_id = v_conversation
                 AND m.id < p_before_id ORDER BY m.id DESC LIMIT chat_search_window()) w;
    END IF;
  END IF;
  IF v_seen IS NULL OR v_seen < chat_search_window() THEN
    RETURN QUERY SELECT unnest(v_ids);
    RETURN;
  END IF;

  -- Second pass: the grams index over the whole history. EXECUTE plans
  -- with the values, so the query's grams are constants the index can use.
  RETURN QUERY EXECUTE
    'SELECT m.id FROM messages m'
    ' WHERE m.shop_id = $1 AND m.type = ''text'' AND m.grams @> chat_grams($2)'
    '   AND position(lower($2) IN lower(m.body)) > 0 AND m.id < $3 AND m.buyer_id IS NOT NULL'
    '   AND ($4::bigint IS NULL OR m.conversation_id = $4)'
    '   AND ($5::timestamptz IS NULL OR m.created_at >= $5)'
    '   AND ($6::timestamptz IS NULL OR m.created_at < $6)'
    ' ORDER BY m.id + 0 DESC LIMIT $7'
    USING p_shop_id, p_query, p_before_id, v_conversation, p_from, p_to, p_limit;
END
$$;
COMMENT ON FUNCTION chat_search(bigint, text, bigint, timestamptz, timestamptz, bigint, integer) IS
  'substring search over a shop''s text messages, newest first: a recent window first, then the grams index (see 0009_chat_search.sql)';
