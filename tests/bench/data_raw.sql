-- A shop's figures computed from the raw rows, the way one would without
-- rollups, by the definitions of docs/data.md and with the indexes the
-- schema has: the orders, views, refunds, claims and messages of each
-- window, customer-service rounds rebuilt from the messages. One row per
-- window k: the local day (@TZ@) k days ago, whole (today: so far), or
-- with @SAME_TIME@ = true only up to the minute of the day it is now, the
-- `until` of the overview. The metrics are those of GET .../stats/overview
-- and .../stats/daily, named and rounded as they are (refund_rate_30d,
-- the overview's alone, only with @SAME_TIME@, for today).
-- tests/bench/data.sh fills in @SHOP@, @TZ@, @DAYS_AGO@ and @SAME_TIME@
-- ('{0,1,7}' and true: the overview's today, yesterday and last week at
-- the same time; '{0,...,89}' and false: the daily series) and runs it
-- with pgbench -f as the baseline of the stats endpoints, and with psql to
-- compare its figures with theirs.
--
-- Rows are matched to windows by their day (days before today) as well as
-- by time, so that a scan over many windows is one hash join rather than
-- a loop per window.
WITH RECURSIVE today AS (
  SELECT (now() AT TIME ZONE '@TZ@')::date AS d
),
win AS (
  SELECT k, d0, CASE WHEN @SAME_TIME@
                     THEN d0 + (date_trunc('minute', now()) - ((SELECT d FROM today)::timestamp AT TIME ZONE '@TZ@'))
                     ELSE dend END AS d1, dend
    FROM unnest('@DAYS_AGO@'::integer[]) k,
         LATERAL (SELECT ((SELECT d FROM today) - k)::timestamp AT TIME ZONE '@TZ@' AS d0) a,
         LATERAL (SELECT least(d0 + interval '1 day', now()) AS dend) b
),
sales AS (
  SELECT w.k, coalesce(sum(o.paid_cents), 0) AS gmv_cents, count(o.id) AS orders,
         count(DISTINCT o.buyer_id) AS buyers,
         count(o.coupon_id) AS coupon_orders,
         coalesce(sum(o.paid_cents) FILTER (WHERE o.coupon_id IS NOT NULL), 0) AS coupon_gmv_cents,
         coalesce(sum(o.discount_cents) FILTER (WHERE o.coupon_id IS NOT NULL), 0) AS coupon_discount_cents
    FROM win w LEFT JOIN orders o
      ON o.shop_id = @SHOP@ AND o.paid_at >= w.d0 AND o.paid_at < w.d1
     AND (SELECT d FROM today) - (o.paid_at AT TIME ZONE '@TZ@')::date = w.k
   GROUP BY w.k
),
views AS (
  SELECT w.k, count(v.visitor) AS page_views, count(DISTINCT v.visitor) AS visitors
    FROM win w LEFT JOIN page_views v
      ON v.shop_id = @SHOP@ AND v.minute >= w.d0 AND v.minute < w.dend AND v.at < w.d1
     AND (SELECT d FROM today) - (v.minute AT TIME ZONE '@TZ@')::date = w.k
   GROUP BY w.k
),
refunded AS (
  SELECT w.k, coalesce(sum(r.amount_cents), 0) AS refund_cents, count(r.id) AS refunds
    FROM win w LEFT JOIN (refunds r JOIN orders o ON o.id = r.order_id AND o.shop_id = @SHOP@)
      ON r.created_at >= w.d0 AND r.created_at < w.d1
     AND (SELECT d FROM today) - (r.created_at AT TIME ZONE '@TZ@')::date = w.k
   GROUP BY w.k
),
-- The overview's refund rate: refunds over the 30 days ending today
-- (so far) / orders paid over the same days.
refund_rate AS (
  SELECT 0 AS k,
         round((SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id AND o.shop_id = @SHOP@
                 WHERE r.created_at >= w.d0 - interval '29 days' AND r.created_at < now())::numeric
               / nullif((SELECT count(*) FROM orders o WHERE o.shop_id = @SHOP@
                           AND o.paid_at >= w.d0 - interval '29 days' AND o.paid_at < now()), 0), 4) AS refund_rate_30d
    FROM win w WHERE @SAME_TIME@ AND w.k = 0
),
shipping AS (
  SELECT w.k, count(o.id) AS shipped,
         coalesce(sum(extract(epoch FROM o.shipped_at - o.paid_at)), 0)::bigint AS ship_secs,
         count(o.id) FILTER (WHERE o.shipped_at - o.paid_at <= interval '24 hours') AS shipped_24h,
         count(o.id) FILTER (WHERE o.shipped_at - o.paid_at <= interval '48 hours') AS shipped_48h
    FROM win w LEFT JOIN orders o
      ON o.shop_id = @SHOP@ AND o.shipped_at >= w.d0 AND o.shipped_at < w.d1
     AND (SELECT d FROM today) - (o.shipped_at AT TIME ZONE '@TZ@')::date = w.k
   GROUP BY w.k
),
claims AS (
  SELECT w.k, count(b.id) AS coupon_claims
    FROM win w LEFT JOIN buyer_coupons b
      ON b.shop_id = @SHOP@ AND b.claimed_at >= w.d0 AND b.claimed_at < w.d1
     AND (SELECT d FROM today) - (b.claimed_at AT TIME ZONE '@TZ@')::date = w.k
   GROUP BY w.k
),
-- Customer service: each window's day so far, auto-replies aside, in order
-- within each conversation.
msgs AS (
  SELECT w.k, w.d1, m.conversation_id AS c, m.buyer_id, m.sender, m.created_at AS t,
         row_number() OVER (PARTITION BY w.k, m.conversation_id ORDER BY m.created_at, m.id) AS rn
    FROM win w JOIN messages m
      ON m.shop_id = @SHOP@ AND m.created_at >= w.d0 AND m.created_at < w.dend
     AND (SELECT d FROM today) - (m.created_at AT TIME ZONE '@TZ@')::date = w.k
   WHERE m.sender <> 'auto'
),
-- For each message: the first merchant message from it on, and the first
-- buyer message after it.
marked AS (
  SELECT k, d1, c, buyer_id, sender, t, rn,
         min(rn) FILTER (WHERE sender = 'merchant') OVER fwd AS reply_rn,
         min(t) FILTER (WHERE sender = 'merchant') OVER fwd AS reply_at,
         min(rn) FILTER (WHERE sender = 'buyer') OVER after AS next_buyer_rn
    FROM msgs
  WINDOW fwd AS (PARTITION BY k, c ORDER BY rn ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
         after AS (PARTITION BY k, c ORDER BY rn ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
),
-- For each buyer message: the buyer's next message after the reply, the
-- buyer's first message 600 s or more later, and the conversation's first.
buyer_msgs AS (
  SELECT m.k, m.d1, m.c, m.t, m.rn, m.reply_at, r.next_buyer_rn AS after_reply_rn,
         min(m.rn) OVER (PARTITION BY m.k, m.c ORDER BY m.t
                         RANGE BETWEEN '600 seconds' FOLLOWING AND UNBOUNDED FOLLOWING) AS after_timeout_rn,
         min(m.rn) OVER (PARTITION BY m.k, m.c) AS first_rn
    FROM marked m LEFT JOIN marked r ON r.k = m.k AND r.c = m.c AND r.rn = m.reply_rn
   WHERE m.sender = 'buyer'
),
-- Rounds: the first buyer message starts one; a round answered within
-- 600 s ends at the reply, and the next starts with the buyer's next
-- message; one unanswered ends after 600 s, and the next starts with the
-- buyer's first message from then on.
rounds AS (
  SELECT * FROM buyer_msgs WHERE rn = first_rn
  UNION ALL
  SELECT b.* FROM rounds r JOIN buyer_msgs b ON b.k = r.k AND b.c = r.c
     AND b.rn = CASE WHEN r.reply_at <= r.t + interval '600 seconds' THEN r.after_reply_rn
                     ELSE r.after_timeout_rn END
),
-- Rounds that count: started in the window between 08:00 and 23:00, and
-- final (answered, or 600 s old).
cs_rounds AS (
  SELECT w.k, count(r.t) AS cs_rounds,
         count(r.t) FILTER (WHERE r.reply_at <= r.t + interval '180 seconds') AS cs_rounds_3min,
         coalesce(sum(CASE WHEN r.reply_at <= r.t + interval '600 seconds'
                           THEN extract(epoch FROM r.reply_at - r.t) ELSE 600 END)
                      FILTER (WHERE r.t IS NOT NULL), 0)::bigint AS cs_response_secs
    FROM win w LEFT JOIN rounds r ON r.k = w.k AND r.t < w.d1
     AND (r.reply_at <= r.t + interval '600 seconds' OR r.t + interval '600 seconds' <= now())
     AND (r.t AT TIME ZONE '@TZ@')::time >= '08:00' AND (r.t AT TIME ZONE '@TZ@')::time < '23:00'
   GROUP BY w.k
),
-- Who wrote in the window, their first and last message of the day, and
-- whether they paid between the first and 24 h after the last.
writers AS (
  SELECT k, buyer_id, min(t) AS first_at, max(t) AS last_at
    FROM msgs WHERE sender = 'buyer'
   GROUP BY k, buyer_id
  HAVING min(t) < min(d1)
),
cs_writers AS (
  SELECT w.k, count(x.buyer_id) AS cs_buyers,
         count(x.buyer_id) FILTER (WHERE EXISTS (
           SELECT 1 FROM orders o WHERE o.buyer_id = x.buyer_id AND o.shop_id = @SHOP@
              AND o.paid_at >= x.first_at AND o.paid_at <= x.last_at + interval '24 hours')) AS cs_converted
    FROM win w LEFT JOIN writers x ON x.k = w.k
   GROUP BY w.k
)
SELECT k AS days_ago, ((SELECT d FROM today) - k)::text AS date,
       gmv_cents, orders, buyers,
       round(gmv_cents::numeric / nullif(buyers, 0)) AS avg_order_value_cents,
       visitors, page_views,
       round(buyers::numeric / nullif(visitors, 0), 4) AS conversion_rate,
       round(gmv_cents::numeric / nullif(visitors, 0)) AS uv_value_cents,
       refund_cents, refunds,
       cs_buyers, cs_rounds,
       round(cs_rounds_3min::numeric / nullif(cs_rounds, 0), 4) AS reply_3min_rate,
       round(cs_response_secs::numeric / nullif(cs_rounds, 0), 4) AS avg_response_secs,
       round(cs_converted::numeric / nullif(cs_buyers, 0), 4) AS inquiry_conversion_rate,
       shipped,
       round(ship_secs::numeric / nullif(shipped, 0), 4) AS avg_ship_secs,
       round(shipped_24h::numeric / nullif(shipped, 0), 4) AS shipped_24h_rate,
       round(shipped_48h::numeric / nullif(shipped, 0), 4) AS shipped_48h_rate,
       coupon_claims, coupon_orders, coupon_gmv_cents, coupon_discount_cents,
       refund_rate_30d
  FROM sales JOIN views USING (k) JOIN refunded USING (k) LEFT JOIN refund_rate USING (k)
  JOIN shipping USING (k) JOIN claims USING (k) JOIN cs_rounds USING (k) JOIN cs_writers USING (k)
 ORDER BY k;
