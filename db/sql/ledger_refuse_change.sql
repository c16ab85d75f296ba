-- Refuses what the triggers of 0025_funds.sql catch: a transfer is never
-- updated, deleted or truncated, and accounts, holds and order funds are
-- never deleted or truncated, whoever tries. A wrong transfer is corrected
-- by a reversing one, so the history stays what was posted.
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: the ledger is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation', HINT = 'correct a transfer with a reversing transfer';
END
$$;
