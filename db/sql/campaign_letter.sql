-- The in-app letter about what became of a campaign entry, delivered at
-- once: one letter per decision (approved, rejected) and per entry the
-- platform cancelled (the campaign was cancelled, or ended while the entry
-- still waited). The review letters' hourly batching is for bursts of
-- orders; a sign-up result is awaited.
CREATE OR REPLACE FUNCTION campaign_letter(p_entry bigint, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  e record;
BEGIN
  SELECT ce.id, ce.shop_id, ce.status, ce.reason, c.name, p.title, c.cancelled_at IS NOT NULL
         AS campaign_cancelled INTO e
    FROM campaign_entries ce JOIN campaigns c ON c.id = ce.campaign_id
    JOIN products p ON p.id = ce.product_id
   WHERE ce.id = p_entry;
  INSERT INTO letters (shop_id, kind, title, summary, body, order_count, delivered_at,
                       campaign_entry_id)
  VALUES (e.shop_id, 'campaign', letter_title('campaign'),
          CASE WHEN e.status = 'approved' THEN format('「%s」报名「%s」已通过', e.title, e.name)
               WHEN e.status = 'rejected' THEN format('「%s」报名「%s」未通过', e.title, e.name)
               ELSE format('「%s」报名「%s」已取消', e.title, e.name) END,
          CASE WHEN e.status = 'approved'
               THEN format('您的商品「%s」报名的活动「%s」已审核通过，活动库存已从商品库存中划出，'
                           '活动期间按活动价销售。', e.title, e.name)
               WHEN e.status = 'rejected'
               THEN format('您的商品「%s」报名的活动「%s」未通过审核，原因：%s。', e.title, e.name,
                           e.reason)
               WHEN e.campaign_cancelled
               THEN format('活动「%s」已被平台取消，您的商品「%s」的报名随之取消，'
                           '已划出的活动库存已退回商品库存。', e.name, e.title)
               ELSE format('活动「%s」已结束，您的商品「%s」的报名未在活动结束前审核，已取消。',
                           e.name, e.title) END,
          0, p_now, e.id);
END
$$;
