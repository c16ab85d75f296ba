-- Funds (资金): a double-entry ledger in integer fen. Money lives in
-- accounts whose balance is stored on the account row; it moves only by
-- transfers, insert-only rows that take an amount from one account (the
-- debit) to another (the credit) and are written in the same transaction
-- as both balances. The rules live in db/sql: ledger_post, ledger_hold*,
-- funds_order_* (see docs/funds.md for the postings of each business event).
--
-- Sign convention, for every account: balance = credits - debits. A shop's
-- pending, available, deposit and promotion hold what the platform owes the
-- shop (never below zero); its debt holds, negated, what the shop owes the
-- platform (never above zero). Platform accounts follow the same rule:
-- provider_clearing goes negative by what the payment provider holds for
-- the platform, fee_revenue is the fees earned. Every transfer adds to one
-- balance what it takes from another, so all balances sum to zero.

CREATE TABLE ledger_accounts (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id bigint REFERENCES shops (id),
  kind    text NOT NULL CHECK (kind IN ('pending', 'available', 'deposit', 'promotion', 'debt',
                                        'provider_clearing', 'fee_revenue', 'payout_clearing',
                                        'platform_promotion')),
  shard   smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15),
  balance bigint NOT NULL DEFAULT 0,
  held    bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  CONSTRAINT ledger_accounts_owner
    CHECK ((shop_id IS NULL) = (kind IN ('provider_clearing', 'fee_revenue', 'payout_clearing',
                                         'platform_promotion'))),
  CONSTRAINT ledger_accounts_shop_unsharded CHECK (shop_id IS NULL OR shard = 0),
  -- No overdraft, counting money held for withdrawals in flight. These
  -- CHECKs are what ledger_balance_ok tells before a posting is attempted.
  CONSTRAINT ledger_accounts_no_overdraft
    CHECK (kind NOT IN ('available', 'deposit', 'promotion') OR balance - held >= 0),
  CONSTRAINT ledger_accounts_pending_covered CHECK (kind <> 'pending' OR balance >= 0),
  CONSTRAINT ledger_accounts_debt_owed CHECK (kind <> 'debt' OR balance <= 0),
  CONSTRAINT ledger_accounts_holdable CHECK (held = 0 OR kind IN ('available', 'deposit', 'promotion')),
  UNIQUE (shop_id, kind)
);
COMMENT ON TABLE ledger_accounts IS 'ledger accounts in fen: five per shop, each platform kind in 16 shards; balance = credits - debits, held = money reserved by open holds';
COMMENT ON COLUMN ledger_accounts.shard IS 'platform accounts only: a shop''s postings use shard shop_id % 16 (ledger_account), so shops do not all queue on one row lock; the platform''s balance of a kind is the sum of its shards';
COMMENT ON COLUMN ledger_accounts.held IS 'money of the balance reserved by ledger_holds still held (withdrawals in flight): it cannot be spent or held again';
CREATE UNIQUE INDEX ledger_accounts_platform ON ledger_accounts (kind, shard) WHERE shop_id IS NULL;

