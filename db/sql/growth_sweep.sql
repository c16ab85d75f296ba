-- One batch of the sweep of every shop (docs/growth.md "Progress"): a
-- task or medal created or changed (growth_state.definitions_version)
-- applies to shops that did the thing long ago, so every shop is
-- evaluated again, p_batch shops by id per call, each call its own
-- transaction (the job calls it until done). A change during a sweep
-- starts it again from the first shop. Two instances sweeping at once do
-- the same batches twice, which changes nothing. Returns the shops looked
-- at, the medals awarded and whether no sweep is left to do.
CREATE OR REPLACE FUNCTION growth_sweep(p_now timestamptz, p_batch integer, OUT shops integer,
                                        OUT medals integer, OUT done boolean)
LANGUAGE plpgsql AS $$
DECLARE
  st growth_state;
  v_after bigint;
  v_shops bigint[];
BEGIN
  SELECT * INTO st FROM growth_state;
  IF st.definitions_version > st.sweep_version THEN
    v_after := 0;  -- a new sweep, or a change during the last one
  ELSIF st.sweep_after IS NOT NULL THEN
    v_after := st.sweep_after;
  ELSE
    shops := 0;
    medals := 0;
    done := true;
    RETURN;
  END IF;
  v_shops := ARRAY(SELECT s.id FROM shops s WHERE s.id > v_after ORDER BY s.id LIMIT p_batch);
  shops := cardinality(v_shops);
  PERFORM growth_evaluate_shops(v_shops, p_now);
  medals := growth_award_medals(v_shops, p_now);
  done := shops < p_batch;
  UPDATE growth_state
     SET sweep_version = st.definitions_version,
         sweep_after = CASE WHEN done THEN NULL ELSE v_shops[shops] END
   WHERE sweep_version <= st.definitions_version;
END
$$;
