-- A verified confirmation from a payment provider that a top-up was paid:
-- records the event (provider, event id) and posts the top-up once, from
-- the provider's clearing to the shop's deposit or promotion account, as
-- the event topup:<id>. All in the caller's transaction.
--
-- Returns 'ok' with the top-up as it now is (the caller's statement
-- cannot see this function's writes: its snapshot is older); 'webhook_replayed' when this event was
-- taken before (a replay: nothing posts); 'not_found' when the provider
-- has no such top-up; 'amount_mismatch' when the amount confirmed is not
-- the amount asked for (nothing posts: an operator looks); 'duplicate'
-- when another event confirmed it already. The event id is recorded first:
-- two deliveries of one event racing each other queue on its key, and the
-- second is refused once the first commits.
CREATE OR REPLACE FUNCTION topup_confirm(p_provider text, p_event text, p_ref text,
                                         p_amount bigint, p_now timestamptz)
RETURNS TABLE (result text, topup funds_topups) LANGUAGE plpgsql AS $$
DECLARE
  t funds_topups%ROWTYPE;
  v_result text;
BEGIN
  INSERT INTO payment_webhook_events (provider, event_id, received_at)
  VALUES (p_provider, p_event, p_now) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    result := 'webhook_replayed';
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT * INTO t FROM funds_topups WHERE provider = p_provider AND provider_ref = p_ref FOR UPDATE;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF t.amount_cents <> p_amount THEN
    result := 'amount_mismatch';
    topup := t;
  ELSIF t.status = 'succeeded' THEN
    result := 'duplicate';
    topup := t;
  ELSE
    v_result := ledger_post('topup:' || t.id, 'topup', t.id,
                            ARRAY[ledger_account(t.shop_id, 'provider_clearing')],
                            ARRAY[ledger_account(t.shop_id, t.account)], ARRAY[t.amount_cents],
                            ARRAY['topup'], p_now);
    IF v_result NOT IN ('ok', 'duplicate') THEN
      RAISE EXCEPTION 'topup_confirm %: the top-up could not post: %', t.id, v_result;
    END IF;
    UPDATE funds_topups SET status = 'succeeded', confirmed_at = p_now WHERE id = t.id
    RETURNING * INTO topup;
    INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
    VALUES (p_now, NULL, 'topup_confirmed', 'topup', t.id, t.shop_id,
            jsonb_build_object('provider', p_provider, 'event_id', p_event,
                               'amount_cents', t.amount_cents, 'account', t.account));
    result := 'ok';
  END IF;
  RETURN NEXT;
END
$$;
