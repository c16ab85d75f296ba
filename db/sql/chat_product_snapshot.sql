-- The snapshot a product card keeps: title, lowest SKU price (NULL when it
-- has no SKU), first image (without one, the first SKU preview image).
CREATE OR REPLACE FUNCTION chat_product_snapshot(p products) RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('product_id', p.id, 'title', p.title,
                            'price_cents', (SELECT min(k.price_cents) FROM skus k
                                             WHERE k.product_id = p.id),
                            'image', coalesce(p.images[1],
                              (SELECT '/media/' || i.sha256 || '_800.webp' FROM skus k
                                 JOIN images i ON i.id = k.image_id
                                WHERE k.product_id = p.id ORDER BY k.id LIMIT 1)))
$$;
