-- The amount of the next grab of a red packet that has had p_grabbed grabs
-- taking p_grabbed_cents of p_total over p_count, given p_rand uniform in
-- [0, 1). Every amount is at least 1 fen, and the last grab takes exactly
-- what is left, so the count grabs add up to p_total:
--   - equal: p_total / p_count each, the first p_total % p_count grabs one
--     fen more;
--   - lucky ("double mean"): uniform over whole fen in [1, u], u = 2 x the
--     mean of what is left, less 1 (never more than leaves 1 fen for each
--     grab after this one); the last grab takes the rest. Each grab's
--     expected amount is the mean of what is left, so early and late grabs
--     are worth the same on average.
-- Pure: red_packet_split calls it for each grab in turn when the packet is
-- handed out.
CREATE OR REPLACE FUNCTION red_packet_amount(p_kind text, p_total bigint, p_count integer,
                                             p_grabbed integer, p_grabbed_cents bigint,
                                             p_rand double precision)
RETURNS bigint IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE
    WHEN p_count - p_grabbed <= 1 THEN p_total - p_grabbed_cents
    WHEN p_kind = 'equal' THEN
      p_total / p_count + CASE WHEN p_grabbed < p_total % p_count THEN 1 ELSE 0 END
    ELSE 1 + floor(p_rand * least(2 * (p_total - p_grabbed_cents) / (p_count - p_grabbed) - 1,
                                  (p_total - p_grabbed_cents) - (p_count - p_grabbed - 1)))::bigint
  END
$$;
