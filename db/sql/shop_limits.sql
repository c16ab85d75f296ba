-- The limits in force for a shop: the base ones plus the privileges
-- (经营特权) of the medals it holds, up to the ceilings the API takes at
-- most in one request. quick_replies: live quick replies it may keep;
-- coupon_batch_products: products one POST coupons:batch may take;
-- campaign_products_bonus: products it may enter in one campaign beyond
-- the campaign's max_products_per_shop. The bases (500, 500, 0) are the
-- limits every shop had before medals; the ceilings are DB_QUICK_REPLIES_CEILING
-- and DB_COUPON_BATCH_CEILING in C (db/chat_replies.h, db/coupons.h).
CREATE OR REPLACE FUNCTION shop_limits(p_shop bigint, OUT quick_replies integer,
                                       OUT coupon_batch_products integer,
                                       OUT campaign_products_bonus integer)
STABLE LANGUAGE sql AS $$
  SELECT least(500 + coalesce(sum(m.bonus_quick_replies), 0), 1000)::integer,
         least(500 + coalesce(sum(m.bonus_coupon_batch), 0), 2000)::integer,
         least(coalesce(sum(m.bonus_campaign_products), 0), 1000)::integer
    FROM growth_shop_medals g JOIN growth_medals m ON m.id = g.medal_id
   WHERE g.shop_id = p_shop
$$;
