-- The snapshot a product card keeps: title, lowest SKU price (NULL when it
-- has no SKU), first image.
CREATE OR REPLACE FUNCTION chat_product_snapshot(p products) RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('product_id', p.id, 'title', p.title,
                            'price_cents', (SELECT min(k.price_cents) FROM skus k
                                             WHERE k.product_id = p.id),
                            'image', p.images[1])
$$;
