-- An image message may name an image of the sender's image space (a shop's,
-- or a buyer's own) instead of a URL. The message keeps the SHA-256 of the
-- stored files: a sent picture is part of the conversation's history, so
-- its files stay (the collector spares what a message names) even when the
-- library entry is deleted later.
ALTER TABLE messages ADD COLUMN image_sha256 text CHECK (image_sha256 ~ '^[0-9a-f]{64}$');
CREATE INDEX messages_image_sha256 ON messages (image_sha256) WHERE image_sha256 IS NOT NULL;
COMMENT ON COLUMN messages.image_sha256 IS 'an image message sent from an image space: the stored files it shows';

-- message_send takes the image id (db/sql/message_send.sql).
DROP FUNCTION message_send(bigint, bigint, text, text, bigint, bigint[], bigint, timestamptz);
