-- An article or question as the API shows it. p_mode: 'feed' (a list's
-- row: no body), 'read' (a merchant's read: the HTML body, and whether
-- p_viewer likes and bookmarked it) or 'staff' (the HTML and the Markdown,
-- the status, when it was hidden, when its asker deleted it).
CREATE OR REPLACE FUNCTION community_article_json(a community_articles, p_viewer bigint,
                                                  p_mode text, p_now timestamptz)
RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
           'id', a.id, 'kind', a.kind, 'title', a.title, 'category', a.category,
           'tags', to_jsonb(a.tags),
           'cover', (SELECT jsonb_build_object('image_id', i.id,
                                               'url', '/media/' || i.sha256 || '_800.webp',
                                               'thumbnail_url', '/media/' || i.sha256 || '_200.webp',
                                               'width', i.width, 'height', i.height)
                       FROM images i WHERE i.id = a.cover_image_id),
           'author', (SELECT jsonb_build_object('id', u.id, 'display_name', u.display_name,
                                                'official', u.role = 'staff')
                        FROM accounts u WHERE u.id = a.author_id),
           'publish_at', campaign_ts(a.publish_at), 'pinned', a.pinned,
           'views', a.views, 'likes', a.likes, 'bookmarks', a.bookmarks, 'comments', a.comments,
           'accepted_comment_id', a.accepted_comment_id,
           'created_at', campaign_ts(a.created_at), 'updated_at', campaign_ts(a.updated_at))
         || CASE p_mode
              WHEN 'feed' THEN '{}'::jsonb
              WHEN 'read' THEN jsonb_build_object(
                'body_html', a.body_html,
                'liked', EXISTS (SELECT 1 FROM community_likes l
                                  WHERE l.article_id = a.id AND l.account_id = p_viewer),
                'bookmarked', EXISTS (SELECT 1 FROM community_bookmarks b
                                       WHERE b.article_id = a.id AND b.account_id = p_viewer))
              ELSE jsonb_build_object(
                'body_html', a.body_html, 'body_markdown', a.body_markdown,
                'status', CASE WHEN a.hidden_at IS NOT NULL THEN 'hidden'
                               WHEN a.publish_at > p_now THEN 'scheduled'
                               ELSE 'published' END,
                'hidden_at', campaign_ts(a.hidden_at), 'deleted_at', campaign_ts(a.deleted_at))
            END
$$;
