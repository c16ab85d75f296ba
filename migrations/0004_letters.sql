-- In-app letters (站内信) about order reviews. Every review action leaves a
-- pending notice (a trigger on review_actions); the delivery job turns the
-- notices that are due into letters, one per shop, kind and delivery hour.
-- Letters go out only on the hour between 06:00 and 22:00 in the platform's
-- time zone (MERCHANTD_TZ), which the job passes in: the notices keep the
-- time of the action, and letter_due_at says when that is delivered.

-- When a letter about an action taken at p_at is delivered: the next full
-- hour of local time (the same hour when p_at is exactly on it), moved to
-- 06:00 when that is before 06:00 or after 22:00. The hour is found on the
-- wall clock of p_zone and converted back, so DST changes move it with the
-- clock (delivery hours never fall in a DST gap in zones that change at
-- night).
CREATE FUNCTION letter_due_at(p_at timestamptz, p_zone text) RETURNS timestamptz
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$
  SELECT (CASE WHEN h < date_trunc('day', h) + interval '6 hours'
               THEN date_trunc('day', h) + interval '6 hours'
               WHEN h > date_trunc('day', h) + interval '22 hours'
               THEN date_trunc('day', h) + interval '30 hours'
               ELSE h END) AT TIME ZONE p_zone
    FROM (SELECT date_trunc('hour', t)
                 + CASE WHEN t > date_trunc('hour', t) THEN interval '1 hour'
                        ELSE interval '0' END AS h
            FROM (SELECT p_at AT TIME ZONE p_zone AS t) l) r
$$;

CREATE TABLE letters (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id      bigint NOT NULL REFERENCES shops (id),
  kind         text NOT NULL CHECK (kind IN ('hold', 'result', 'extend')),
  title        text NOT NULL,
  summary      text NOT NULL,
  body         text NOT NULL,
  order_count  integer NOT NULL CHECK (order_count >= 0),
  delivered_at timestamptz NOT NULL,
  read_at      timestamptz
);
COMMENT ON TABLE letters IS 'in-app letters to a shop about the review of its orders; a row exists once delivered, delivered_at is the delivery hour';
COMMENT ON COLUMN letters.kind IS 'hold: 订单禁止发货通知; result: 订单审核结果通知 (released or closed); extend: 订单审核延期通知';
-- One letter per shop, kind and delivery hour, whatever the number of
-- instances delivering.
CREATE UNIQUE INDEX letters_one_per_hour ON letters (shop_id, kind, delivered_at);
CREATE INDEX letters_shop ON letters (shop_id, delivered_at, id);
CREATE INDEX letters_shop_unread ON letters (shop_id, delivered_at, id) WHERE read_at IS NULL;

CREATE TABLE letter_notices (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action_id bigint NOT NULL UNIQUE REFERENCES review_actions (id),
  shop_id   bigint NOT NULL,
  order_id  bigint NOT NULL,
  kind      text NOT NULL CHECK (kind IN ('hold', 'result', 'extend')),
  acted_at  timestamptz NOT NULL,
  letter_id bigint REFERENCES letters (id)
);
COMMENT ON TABLE letter_notices IS 'one per review action: pending while letter_id is NULL, then a line of that letter (shop and order are the action''s)';
CREATE INDEX letter_notices_pending ON letter_notices (acted_at, id) WHERE letter_id IS NULL;
CREATE INDEX letter_notices_letter ON letter_notices (letter_id, order_id, id) WHERE letter_id IS NOT NULL;

-- A statement-level trigger, so that a job releasing a batch of orders in
-- one INSERT records their notices in one INSERT too.
CREATE FUNCTION letter_notices_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO letter_notices (action_id, shop_id, order_id, kind, acted_at)
  SELECT a.id, a.shop_id, a.order_id,
         CASE a.action WHEN 'hold' THEN 'hold' WHEN 'extend' THEN 'extend' ELSE 'result' END,
         a.created_at
    FROM added a ORDER BY a.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER review_actions_letters AFTER INSERT ON review_actions
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION letter_notices_record();

-- The unread count of a shop is one more row of shop_order_counts, so that
-- the shop's badge counts stay one index read. (The list is 0003's with
-- unread_letters added.)
ALTER TABLE shop_order_counts DROP CONSTRAINT shop_order_counts_tab_check,
  ADD CONSTRAINT shop_order_counts_tab_check
    CHECK (tab IN ('unpaid', 'paid', 'shipped', 'completed', 'closed', 'after_sales',
                   'under_review', 'unread_letters'));

