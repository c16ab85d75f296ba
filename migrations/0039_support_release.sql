-- Support release and feedback per shop (docs/support.md).
--
-- The claimer of a support conversation may hand it back to the queue
-- (support_release): staff_id and claimed_at go back to NULL and
-- waiting_since is kept, so that it is queued where it waited.
-- released_at says when it was last handed back (the time of the queue's
-- event; NULL for a conversation never released and for buyer ones).
ALTER TABLE conversations ADD COLUMN released_at timestamptz,
  ADD CONSTRAINT conversations_released_support CHECK (released_at IS NULL OR kind = 'support');
COMMENT ON COLUMN conversations.released_at IS 'support: when its claimer last released it to the queue';

-- Feedback may name one of the merchant's shops (feedback_create checks
-- that it is theirs); staff filter their list by it.
ALTER TABLE feedback ADD COLUMN shop_id bigint REFERENCES shops (id);
COMMENT ON COLUMN feedback.shop_id IS 'the merchant''s shop the feedback is about, NULL for the account';
CREATE INDEX feedback_shop ON feedback (shop_id, id) WHERE shop_id IS NOT NULL;
-- feedback_create takes the shop (db/sql/feedback_create.sql, applied after
-- the migrations: on a new database there is none yet).
DROP FUNCTION IF EXISTS feedback_create(bigint, text, text, bigint[], text, text, timestamptz);
