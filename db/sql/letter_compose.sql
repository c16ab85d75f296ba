-- Writes a letter's order count, summary and body from its lines. Runs
-- after the letter row is locked, with a snapshot of its own, so that it
-- sees the lines another instance added before it.
CREATE OR REPLACE FUNCTION letter_compose(p_letter bigint, p_zone text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_kind   text;
  v_n      integer;
  v_all    text[];
  v_ship   text[];
  v_closed text[];
  v_extend text[];
  v_summary text;
  v_body   text;
BEGIN
  SELECT kind INTO v_kind FROM letters WHERE id = p_letter;
  SELECT count(*),
         coalesce(array_agg(d.order_sn ORDER BY d.acted_at, d.order_id), '{}'),
         coalesce(array_agg(d.order_sn ORDER BY d.acted_at, d.order_id)
                    FILTER (WHERE d.action <> 'close'), '{}'),
         coalesce(array_agg(d.order_sn ORDER BY d.acted_at, d.order_id)
                    FILTER (WHERE d.action = 'close'), '{}'),
         coalesce(array_agg(d.order_sn || '（新截止时间 '
                            || to_char(d.deadline AT TIME ZONE p_zone, 'YYYY-MM-DD HH24:MI') || '）'
                            ORDER BY d.acted_at, d.order_id), '{}')
    INTO v_n, v_all, v_ship, v_closed, v_extend
    FROM letter_lines(p_letter) d;
  IF v_kind = 'hold' THEN
    v_summary := format('%s笔订单正在接受平台审核，暂停发货', v_n);
    v_body := format('您的店铺有%s笔订单正在接受平台审核，审核期间禁止发货，收货地址暂不显示：%s。'
                     '审核结束后您会收到订单审核结果通知。明细见附件。', v_n, letter_list(v_all));
  ELSIF v_kind = 'result' THEN
    v_summary := format('%s笔订单审核结束：需发货%s笔，无需发货%s笔', v_n,
                        cardinality(v_ship), cardinality(v_closed));
    v_body := format('您的店铺有%s笔订单审核结束。', v_n)
      || CASE WHEN cardinality(v_ship) > 0
              THEN format('需发货（审核通过，请尽快发货）：%s。', letter_list(v_ship)) ELSE '' END
      || CASE WHEN cardinality(v_closed) > 0
              THEN format('无需发货（订单已关闭，货款已全额退给买家）：%s。', letter_list(v_closed))
              ELSE '' END
      || '明细见附件。';
  ELSE
    v_summary := format('%s笔订单的审核期限已延长', v_n);
    v_body := format('您的店铺有%s笔订单的审核期限已延长，审核期间仍禁止发货：%s（时间按 %s）。'
                     '明细见附件。', v_n, letter_list(v_extend), p_zone);
  END IF;
  UPDATE letters SET order_count = v_n, summary = v_summary, body = v_body WHERE id = p_letter;
END
$$;
