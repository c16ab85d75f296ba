-- pgbench: the grab's guarded UPDATE alone, on one row (one hot packet), as
-- tests/bench/red_packet.sh compares it; the table is made there.
UPDATE bench_red_packet SET grabbed = grabbed + 1, grabbed_cents = grabbed_cents + 1
 WHERE id = 1 AND grabbed < count;
