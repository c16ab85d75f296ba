-- The in-app letter about a decision on a campaign entry, delivered at
-- once (one letter per decision; the review letters' hourly batching is
-- for bursts of orders, a sign-up result is awaited).
CREATE OR REPLACE FUNCTION campaign_letter(p_entry bigint, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e record;
BEGIN
  SELECT ce.id, ce.shop_id, ce.status, ce.reason, c.name, p.title INTO e
    FROM campaign_entries ce JOIN campaigns c ON c.id = ce.campaign_id
    JOIN products p ON p.id = ce.product_id
   WHERE ce.id = p_entry;
  INSERT INTO letters (shop_id, kind, title, summary, body, order_count, delivered_at,
                       campaign_entry_id)
  VALUES (e.shop_id, 'campaign', letter_title('campaign'),
          CASE WHEN e.status = 'approved' THEN format('「%s」报名「%s」已通过', e.title, e.name)
               ELSE format('「%s」报名「%s」未通过', e.title, e.name) END,
          CASE WHEN e.status = 'approved'
               THEN format('您的商品「%s」报名的活动「%s」已审核通过，活动库存已从商品库存中划出，'
                           '活动期间按活动价销售。', e.title, e.name)
               ELSE format('您的商品「%s」报名的活动「%s」未通过审核，原因：%s。', e.title, e.name,
                           e.reason) END,
          0, p_now, e.id);
END
$$;
