CREATE OR REPLACE FUNCTION letter_title(p_kind text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE p_kind WHEN 'hold' THEN '订单禁止发货通知' WHEN 'result' THEN '订单审核结果通知'
                     WHEN 'campaign' THEN '活动报名审核结果通知' ELSE '订单审核延期通知' END
$$;
