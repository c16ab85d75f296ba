-- The database's share of one hold / release cycle, for pgbench (-M
-- prepared, -D lo= -D hi=): the same single-row UPDATEs of the order, each
-- its own transaction, with the same triggers firing; one pgbench
-- transaction is one cycle.
\set id random(:lo, :hi)
UPDATE orders SET review_status = 'under_review', review_reason = 'bench hold',
       review_deadline = grouped_at + interval '24 hours' WHERE id = :id;
UPDATE orders SET review_status = 'released' WHERE id = :id;