CREATE TABLE ledger_transfers (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_key            text NOT NULL CHECK (char_length(event_key) BETWEEN 1 AND 200),
  leg                  smallint NOT NULL CHECK (leg BETWEEN 1 AND 16),
  debit_account_id     bigint NOT NULL REFERENCES ledger_accounts (id),
  credit_account_id    bigint NOT NULL REFERENCES ledger_accounts (id),
  amount_cents         bigint NOT NULL CHECK (amount_cents > 0),
  kind                 text NOT NULL CHECK (kind IN ('payment', 'platform_discount', 'settlement',
                                                     'service_fee', 'fee_return', 'debt_repayment',
                                                     'refund', 'clawback', 'withdrawal',
                                                     'withdrawal_returned', 'topup', 'adjustment')),
  cause                text NOT NULL CHECK (cause IN ('order', 'after_sale', 'review_close',
                                                      'withdrawal', 'topup', 'adjustment')),
  cause_id             bigint NOT NULL,
  debit_balance_after  bigint NOT NULL,
  credit_balance_after bigint NOT NULL,
  created_at           timestamptz NOT NULL,
  CONSTRAINT ledger_transfers_two_accounts CHECK (debit_account_id <> credit_account_id),
  -- A business event posts once: its legs share the event key, numbered from 1.
  CONSTRAINT ledger_transfers_event UNIQUE (event_key, leg)
);
COMMENT ON TABLE ledger_transfers IS 'insert-only: each row moves amount_cents from the debit account to the credit account; a mistake is corrected by a reversing transfer';
COMMENT ON COLUMN ledger_transfers.event_key IS 'the business event, such as order:42:paid; legs of one event share it and are numbered by leg';
COMMENT ON COLUMN ledger_transfers.kind IS 'what the leg is for a statement: payment, settlement, service_fee, refund, clawback...';
COMMENT ON COLUMN ledger_transfers.cause_id IS 'the id of what caused it: the order (order, review_close), the after-sales request, the withdrawal, the top-up, the adjustment';
COMMENT ON COLUMN ledger_transfers.debit_balance_after IS 'the debit account''s balance right after this row, so a statement shows it without summing';
COMMENT ON COLUMN ledger_transfers.credit_balance_after IS 'the credit account''s balance right after this row';
-- An account's flow, newest first, is the merge of these two walks: a
-- keyset page from (account, id < cursor) costs the same at any depth.
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, id DESC);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, id DESC);

-- Two-phase transfers (withdrawals): a hold reserves money of an account
-- (held), then is posted (one transfer out of the account) or voided.
CREATE TABLE ledger_holds (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_key    text NOT NULL UNIQUE CHECK (char_length(event_key) BETWEEN 1 AND 200),
  account_id   bigint NOT NULL REFERENCES ledger_accounts (id),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  cause        text NOT NULL CHECK (cause IN ('order', 'after_sale', 'review_close', 'withdrawal',
                                              'topup', 'adjustment')),
  cause_id     bigint NOT NULL,
  status       text NOT NULL CHECK (status IN ('held', 'posted', 'voided')),
  transfer_id  bigint REFERENCES ledger_transfers (id),
  created_at   timestamptz NOT NULL,
  resolved_at  timestamptz,
  CHECK ((status = 'held') = (resolved_at IS NULL)),
  CHECK ((status = 'posted') = (transfer_id IS NOT NULL))
);
COMMENT ON TABLE ledger_holds IS 'money reserved on an account (its held) until posted as one transfer or voided; resolved once (ledger_hold_guard)';
CREATE INDEX ledger_holds_open ON ledger_holds (account_id) WHERE status = 'held';

-- Per shop: the settings of its funds and the counters that explain its
-- balances, kept in the same transactions as the rows they count.
CREATE TABLE shop_funds (
  shop_id           bigint PRIMARY KEY REFERENCES shops (id),
  fee_bps           integer NOT NULL DEFAULT 60 CHECK (fee_bps BETWEEN 0 AND 10000),
  pending_orders    integer NOT NULL DEFAULT 0 CHECK (pending_orders >= 0),
  after_sale_orders integer NOT NULL DEFAULT 0 CHECK (after_sale_orders >= 0),
  after_sale_cents  bigint NOT NULL DEFAULT 0 CHECK (after_sale_cents >= 0),
  CHECK (after_sale_orders <= pending_orders)
);
COMMENT ON TABLE shop_funds IS 'a shop''s funds settings and counters (kept by order_funds_count): one read explains its balances';
COMMENT ON COLUMN shop_funds.fee_bps IS 'technical service fee in basis points of each settled order, rounded half up per order';
COMMENT ON COLUMN shop_funds.pending_orders IS 'orders whose money is in pending (order_funds.state pending or awaiting_after_sale)';
COMMENT ON COLUMN shop_funds.after_sale_orders IS 'completed orders whose settlement waits for an open after-sales request';
COMMENT ON COLUMN shop_funds.after_sale_cents IS 'the pending money of those orders';

