-- The community benchmark's data (tests/bench/community.sh): :articles
-- staff articles published over the last 60 days across the categories,
-- :accounts merchants, and :likes likes spread over the articles (each
-- account likes likes/accounts distinct articles), the counters set as
-- the functions keep them, then the hot ranks computed as the job does.
\set ON_ERROR_STOP 1
INSERT INTO accounts (role, username, display_name, password_hash, created_at, permissions)
VALUES ('staff', 'communitybenchstaff', '平台小二', '$argon2id$v=19$none', now(), '{community}');
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
SELECT 'merchant', 'communitybench' || g, '商家 ' || g, '$argon2id$v=19$none', now()
  FROM generate_series(1, :accounts) g;
INSERT INTO community_articles (kind, author_id, title, body_markdown, body_html, category, tags,
                                publish_at, created_at, updated_at, views)
SELECT 'article', s.id, '经营干货 第 ' || g || ' 期: 店铺运营', '**正文** ' || g, '<p><strong>正文</strong> ' || g || '</p>\n',
       (ARRAY['经营干货', '平台规则', '活动解读', '新手入门'])[1 + g % 4], '{运营}',
       now() - (g % 86400) * interval '60 seconds', now(), now(), (g * 7919) % 500
  FROM generate_series(1, :articles) g, accounts s WHERE s.username = 'communitybenchstaff';
-- Account k likes the articles (k * 7919 + j * 197) mod :articles, j = 1..n:
-- distinct for each account, as 197 and the article count share no factor.
INSERT INTO community_likes (article_id, account_id, created_at)
SELECT f.first + (a.k * 7919 + j * 197) % :articles, a.id, now()
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM accounts
         WHERE username ~ '^communitybench[0-9]+$') a,
       (SELECT min(id) AS first FROM community_articles) f,
       generate_series(1, :likes / :accounts) j;
UPDATE community_articles c SET likes = l.n
  FROM (SELECT article_id, count(*) AS n FROM community_likes GROUP BY article_id) l
 WHERE l.article_id = c.id;
SELECT community_hot_refresh(now());
VACUUM ANALYZE community_articles;
VACUUM ANALYZE community_likes;
