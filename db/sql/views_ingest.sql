-- Stores a batch of visitor events (POST /v1/events/views) in one call.
-- p_account: the signed-in buyer (visitor a:<id>), NULL for an anonymous
-- visitor (v:<visitor_id> of each view). p_views, checked for shape by
-- merchantd: [{"shop_id": n, "product_id": n|null, "visitor_id": s|null,
-- "at": microseconds since the epoch, "source": s}].
--
-- Returns one row per view, in order (idx from 0): 'stored', 'duplicate'
-- (its visitor, shop, product and minute are stored already, by an
-- earlier request or earlier in this batch), or why it was refused:
-- 'at_out_of_window' (more than 24 h before p_now or 5 min after it),
-- 'unknown_shop', 'unknown_product' (no such product, deleted, or of
-- another shop). These are the reply's refused[].code values (see
-- h_page_views.c and docs/openapi.yaml), not result codes of the shared
-- list: one refused view never fails the others.
--
-- A view whose day has no partition yet (the partition job is late, or
-- the clock was moved far) makes the INSERT fail with "no partition of
-- relation found for row": that check violation names no constraint,
-- unlike a CHECK's. The INSERT runs in a block of its own, so its failure
-- rolls back only that block and releases what it locked; the partitions
-- of the batch's days are then created (page_views_partitions_ensure) and
-- the INSERT runs once more.
CREATE OR REPLACE FUNCTION views_ingest(p_now timestamptz, p_account bigint, p_views jsonb)
RETURNS TABLE (idx integer, result text)
LANGUAGE plpgsql AS $$
DECLARE
  v_refusal    text[];
  v_stored     integer[];
  v_first      timestamptz;
  v_last       timestamptz;
  v_constraint text;
BEGIN
  SELECT array_agg(c.refusal ORDER BY c.n),
         min(c.at) FILTER (WHERE c.refusal IS NULL), max(c.at) FILTER (WHERE c.refusal IS NULL)
    INTO v_refusal, v_first, v_last
    FROM (SELECT v.n, v.at,
                 CASE WHEN v.at < p_now - interval '24 hours' OR v.at > p_now + interval '5 minutes'
                        THEN 'at_out_of_window'
                      WHEN s.id IS NULL THEN 'unknown_shop'
                      WHEN v.product_id IS NOT NULL AND p.id IS NULL THEN 'unknown_product'
                 END AS refusal
            FROM (SELECT e.n, (e.item ->> 'shop_id')::bigint AS shop_id,
                         (e.item ->> 'product_id')::bigint AS product_id,
                         us_to_ts((e.item ->> 'at')::bigint) AS at
                    FROM jsonb_array_elements(p_views) WITH ORDINALITY AS e (item, n)) v
            LEFT JOIN shops s ON s.id = v.shop_id
            LEFT JOIN products p ON p.id = v.product_id AND p.shop_id = v.shop_id
                                AND p.deleted_at IS NULL) c;

  FOR attempt IN 1 .. 2 LOOP
    BEGIN
      WITH v AS (
        SELECT e.n::integer AS n, (e.item ->> 'shop_id')::bigint AS shop_id,
               (e.item ->> 'product_id')::bigint AS product_id,
               CASE WHEN p_account IS NOT NULL THEN 'a:' || p_account
                    ELSE 'v:' || (e.item ->> 'visitor_id') END AS visitor,
               coalesce(e.item ->> 'source', '') AS source,
               us_to_ts((e.item ->> 'at')::bigint) AS at
          FROM jsonb_array_elements(p_views) WITH ORDINALITY AS e (item, n)
         WHERE v_refusal[e.n::integer] IS NULL),
      firsts AS (
        SELECT DISTINCT ON (v.visitor, v.shop_id, v.product_id, date_trunc('minute', v.at))
               v.n, v.shop_id, v.product_id, v.visitor, v.source, v.at,
               date_trunc('minute', v.at) AS minute
          FROM v
         ORDER BY v.visitor, v.shop_id, v.product_id, date_trunc('minute', v.at), v.n),
      ins AS (
        INSERT INTO page_views AS pv (shop_id, product_id, visitor, source, minute, at)
        SELECT f.shop_id, f.product_id, f.visitor, f.source, f.minute, f.at
          FROM firsts f ORDER BY f.n
        ON CONFLICT DO NOTHING
        RETURNING pv.visitor, pv.shop_id, pv.product_id, pv.minute)
      SELECT coalesce(array_agg(f.n), '{}') INTO v_stored
        FROM firsts f
        JOIN ins i ON i.visitor = f.visitor AND i.shop_id = f.shop_id
                  AND i.product_id IS NOT DISTINCT FROM f.product_id AND i.minute = f.minute;
      EXIT;
    EXCEPTION WHEN check_violation THEN
      GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
      IF attempt = 2 OR v_constraint <> '' THEN
        RAISE;
      END IF;
      PERFORM page_views_partitions_ensure(v_first, v_last);
    END;
  END LOOP;

  RETURN QUERY
    SELECT (e.n - 1)::integer,
           coalesce(v_refusal[e.n], CASE WHEN e.n = ANY (v_stored) THEN 'stored' ELSE 'duplicate' END)
      FROM generate_series(1, jsonb_array_length(p_views)) AS e (n)
     ORDER BY e.n;
END
$$;