-- Each paid order's money: where it is, and its settlement. Settled and
-- refunded are final (order_funds_guard), so an order settles once.
CREATE TABLE order_funds (
  order_id           bigint PRIMARY KEY REFERENCES orders (id),
  shop_id            bigint NOT NULL REFERENCES shops (id),
  state              text NOT NULL CHECK (state IN ('pending', 'awaiting_after_sale', 'settled',
                                                    'refunded')),
  paid_cents         bigint NOT NULL CHECK (paid_cents >= 0),
  pending_cents      bigint NOT NULL CHECK (pending_cents >= 0),
  settled_cents      bigint CHECK (settled_cents >= 0),
  fee_bps            integer CHECK (fee_bps BETWEEN 0 AND 10000),
  fee_cents          bigint CHECK (fee_cents >= 0),
  clawed_back_cents  bigint NOT NULL DEFAULT 0 CHECK (clawed_back_cents >= 0),
  fee_returned_cents bigint NOT NULL DEFAULT 0 CHECK (fee_returned_cents >= 0),
  paid_at            timestamptz NOT NULL,
  settled_at         timestamptz,
  -- The order's own money never goes negative: what leaves it is at most
  -- what came in, at every step.
  CHECK (pending_cents <= paid_cents),
  CHECK (settled_cents <= paid_cents),
  CHECK (fee_cents <= settled_cents),
  CHECK (clawed_back_cents <= coalesce(settled_cents, 0)),
  CHECK (fee_returned_cents <= coalesce(fee_cents, 0)),
  CHECK ((state = 'settled') = (settled_at IS NOT NULL)),
  CHECK ((settled_at IS NULL) = (settled_cents IS NULL) AND (settled_at IS NULL) = (fee_bps IS NULL)
         AND (settled_at IS NULL) = (fee_cents IS NULL)),
  CHECK (state IN ('pending', 'awaiting_after_sale') OR pending_cents = 0)
);
COMMENT ON TABLE order_funds IS 'a paid order''s money: pending until settled (or refunded), then its settlement, what was clawed back and the fee returned';
COMMENT ON COLUMN order_funds.pending_cents IS 'this order''s part of the shop''s pending: paid less refunds before settlement';
COMMENT ON COLUMN order_funds.settled_cents IS 'moved from pending to available at settlement, before the fee';
COMMENT ON COLUMN order_funds.fee_cents IS 'the service fee charged at settlement: funds_fee(settled_cents, fee_bps)';
COMMENT ON COLUMN order_funds.clawed_back_cents IS 'refunded after settlement (taken back from available, deposit or debt)';
COMMENT ON COLUMN order_funds.fee_returned_cents IS 'fee given back with refunds after settlement: the fee kept is always funds_fee(settled - clawed back)';

-- The accounts of the platform (four kinds in 16 shards) and of every shop.
INSERT INTO ledger_accounts (kind, shard)
SELECT k, s
  FROM unnest(ARRAY['provider_clearing', 'fee_revenue', 'payout_clearing', 'platform_promotion']) k,
       generate_series(0, 15) s
 ORDER BY k, s;
INSERT INTO ledger_accounts (shop_id, kind)
SELECT s.id, k FROM shops s, unnest(ARRAY['pending', 'available', 'deposit', 'promotion', 'debt']) k
 ORDER BY s.id, k;
INSERT INTO shop_funds (shop_id) SELECT id FROM shops ORDER BY id;

-- Orders paid before the ledger and not settled (there was no settlement
-- before it): paid or shipped, or completed with an after-sales request
-- open. They enter it as if their payment had posted then, for what is left
-- after refunds, so they settle or refund later like any order. Orders that
-- completed or closed before the ledger stay outside it: funds_order_*
-- leave an order without an order_funds row alone.
INSERT INTO order_funds (order_id, shop_id, state, paid_cents, pending_cents, paid_at)
SELECT o.id, o.shop_id, CASE WHEN o.status = 'completed' THEN 'awaiting_after_sale' ELSE 'pending' END,
       o.paid_cents, o.paid_cents - o.refunded_cents, o.paid_at
  FROM orders o
 WHERE o.status IN ('paid', 'shipped') OR (o.status = 'completed' AND o.after_sales_open)
 ORDER BY o.id;
