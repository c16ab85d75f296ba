-- How many of the newest messages the first pass reads.
CREATE OR REPLACE FUNCTION chat_search_window() RETURNS integer
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS 'SELECT 4000';
