-- Articles and questions merchants see whose title or body contains
-- p_query (lower-cased, taken literally: Chinese substrings too), found by
-- the grams index (community_grams, 0036_community.sql): newest first
-- (p_sort 'new', key the publish time in microseconds) or by relevance
-- ('relevance', key 1000 x occurrences in the title + occurrences in the
-- body, at most 999 counted), after the keyset (p_key, p_id) when p_id > 0.
-- EXECUTE plans with the values, so the query's grams are constants the
-- index can use.
CREATE OR REPLACE FUNCTION community_search(p_query text, p_sort text, p_key bigint, p_id bigint,
                                            p_limit integer, p_now timestamptz)
RETURNS TABLE (id bigint, key bigint) STABLE ROWS 20 LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE
    'SELECT m.id, m.key FROM ('
    '  SELECT a.id, CASE WHEN $2 = ''new'' THEN ts_to_us(a.publish_at)'
    '    ELSE 1000 * ((char_length(a.title) - char_length(replace(lower(a.title), lower($1), '''')))'
    '                 / char_length($1))'
    '         + least(999, (char_length(a.body_markdown)'
    '                       - char_length(replace(lower(a.body_markdown), lower($1), '''')))'
    '                      / char_length($1)) END AS key'
    '    FROM community_articles a'
    '   WHERE a.grams @> community_grams($1) AND a.hidden_at IS NULL AND a.publish_at <= $6'
    '     AND position(lower($1) IN lower(a.title || E''\n'' || a.body_markdown)) > 0) m'
    ' WHERE $4 = 0 OR (m.key, m.id) < ($3, $4)'
    ' ORDER BY m.key DESC, m.id DESC LIMIT $5'
    USING p_query, p_sort, p_key, p_id, p_limit, p_now;
END
$$;
