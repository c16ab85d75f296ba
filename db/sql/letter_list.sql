-- Order numbers as a letter's text lists them: the first 50, then how many.
CREATE OR REPLACE FUNCTION letter_list(p_items text[]) RETURNS text
IMMUTABLE LANGUAGE sql AS $$
  SELECT array_to_string(p_items[1:50], '、')
         || CASE WHEN cardinality(p_items) > 50
                 THEN format('等%s笔', cardinality(p_items)) ELSE '' END
$$;
