-- A share link can be revoked (DELETE /v1/shops/{id}/share-links/{id}):
-- its code then leads nowhere (GET /s/<code> answers 404) and counts no
-- more visits, while its figures stay readable. The shop may make a new
-- link for the same page and channel, with a new code: one live link per
-- shop, product and channel.
ALTER TABLE share_links ADD COLUMN revoked_at timestamptz;
COMMENT ON COLUMN share_links.revoked_at IS 'when the shop revoked the link: /s/<code> is 404 from then on; NULL while live';
ALTER TABLE share_links DROP CONSTRAINT share_links_shop_id_product_id_channel_key;
CREATE UNIQUE INDEX share_links_live ON share_links (shop_id, product_id, channel)
  NULLS NOT DISTINCT WHERE revoked_at IS NULL;
