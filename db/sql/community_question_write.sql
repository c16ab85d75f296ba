-- The asker changes their own question: p_body holds the fields the
-- handler checked (title, body, tags; each optional), p_html the body
-- rendered and sanitised (markdown_render; NULL when body is absent). The
-- grams follow (a generated column). 'not_found' for another's question,
-- an article, or a question hidden or deleted.
CREATE OR REPLACE FUNCTION community_question_write(p_id bigint, p_author bigint, p_body jsonb,
                                                    p_html text, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
  v_tags text[];
BEGIN
  IF p_body ? 'tags' THEN
    SELECT coalesce(array_agg(DISTINCT t), '{}') INTO v_tags
      FROM jsonb_array_elements_text(p_body -> 'tags') t;
  END IF;
  UPDATE community_articles c
     SET title = coalesce(p_body ->> 'title', c.title),
         body_markdown = coalesce(p_body ->> 'body', c.body_markdown),
         body_html = coalesce(p_html, c.body_html),
         tags = coalesce(v_tags, c.tags),
         updated_at = p_now
   WHERE c.id = p_id AND c.kind = 'question' AND c.author_id = p_author
     AND community_visible(c, p_now)
  RETURNING * INTO a;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY SELECT 'ok', community_article_json(a, p_author, 'read', p_now);
END
$$;
