-- Share links (分享链接, "1键分享店铺站外轻松引流"): a short public URL
-- /s/<code> for a shop page or a product page, made for one channel
-- (WeChat, Weibo, a poster...). A visit redirects to the page and is
-- counted: hits, distinct visitors of each day (MERCHANTD_TZ days) and of
-- all time, and one page view with source share_<channel>. The counters
-- are kept with the visit, in the same transaction (share_link_visit), so
-- they are exact under concurrency and read in O(1). Definitions:
-- docs/data.md "Share links".

CREATE TABLE share_links (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id       bigint NOT NULL REFERENCES shops (id),
  product_id    bigint REFERENCES products (id),
  channel       text NOT NULL CHECK (channel ~ '^[a-z][a-z0-9_]{0,25}$'),
  code          text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-Za-z]{10}$'),
  created_by    bigint NOT NULL REFERENCES accounts (id),
  created_at    timestamptz NOT NULL,
  hits          bigint NOT NULL DEFAULT 0 CHECK (hits >= 0),
  visitors      bigint NOT NULL DEFAULT 0 CHECK (visitors >= 0 AND visitors <= hits),
  last_visit_at timestamptz,
  UNIQUE NULLS NOT DISTINCT (shop_id, product_id, channel)
);
COMMENT ON TABLE share_links IS 'a shop''s share links: /s/<code> leads to the shop page (product_id NULL) or a product page; one link per shop, product and channel';
COMMENT ON COLUMN share_links.code IS '10 base62 characters from libsodium randombytes (about 59.5 bits): not guessable from ids';
COMMENT ON COLUMN share_links.hits IS 'visits (GET /s/<code>) ever';
COMMENT ON COLUMN share_links.visitors IS 'distinct visitors (the visitor cookie) ever';
CREATE INDEX share_links_shop ON share_links (shop_id, id);

CREATE TABLE share_link_days (
  link_id  bigint NOT NULL REFERENCES share_links (id),
  day      date NOT NULL,
  hits     bigint NOT NULL CHECK (hits > 0),
  visitors bigint NOT NULL CHECK (visitors >= 0 AND visitors <= hits),
  PRIMARY KEY (link_id, day)
);
COMMENT ON TABLE share_link_days IS 'a share link''s visits per MERCHANTD_TZ day: hits and distinct visitors of that day';

CREATE TABLE share_link_visitors (
  link_id  bigint NOT NULL REFERENCES share_links (id),
  visitor  text NOT NULL CHECK (visitor ~ '^[A-Za-z0-9_-]{8,64}$'),
  first_at timestamptz NOT NULL,
  PRIMARY KEY (link_id, visitor)
);
COMMENT ON TABLE share_link_visitors IS 'who has visited a share link (the visitor cookie), for share_links.visitors';

CREATE TABLE share_link_day_visitors (
  link_id bigint NOT NULL REFERENCES share_links (id),
  day     date NOT NULL,
  visitor text NOT NULL CHECK (visitor ~ '^[A-Za-z0-9_-]{8,64}$'),
  PRIMARY KEY (link_id, day, visitor)
);
COMMENT ON TABLE share_link_day_visitors IS 'who was counted in share_link_days.visitors of a day; the job prune_share_visitors drops days that ended more than 7 days ago';
CREATE INDEX share_link_day_visitors_day ON share_link_day_visitors (day);
