-- The inverse of us_to_ts, read through float8 rather than numeric, which
-- costs several times more on every row. Exact: until the year 2255 the
-- seconds as a double are within a quarter of a microsecond of the truth,
-- and round() removes that.
CREATE OR REPLACE FUNCTION ts_to_us(timestamptz) RETURNS bigint
STABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$ SELECT round(date_part('epoch', $1) * 1000000)::bigint $$;
