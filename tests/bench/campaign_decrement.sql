-- pgbench: the flash sale's stock decrement alone, on one campaign SKU row
-- (:entry, :sku), as tests/bench/campaign.sh compares it: the guarded
-- UPDATE checkout runs under the SKU's lock.
UPDATE campaign_skus SET stock = stock - 1, sold = sold + 1
 WHERE entry_id = :entry AND sku_id = :sku AND state = 'live' AND stock >= 1;
