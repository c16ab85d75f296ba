-- A delivered letter never changes. A notice that arrives after the letter
-- of its hour went out (an action taken at the very instant of delivery,
-- just after it, or committed late) waits for the next delivery hour; due_at
-- keeps that hour. The delivery job gathers a letter's notices per shop and
-- kind, hence the second index.
ALTER TABLE letter_notices ADD COLUMN due_at timestamptz;
COMMENT ON COLUMN letter_notices.due_at IS 'NULL: due at letter_due_at(acted_at); else the later hour it waits for, the letter of its hour having gone out without it';
CREATE INDEX letter_notices_pending_shop ON letter_notices (shop_id, kind, acted_at)
  WHERE letter_id IS NULL;
