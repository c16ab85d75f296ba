-- A report as the API shows it; for staff (p_staff) with the comment and
-- its article's title.
CREATE OR REPLACE FUNCTION community_report_json(r community_reports, p_staff boolean)
RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('id', r.id, 'comment_id', r.comment_id, 'reason', r.reason,
                            'status', r.status, 'created_at', campaign_ts(r.created_at),
                            'decided_at', campaign_ts(r.decided_at))
         || CASE WHEN p_staff THEN (
              SELECT jsonb_build_object('reporter_id', r.reporter_id,
                                        'comment', community_comment_json(c, true),
                                        'article', jsonb_build_object('id', a.id, 'title', a.title))
                FROM community_comments c JOIN community_articles a ON a.id = c.article_id
               WHERE c.id = r.comment_id)
            ELSE '{}'::jsonb END
$$;
