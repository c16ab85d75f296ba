-- The ledger account of a kind for a shop: one of the shop's own (pending,
-- available, deposit, promotion, debt), or, for a platform kind, the shard
-- of it the shop's postings use: shop id modulo 16, the shards
-- 0025_funds.sql made (no shop: shard 0). Spreading the platform's side
-- over shards keeps every shop's postings from queueing on one row lock.
-- NULL when there is no such account. PL/pgSQL, not SQL, so that a session
-- plans the lookup once: every posting names its accounts through it.
CREATE OR REPLACE FUNCTION ledger_account(p_shop bigint, p_kind text) RETURNS bigint
STABLE PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
  RETURN coalesce((SELECT a.id FROM ledger_accounts a WHERE a.shop_id = p_shop AND a.kind = p_kind),
                  (SELECT a.id FROM ledger_accounts a
                    WHERE a.shop_id IS NULL AND a.kind = p_kind AND a.shard = coalesce(p_shop, 0) % 16));
END
$$;
