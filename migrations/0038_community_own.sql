-- The merchant community, what a merchant does with their own: deleting a
-- comment or a question (docs/community.md). A deletion is soft: the row
-- gets deleted_at and, in the same statement, hidden_at, so every read that
-- leaves hidden comments and articles out (and the feeds' and search's
-- partial indexes) leaves it out at once; deleted_at tells the author's
-- deletion from the staff's moderation, and staff cannot show a deleted
-- question again.
ALTER TABLE community_articles ADD COLUMN deleted_at timestamptz,
  ADD CONSTRAINT community_articles_deleted_hidden CHECK (deleted_at IS NULL OR hidden_at IS NOT NULL);
COMMENT ON COLUMN community_articles.deleted_at IS 'when the asker deleted the question (hidden_at is set with it)';

ALTER TABLE community_comments ADD COLUMN deleted_at timestamptz,
  ADD CONSTRAINT community_comments_deleted_hidden CHECK (deleted_at IS NULL OR hidden_at IS NOT NULL);
COMMENT ON COLUMN community_comments.deleted_at IS 'when the author deleted the comment (hidden_at is set with it, and on its replies)';
