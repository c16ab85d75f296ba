-- The grams a title must have to contain p_text (lower-cased by the
-- caller), for products_search_grams: its pairs of adjacent characters, or
-- the character itself when it is one. A title's grams (community_grams)
-- also hold every single character, but each of p_text's characters is in
-- one of its pairs, and the planner multiplies the frequencies of the
-- grams it is given as if they were independent: 牛 x 奶 x 牛奶 would make
-- 牛奶, one title in forty, look rare.
CREATE OR REPLACE FUNCTION search_grams(p_text text) RETURNS text[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE WHEN char_length(p_text) < 2 THEN ARRAY[p_text]
              ELSE ARRAY(SELECT DISTINCT g
                           FROM (SELECT substr(p_text, i, 2) AS g
                                   FROM generate_series(1, char_length(p_text) - 1) i) s
                          WHERE g !~ '^\s+$') END
$$;
