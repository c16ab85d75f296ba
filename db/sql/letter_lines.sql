-- The lines of a letter, one per order (its latest action in the letter),
-- in the order the actions were taken. Order number, buyer and amounts do
-- not change once an order is paid, so they are read from the order.
CREATE OR REPLACE FUNCTION letter_lines(p_letter bigint)
RETURNS TABLE (order_id bigint, order_sn text, buyer_name text, items_cents bigint,
               total_cents bigint, action text, reason text, note text, deadline timestamptz,
               acted_at timestamptz)
STABLE LANGUAGE sql AS $$
  SELECT x.* FROM (
    SELECT DISTINCT ON (n.order_id) n.order_id, o.order_sn, o.buyer_name, o.items_cents,
           o.total_cents, a.action, a.reason, a.note, a.deadline, a.created_at
      FROM letter_notices n
      JOIN review_actions a ON a.id = n.action_id
      JOIN orders o ON o.id = n.order_id
     WHERE n.letter_id = p_letter
     ORDER BY n.order_id, n.id DESC) x
  ORDER BY x.created_at, x.order_id
$$;
