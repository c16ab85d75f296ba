-- A comment as the API shows it; p_staff adds whether it is hidden (or
-- deleted by its author) and its open reports.
CREATE OR REPLACE FUNCTION community_comment_json(c community_comments, p_staff boolean)
RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
           'id', c.id, 'article_id', c.article_id, 'parent_id', c.parent_id,
           'author', (SELECT jsonb_build_object('id', u.id, 'display_name', u.display_name,
                                                'official', u.role = 'staff')
                        FROM accounts u WHERE u.id = c.author_id),
           'body', c.body, 'created_at', campaign_ts(c.created_at),
           'accepted', EXISTS (SELECT 1 FROM community_articles a
                                WHERE a.id = c.article_id AND a.accepted_comment_id = c.id))
         || CASE WHEN p_staff THEN jsonb_build_object(
              'hidden_at', campaign_ts(c.hidden_at), 'deleted_at', campaign_ts(c.deleted_at),
              'open_reports', (SELECT count(*) FROM community_reports r
                                WHERE r.comment_id = c.id AND r.status = 'open'))
            ELSE '{}'::jsonb END
$$;