INSERT INTO ledger_transfers (event_key, leg, debit_account_id, credit_account_id, amount_cents, kind,
                              cause, cause_id, debit_balance_after, credit_balance_after, created_at)
SELECT 'order:' || f.order_id || ':paid', 1, c.id, p.id, f.pending_cents, 'payment', 'order', f.order_id,
       -sum(f.pending_cents) OVER (PARTITION BY c.id ORDER BY f.paid_at, f.order_id),
       sum(f.pending_cents) OVER (PARTITION BY p.id ORDER BY f.paid_at, f.order_id), f.paid_at
  FROM order_funds f
  JOIN ledger_accounts p ON p.shop_id = f.shop_id AND p.kind = 'pending'
  JOIN ledger_accounts c ON c.shop_id IS NULL AND c.kind = 'provider_clearing' AND c.shard = f.shop_id % 16
 WHERE f.pending_cents > 0
 ORDER BY f.paid_at, f.order_id;
UPDATE ledger_accounts a SET balance = m.balance
  FROM (SELECT id, sum(delta) AS balance
          FROM (SELECT credit_account_id AS id, amount_cents AS delta FROM ledger_transfers
                UNION ALL
                SELECT debit_account_id, -amount_cents FROM ledger_transfers) t
         GROUP BY id) m
 WHERE a.id = m.id;
UPDATE shop_funds s
   SET pending_orders = c.n, after_sale_orders = c.waiting, after_sale_cents = c.waiting_cents
  FROM (SELECT shop_id, count(*) AS n, count(*) FILTER (WHERE state = 'awaiting_after_sale') AS waiting,
               coalesce(sum(pending_cents) FILTER (WHERE state = 'awaiting_after_sale'), 0) AS waiting_cents
          FROM order_funds GROUP BY shop_id) c
 WHERE s.shop_id = c.shop_id;

-- Triggers. Their functions' bodies are in db/sql (applied after the
-- migrations, in the same transaction): a migration must name an existing
-- function, so each is declared here as a stub that refuses to run, and the
-- function file replaces it before anything commits.
CREATE FUNCTION shop_funds_open() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'shop_funds_open: a stub, db/sql/shop_funds_open.sql defines it'; END$$;
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'ledger_refuse_change: a stub, db/sql/ledger_refuse_change.sql defines it'; END$$;
CREATE FUNCTION ledger_hold_guard() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'ledger_hold_guard: a stub, db/sql/ledger_hold_guard.sql defines it'; END$$;
CREATE FUNCTION order_funds_guard() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'order_funds_guard: a stub, db/sql/order_funds_guard.sql defines it'; END$$;
CREATE FUNCTION order_funds_count() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'order_funds_count: a stub, db/sql/order_funds_count.sql defines it'; END$$;

-- A shop opens with its accounts and funds row, whoever inserts it.
CREATE TRIGGER shops_funds_open AFTER INSERT ON shops
  FOR EACH ROW EXECUTE FUNCTION shop_funds_open();
-- Transfers are never changed or removed; accounts, holds and order funds
-- are never removed (their rows are what the transfers add up to).
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_kept BEFORE DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_holds_kept BEFORE DELETE ON ledger_holds
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_holds_no_truncate BEFORE TRUNCATE ON ledger_holds
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_holds_resolve_once BEFORE UPDATE ON ledger_holds
  FOR EACH ROW EXECUTE FUNCTION ledger_hold_guard();
CREATE TRIGGER order_funds_kept BEFORE DELETE ON order_funds
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER order_funds_no_truncate BEFORE TRUNCATE ON order_funds
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER order_funds_settle_once BEFORE UPDATE ON order_funds
  FOR EACH ROW EXECUTE FUNCTION order_funds_guard();
CREATE TRIGGER order_funds_counts AFTER INSERT OR UPDATE ON order_funds
  FOR EACH ROW EXECUTE FUNCTION order_funds_count();
