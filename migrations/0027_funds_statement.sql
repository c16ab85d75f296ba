-- Funds statement and reconciliation (issue 14): what the flows list, the
-- signed statement and `merchantd funds check` need beyond 0025_funds.sql.

-- A time window is cut at posting positions: from and to each become the
-- account's last transfer posted before that time (ledger_position), found
-- by walking these indexes backwards one row, so a window costs the same
-- whatever it covers and however old it is. The flows and the statement
-- then walk ids between the two positions on the (account, id DESC)
-- indexes of 0025_funds.sql.
CREATE INDEX ledger_transfers_debit_time ON ledger_transfers (debit_account_id, created_at, id);
CREATE INDEX ledger_transfers_credit_time ON ledger_transfers (credit_account_id, created_at, id);

-- Every walk of an account's transfers has the account and an id bound,
-- and two ways to go: the (account, id) index from the bound, or the
-- primary key from the bound, filtering on the account. The planner prices
-- the second by the number of distinct accounts it has seen; while few
-- accounts have transfers (a young ledger, one big shop among quiet ones)
-- it takes the primary key, which then reads every transfer of the others
-- to find the few of a quiet account: a second for a page of a million-row
-- ledger instead of a millisecond. The figure set here is not a count: it
-- only has to be large enough to keep the planner on the account indexes,
-- which for a walk of one account are never worse than the primary key
-- (they read that account's rows only, already in order).
ALTER TABLE ledger_transfers ALTER COLUMN debit_account_id SET (n_distinct = -0.01),
                             ALTER COLUMN credit_account_id SET (n_distinct = -0.01);
ANALYZE ledger_transfers;

-- Each run of the reconciliation, from the nightly job or the command line:
-- the metric reads the latest, so every instance reports the same.
CREATE TABLE funds_check_runs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  checked_at  timestamptz NOT NULL,
  source      text NOT NULL CHECK (source IN ('job', 'cli')),
  differences integer NOT NULL CHECK (differences >= 0),
  duration_ms integer NOT NULL CHECK (duration_ms >= 0)
);
COMMENT ON TABLE funds_check_runs IS 'runs of the funds reconciliation (funds_check_* functions): how many differences each found';
