-- The support queue (unclaimed, open support conversations with a merchant
-- waiting) changed: a conversation came in (a merchant waits, or its
-- claimer released it) or went (claimed, closed). One support.queue event
-- for each staff member with the support permission, so that their
-- consoles refresh the queue live; the events name the conversation and
-- whether it is now in the queue.
CREATE OR REPLACE FUNCTION support_queue_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_was boolean := TG_OP = 'UPDATE' AND OLD.staff_id IS NULL AND OLD.closed_at IS NULL
                   AND OLD.waiting_since IS NOT NULL;
  v_is  boolean := NEW.staff_id IS NULL AND NEW.closed_at IS NULL AND NEW.waiting_since IS NOT NULL;
BEGIN
  IF v_was = v_is THEN
    RETURN NULL;
  END IF;
  INSERT INTO events (kind, staff_id, shop_id, data, created_at)
  SELECT 'support.queue', a.id, NEW.shop_id,
         jsonb_build_object('conversation_id', NEW.id, 'queued', v_is,
                            'claimed_by', NEW.staff_id),
         CASE WHEN TG_OP = 'UPDATE' AND OLD.staff_id IS NOT NULL AND NEW.staff_id IS NULL
              THEN NEW.released_at
              ELSE coalesce(NEW.closed_at, NEW.claimed_at, NEW.waiting_since, now()) END
    FROM accounts a
   WHERE a.role = 'staff' AND 'support' = ANY (a.permissions) AND a.disabled_at IS NULL
   ORDER BY a.id;
  RETURN NULL;
END
$$;
