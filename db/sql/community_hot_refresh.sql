-- The community_hot job: the hot score of every article published in the
-- last 30 days, (likes + 2 comments + bookmarks + views / 10) / (age in
-- hours + 2)^1.5, stored times 10^6 in hot_rank so that the hot feed is an
-- index scan; an article's rank drops to 0 in its 31st day (the job runs
-- every minute). A rank is rewritten only when it moved by 1 % or more (or
-- to or from 0): the decay alone moves a day-old article's by about 0.1 %
-- a minute, so most rows are left alone most minutes. Returns how many
-- were written.
CREATE OR REPLACE FUNCTION community_hot_refresh(p_now timestamptz) RETURNS bigint
LANGUAGE sql AS $$
  WITH s AS (
    SELECT a.id,
           CASE WHEN a.publish_at > p_now - interval '30 days' AND a.publish_at <= p_now
                THEN round(1e6 * (a.likes + 2 * a.comments + a.bookmarks + a.views / 10.0)
                           / power(extract(epoch FROM p_now - a.publish_at) / 3600.0 + 2, 1.5))::bigint
                ELSE 0 END AS rank
      FROM community_articles a
     WHERE a.publish_at > p_now - interval '31 days'),
  u AS (UPDATE community_articles a SET hot_rank = s.rank FROM s
         WHERE a.id = s.id AND a.hot_rank <> s.rank
           AND (s.rank = 0 OR a.hot_rank = 0 OR abs(s.rank - a.hot_rank) * 100 >= greatest(s.rank, a.hot_rank))
        RETURNING 1)
  SELECT count(*) FROM u
$$;
