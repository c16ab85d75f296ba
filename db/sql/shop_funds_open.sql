-- A new shop's funds: its five ledger accounts and its settings and
-- counters row, in the transaction that inserts the shop, whatever inserts
-- it (the API, a script, a test).
CREATE OR REPLACE FUNCTION shop_funds_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_accounts (shop_id, kind)
  SELECT NEW.id, k FROM unnest(ARRAY['pending', 'available', 'deposit', 'promotion', 'debt']) k;
  INSERT INTO shop_funds (shop_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;
