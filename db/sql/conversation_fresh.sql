-- The conversation as a statement that just changed it left it: this
-- VOLATILE function takes a fresh snapshot (see order_fresh in 0002), so
-- "FROM conversation_open(...) r LEFT JOIN LATERAL conversation_fresh(...)"
-- answers in one round trip.
CREATE OR REPLACE FUNCTION conversation_fresh(p_id bigint) RETURNS SETOF conversation_view
VOLATILE ROWS 1 LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT * FROM conversation_view WHERE id = p_id;
END
$$;