CREATE FUNCTION letters_count_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM order_count(NEW.shop_id, 'unread_letters',
                      CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
  RETURN NULL;
END
$$;
CREATE TRIGGER letters_unread_new AFTER INSERT ON letters
  FOR EACH ROW WHEN (NEW.read_at IS NULL) EXECUTE FUNCTION letters_count_unread();
CREATE TRIGGER letters_unread_read AFTER UPDATE OF read_at ON letters
  FOR EACH ROW WHEN (OLD.read_at IS NULL AND NEW.read_at IS NOT NULL)
  EXECUTE FUNCTION letters_count_unread();

-- The lines of a letter, one per order (its latest action in the letter),
-- in the order the actions were taken. Order number, buyer and amounts do
-- not change once an order is paid, so they are read from the order.
CREATE FUNCTION letter_lines(p_letter bigint)
RETURNS TABLE (order_id bigint, order_sn text, buyer_name text, items_cents bigint,
               total_cents bigint, action text, reason text, note text, deadline timestamptz,
               acted_at timestamptz)
STABLE LANGUAGE sql AS $$
  SELECT x.* FROM (
    SELECT DISTINCT ON (n.order_id) n.order_id, o.order_sn, o.buyer_name, o.items_cents,
           o.total_cents, a.action, a.reason, a.note, a.deadline, a.created_at
      FROM letter_notices n
      JOIN review_actions a ON a.id = n.action_id
      JOIN orders o ON o.id = n.order_id
     WHERE n.letter_id = p_letter
     ORDER BY n.order_id, n.id DESC) x
  ORDER BY x.created_at, x.order_id
$$;

-- Order numbers as a letter's text lists them: the first 50, then how many.
CREATE FUNCTION letter_list(p_items text[]) RETURNS text
IMMUTABLE LANGUAGE sql AS $$
  SELECT array_to_string(p_items[1:50], '、')
         || CASE WHEN cardinality(p_items) > 50
                 THEN format('等%s笔', cardinality(p_items)) ELSE '' END
$$;

-- Writes a letter's order count, summary and body from its lines. Runs
-- after the letter row is locked, with a snapshot of its own, so that it
-- sees the lines another instance added before it.
CREATE FUNCTION letter_compose(p_letter bigint, p_zone text) RETURNS void
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

CREATE FUNCTION letter_title(p_kind text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE p_kind WHEN 'hold' THEN '订单禁止发货通知' WHEN 'result' THEN '订单审核结果通知'
                     ELSE '订单审核延期通知' END
$$;

-- The delivery job: turns up to p_limit due notices into letters and
-- returns how many it took. Notices are claimed with SKIP LOCKED, so
-- instances running at once share them; two that both reach the letter
-- of the same shop, kind and hour meet on letters_one_per_hour, and the
-- second adds its lines to the first's letter (ON CONFLICT waits for the
-- first to commit). Letters are locked in (shop, kind, hour) order, so
-- two deliveries never deadlock.
CREATE FUNCTION letters_deliver(p_now timestamptz, p_zone text, p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  g        record;
  v_letter bigint;
  v_n      integer := 0;
BEGIN
  FOR g IN
    WITH due AS (
      SELECT n.id, n.shop_id, n.kind, letter_due_at(n.acted_at, p_zone) AS due_at
        FROM letter_notices n
       WHERE n.letter_id IS NULL AND n.acted_at <= p_now
         AND letter_due_at(n.acted_at, p_zone) <= p_now
       ORDER BY n.acted_at, n.id
       LIMIT p_limit
         FOR UPDATE SKIP LOCKED)
    SELECT d.shop_id, d.kind, d.due_at, array_agg(d.id) AS ids
      FROM due d GROUP BY d.shop_id, d.kind, d.due_at ORDER BY d.shop_id, d.kind, d.due_at
  LOOP
    INSERT INTO letters AS l (shop_id, kind, title, summary, body, order_count, delivered_at)
    VALUES (g.shop_id, g.kind, letter_title(g.kind), '', '', 0, g.due_at)
    ON CONFLICT (shop_id, kind, delivered_at) DO UPDATE SET order_count = l.order_count
    RETURNING id INTO v_letter;
    UPDATE letter_notices SET letter_id = v_letter WHERE id = ANY (g.ids);
    PERFORM letter_compose(v_letter, p_zone);
    v_n := v_n + cardinality(g.ids);
  END LOOP;
  RETURN v_n;
END
$$;
