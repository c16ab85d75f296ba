-- order_create returns the order it placed beside its result code (the
-- column placed), so that the reply needs no second statement: its return
-- type changes, which CREATE OR REPLACE cannot do. db/sql/order_create.sql
-- makes it again right after the migrations, in the same transaction.
DROP FUNCTION order_create(bigint, bigint, jsonb, jsonb, text, timestamptz, timestamptz, bigint);
