-- The shop's order tab counts (shop_order_counts) move at commit, not at
-- the order's UPDATE: a deferred constraint trigger, still in the same
-- transaction and still for every write whatever its origin. The count rows
-- of a shop are among its hottest (every status change of every order of
-- the shop moves two of them); taken at the order's UPDATE, they stayed
-- locked through everything the transaction did after it (a settlement's
-- whole posting), so a hot shop's transactions ran one after the other for
-- nearly their whole length. At commit they are the last rows locked, on
-- every path, so the lock order stays one: order rows, order_funds, ledger
-- accounts, shop_funds, then the counts (docs/funds.md, Locks).
DROP TRIGGER orders_counts ON orders;
CREATE CONSTRAINT TRIGGER orders_counts AFTER INSERT OR UPDATE ON orders
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION order_counts_keep();
