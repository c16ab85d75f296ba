-- us_to_ts is meant to be inlined into the statements that call it (see
-- 0001), but it never was: it is declared IMMUTABLE while its body adds an
-- interval to a timestamptz, which PostgreSQL rates STABLE, and the planner
-- inlines a SQL function only when the body is no more volatile than the
-- declaration says. Every call parsed and planned the body again; on a
-- coupon claim that was a tenth of PostgreSQL's time. Declared as volatile
-- as its body, it is inlined. Nothing depends on it being IMMUTABLE: no
-- index, constraint or default uses it.
ALTER FUNCTION us_to_ts(bigint) STABLE;
