-- The ceiling of tests/bench/funds.sh's settlement: what one posting is at
-- its least, on one hot account row, as pgbench runs it: the guarded
-- balance UPDATE and the transfer INSERT, in one transaction, on copies of
-- ledger_accounts and ledger_transfers (same columns, CHECKs and indexes).
\set amount random(1, 1000)
BEGIN;
UPDATE bench_accounts SET balance = balance + :amount
 WHERE id = 1 AND balance + :amount - held >= 0;
INSERT INTO bench_transfers (event_key, leg, debit_account_id, credit_account_id, amount_cents,
                             kind, cause, cause_id, debit_balance_after, credit_balance_after,
                             created_at)
VALUES ('pgbench:' || pg_current_xact_id(), 1, 2, 1, :amount, 'settlement', 'order', 1, 0, 0,
        now());
END;
