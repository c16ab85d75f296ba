-- A coupon's status at p_now; the order of the tests is the precedence
-- (stopped > ended > sold_out > not_started > claiming). Plain SQL, so that
-- list filters inline it.
CREATE OR REPLACE FUNCTION coupon_status(p_stopped_at timestamptz, p_claim_start timestamptz,
                              p_claim_end timestamptz, p_claimed integer, p_total integer,
                              p_now timestamptz) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE WHEN p_stopped_at IS NOT NULL THEN 'stopped'
              WHEN p_now >= p_claim_end THEN 'ended'
              WHEN p_claimed >= p_total THEN 'sold_out'
              WHEN p_now < p_claim_start THEN 'not_started'
              ELSE 'claiming' END
$$;
