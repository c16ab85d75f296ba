-- The merchant community (商家社区, 经营干货专区): staff articles, merchants'
-- questions (问答), likes, bookmarks, views, comments with one level of
-- replies, reports and their moderation. Counters live on the article and
-- change in the same statement as the row they count, so they are exact
-- under concurrency and read in O(1). docs/community.md has the rules.

-- The search grams of a text, as chat_grams (0005_chat.sql) makes them:
-- every character and every pair of adjacent characters, lower-cased,
-- blanks alone left out. chat_grams takes substr at each position, which
-- costs the position itself in a multibyte text (quadratic: seconds for a
-- 20,000-character article); this walks the characters once.
CREATE FUNCTION community_grams(p_text text) RETURNS text[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
  SELECT coalesce(array_agg(DISTINCT v.g), '{}')
    FROM (SELECT u.c, lead(u.c) OVER (ORDER BY u.i) AS n
            FROM unnest(regexp_split_to_array(lower(p_text), '')) WITH ORDINALITY u (c, i)) x,
         LATERAL (VALUES (x.c), (x.c || x.n)) v (g)
   WHERE v.g IS NOT NULL AND v.g !~ '^\s+$'
$$;

CREATE TABLE community_articles (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind                text NOT NULL CHECK (kind IN ('article', 'question')),
  author_id           bigint NOT NULL REFERENCES accounts (id),
  title               text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
  body_markdown       text NOT NULL CHECK (char_length(body_markdown) BETWEEN 1 AND 20000),
  body_html           text NOT NULL,
  category            text NOT NULL
                      CHECK (category IN ('经营干货', '平台规则', '活动解读', '新手入门', '问答')),
  tags                text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
  cover_image_id      bigint REFERENCES images (id) ON DELETE SET NULL,
  publish_at          timestamptz NOT NULL,
  pinned              boolean NOT NULL DEFAULT false,
  hidden_at           timestamptz,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  views               bigint NOT NULL DEFAULT 0 CHECK (views >= 0),
  likes               bigint NOT NULL DEFAULT 0 CHECK (likes >= 0),
  bookmarks           bigint NOT NULL DEFAULT 0 CHECK (bookmarks >= 0),
  comments            bigint NOT NULL DEFAULT 0 CHECK (comments >= 0),
  hot_rank            bigint NOT NULL DEFAULT 0,
  accepted_comment_id bigint,
  grams               text[] GENERATED ALWAYS AS (community_grams(title || E'\n' || body_markdown)) STORED,
  CONSTRAINT community_articles_question CHECK (kind = 'article' OR category = '问答'),
  CONSTRAINT community_articles_accepted CHECK (accepted_comment_id IS NULL OR kind = 'question')
);
COMMENT ON TABLE community_articles IS 'community articles (staff, permission community) and merchants'' questions (kind question, category 问答); body_html is body_markdown rendered and sanitised by markdown_render';
COMMENT ON COLUMN community_articles.publish_at IS 'merchants see the article from this time on (scheduled publishing)';
COMMENT ON COLUMN community_articles.hot_rank IS 'the hot score times 10^6, recomputed every minute by the community_hot job for articles of the last 30 days (docs/community.md)';
COMMENT ON COLUMN community_articles.comments IS 'visible comments and replies';
COMMENT ON COLUMN community_articles.grams IS 'search grams of title and body (community_grams: every character and pair), for GET /v1/community/search';

-- The feeds walk these in order and stop at a page: hot and new, all
-- categories or one. Pinned articles are listed apart (the first page's
-- pinned[]), so the indexes leave them out.
CREATE INDEX community_articles_hot ON community_articles (hot_rank DESC, id DESC)
  WHERE hidden_at IS NULL AND NOT pinned;
CREATE INDEX community_articles_new ON community_articles (publish_at DESC, id DESC)
  WHERE hidden_at IS NULL AND NOT pinned;
CREATE INDEX community_articles_category_hot ON community_articles (category, hot_rank DESC, id DESC)
  WHERE hidden_at IS NULL AND NOT pinned;
CREATE INDEX community_articles_category_new ON community_articles (category, publish_at DESC, id DESC)
  WHERE hidden_at IS NULL AND NOT pinned;
CREATE INDEX community_articles_pinned ON community_articles (publish_at DESC, id DESC)
  WHERE hidden_at IS NULL AND pinned;
CREATE INDEX community_articles_recent ON community_articles (publish_at);
CREATE INDEX community_articles_grams ON community_articles USING gin (grams) WHERE hidden_at IS NULL;

CREATE TABLE community_likes (
  article_id bigint NOT NULL REFERENCES community_articles (id),
  account_id bigint NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (article_id, account_id)
);
COMMENT ON TABLE community_likes IS 'who likes an article; community_articles.likes counts the rows';

CREATE TABLE community_bookmarks (
  article_id bigint NOT NULL REFERENCES community_articles (id),
  account_id bigint NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (article_id, account_id)
);
COMMENT ON TABLE community_bookmarks IS 'who bookmarked an article; community_articles.bookmarks counts the rows';
CREATE INDEX community_bookmarks_account ON community_bookmarks (account_id, created_at DESC, article_id DESC);

CREATE TABLE community_views (
  article_id bigint NOT NULL REFERENCES community_articles (id),
  account_id bigint NOT NULL REFERENCES accounts (id),
  day        date NOT NULL,
  PRIMARY KEY (article_id, account_id, day)
);
COMMENT ON TABLE community_views IS 'who read an article on a MERCHANTD_TZ day: a read counts in community_articles.views when it inserts its row; the job prune_community_views drops days before yesterday';
CREATE INDEX community_views_day ON community_views (day);

CREATE TABLE community_comments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id bigint NOT NULL REFERENCES community_articles (id),
  parent_id  bigint REFERENCES community_comments (id),
  author_id  bigint NOT NULL REFERENCES accounts (id),
  body       text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL,
  hidden_at  timestamptz,
  hidden_by  bigint REFERENCES accounts (id)
);
COMMENT ON TABLE community_comments IS 'comments on articles and questions; a reply''s parent is a comment without a parent (one level), of the same article';
CREATE INDEX community_comments_article ON community_comments (article_id, id);
CREATE INDEX community_comments_parent ON community_comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX community_comments_author ON community_comments (author_id, created_at);

ALTER TABLE community_articles ADD CONSTRAINT community_articles_accepted_comment
  FOREIGN KEY (accepted_comment_id) REFERENCES community_comments (id);

CREATE TABLE community_reports (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  comment_id  bigint NOT NULL REFERENCES community_comments (id),
  reporter_id bigint NOT NULL REFERENCES accounts (id),
  reason      text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'hidden', 'dismissed')),
  created_at  timestamptz NOT NULL,
  decided_at  timestamptz,
  decided_by  bigint REFERENCES accounts (id),
  UNIQUE (comment_id, reporter_id),
  CHECK ((status = 'open') = (decided_at IS NULL))
);
COMMENT ON TABLE community_reports IS 'a merchant''s report of a comment (one per comment and reporter); the staff''s queue is the open ones, oldest first';
CREATE INDEX community_reports_queue ON community_reports (status, id);
CREATE INDEX community_reports_comment ON community_reports (comment_id) WHERE status = 'open';
