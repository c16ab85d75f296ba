-- A running flash sale of one SKU for tests/bench/campaign.sh: a SKU of
-- :shop with 10,000,000 units, :units of them carved out as the campaign
-- stock of an approved entry whose campaign runs from a minute ago for a
-- day, with a per-buyer limit of :limit. Prints "campaign sku entry".
WITH p AS (INSERT INTO products (shop_id, title, status, created_at, updated_at)
           VALUES (:shop, '赣南脐橙 秒杀', 'on_sale', now(), now()) RETURNING id),
     k AS (INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
           SELECT id, :shop, '5斤', 2990, 10000000 - :units, now() - interval '40 days',
                  now() - interval '40 days' FROM p RETURNING id, product_id),
     c AS (INSERT INTO campaigns (name, kind, signup_from, signup_to, starts_at, ends_at,
                                  min_discount_percent, min_campaign_stock, per_buyer_limit,
                                  max_products_per_shop, allow_coupons, auto_approve, created_by,
                                  created_at, updated_at)
           VALUES ('bench flash sale', 'flash_sale', now() - interval '3 minutes',
                   now() - interval '2 minutes', now() - interval '1 minute', now() + interval '1 day',
                   10, 1, :limit, 10, true, false, :staff, now(), now()) RETURNING id),
     e AS (INSERT INTO campaign_entries (campaign_id, shop_id, product_id, status, created_at,
                                         decided_at, decided_by)
           SELECT c.id, :shop, k.product_id, 'approved', now(), now(), :staff FROM c, k
           RETURNING id, campaign_id, product_id),
     cs AS (INSERT INTO campaign_skus (entry_id, sku_id, campaign_id, shop_id, product_id,
                                       campaign_price_cents, campaign_stock, stock, per_buyer_limit,
                                       allow_coupons, run, state)
            SELECT e.id, k.id, e.campaign_id, :shop, e.product_id, 990, :units, :units, :limit, true,
                   tstzrange(now() - interval '1 minute', now() + interval '1 day'), 'live'
              FROM e, k RETURNING campaign_id, sku_id, entry_id, product_id),
     ss AS (INSERT INTO campaign_shop_stats (campaign_id, shop_id) SELECT campaign_id, :shop FROM cs),
     ps AS (INSERT INTO campaign_product_stats (campaign_id, product_id, shop_id)
            SELECT campaign_id, product_id, :shop FROM cs)
SELECT campaign_id, sku_id, entry_id FROM cs;
