-- Creates (p_id NULL) or changes an article, or creates a merchant's
-- question (p_kind 'question'). p_body holds the fields the handler checked
-- (title, body, category, tags, cover_image_id, publish_at in microseconds,
-- pinned, hidden);
-- p_html is body rendered and sanitised (markdown_render), given with it.
-- 'invalid_field' when cover_image_id names no image; 'not_found' when
-- there is no such article; 'invalid_state' for a question moved out of
-- 问答. A question its asker deleted stays hidden (0038_community_own.sql).
CREATE OR REPLACE FUNCTION community_article_write(p_id bigint, p_author bigint, p_kind text,
                                                   p_body jsonb, p_html text, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
  v_tags text[];
BEGIN
  IF p_body ? 'cover_image_id' AND jsonb_typeof(p_body -> 'cover_image_id') = 'number'
     AND NOT EXISTS (SELECT 1 FROM images i WHERE i.id = (p_body ->> 'cover_image_id')::bigint) THEN
    RETURN QUERY SELECT 'invalid_field', NULL::jsonb;
    RETURN;
  END IF;
  IF p_body ? 'tags' THEN
    SELECT coalesce(array_agg(DISTINCT t), '{}') INTO v_tags
      FROM jsonb_array_elements_text(p_body -> 'tags') t;
  END IF;
  IF p_id IS NULL THEN
    INSERT INTO community_articles (kind, author_id, title, body_markdown, body_html, category,
                                    tags, cover_image_id, publish_at, pinned, hidden_at,
                                    created_at, updated_at)
    VALUES (p_kind, p_author, p_body ->> 'title', p_body ->> 'body', p_html,
            CASE WHEN p_kind = 'question' THEN '问答' ELSE p_body ->> 'category' END,
            coalesce(v_tags, '{}'), (p_body ->> 'cover_image_id')::bigint,
            coalesce(us_to_ts((p_body ->> 'publish_at')::bigint), p_now),
            coalesce((p_body ->> 'pinned')::boolean, false),
            CASE WHEN (p_body ->> 'hidden')::boolean THEN p_now END, p_now, p_now)
    RETURNING * INTO a;
  ELSE
    IF p_body ? 'category' AND p_body ->> 'category' <> '问答'
       AND EXISTS (SELECT 1 FROM community_articles c WHERE c.id = p_id AND c.kind = 'question') THEN
      RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
      RETURN;
    END IF;
    UPDATE community_articles c
       SET title = coalesce(p_body ->> 'title', c.title),
           body_markdown = coalesce(p_body ->> 'body', c.body_markdown),
           body_html = coalesce(p_html, c.body_html),
           category = coalesce(p_body ->> 'category', c.category),
           tags = coalesce(v_tags, c.tags),
           cover_image_id = CASE WHEN p_body ? 'cover_image_id'
                                 THEN (p_body ->> 'cover_image_id')::bigint
                                 ELSE c.cover_image_id END,
           publish_at = coalesce(us_to_ts((p_body ->> 'publish_at')::bigint), c.publish_at),
           pinned = coalesce((p_body ->> 'pinned')::boolean, c.pinned),
           hidden_at = CASE WHEN NOT p_body ? 'hidden' OR c.deleted_at IS NOT NULL THEN c.hidden_at
                            WHEN (p_body ->> 'hidden')::boolean THEN coalesce(c.hidden_at, p_now)
                            END,
           updated_at = p_now
     WHERE c.id = p_id
    RETURNING * INTO a;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found', NULL::jsonb;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT 'ok', community_article_json(
    a, p_author, CASE WHEN p_kind = 'question' THEN 'read' ELSE 'staff' END, p_now);
END
$$;
