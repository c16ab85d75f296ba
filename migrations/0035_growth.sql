-- Merchant growth (商家成长): tasks, medals (勋章馆) and the privileges
-- (经营特权) medals carry. Staff with the permission growth define tasks,
-- each with a condition from a fixed catalogue the server evaluates from
-- the shop's own data, and medals, each earned by doing a set of tasks.
-- The job evaluate_growth (server/api/jobs.c, every minute) brings the
-- progress of shops with recent activity up to date (of every shop, in
-- batches, after tasks or medals change) and awards medals, at
-- most once per shop (the primary key of growth_shop_medals), each
-- announced by an in-app letter of kind medal. A medal's privileges raise
-- limits the API enforces (shop_limits). docs/growth.md has the details.

CREATE TABLE growth_tasks (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key               text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  title             text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 60),
  description       text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
  task_group        text NOT NULL CHECK (task_group IN ('starter', 'marketing', 'service',
                                                        'fulfilment')),
  position          integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 1000),
  condition_kind    text NOT NULL CHECK (condition_kind IN (
                      'product_on_sale', 'auto_reply_configured', 'order_shipped_fast',
                      'orders_shipped', 'coupons_created', 'campaign_entries_approved',
                      'live_coupon_pushed', 'reply_rate_3min')),
  condition_count   integer CHECK (condition_count BETWEEN 1 AND 100000),
  condition_hours   integer CHECK (condition_hours BETWEEN 1 AND 720),
  condition_percent integer CHECK (condition_percent BETWEEN 1 AND 100),
  condition_days    integer CHECK (condition_days BETWEEN 1 AND 30),
  target            integer GENERATED ALWAYS AS (
                      CASE condition_kind WHEN 'auto_reply_configured' THEN 1
                                          WHEN 'reply_rate_3min' THEN condition_percent
                                          ELSE condition_count END) STORED,
  active            boolean NOT NULL DEFAULT true,
  created_by        bigint REFERENCES accounts (id),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  CHECK ((condition_count IS NOT NULL) = (condition_kind NOT IN ('auto_reply_configured',
                                                                 'reply_rate_3min'))),
  CHECK ((condition_hours IS NOT NULL) = (condition_kind = 'order_shipped_fast')),
  CHECK ((condition_percent IS NOT NULL) = (condition_kind = 'reply_rate_3min')),
  CHECK ((condition_days IS NOT NULL) = (condition_kind = 'reply_rate_3min'))
);
COMMENT ON TABLE growth_tasks IS 'growth tasks (成长任务) staff define: a condition of the catalogue (docs/growth.md) with its parameters; target is what progress counts up to';
COMMENT ON COLUMN growth_tasks.task_group IS 'starter (新手任务, the onboarding checklist of a new shop), marketing, service or fulfilment';
COMMENT ON COLUMN growth_tasks.active IS 'false: retired, no longer shown or evaluated (tasks are never deleted: shops'' progress points at them)';

CREATE TABLE growth_medals (
  id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key                       text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  name                      text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 30),
  description               text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
  bonus_quick_replies       integer NOT NULL DEFAULT 0 CHECK (bonus_quick_replies BETWEEN 0 AND 500),
  bonus_coupon_batch        integer NOT NULL DEFAULT 0 CHECK (bonus_coupon_batch BETWEEN 0 AND 1500),
  bonus_campaign_products   integer NOT NULL DEFAULT 0 CHECK (bonus_campaign_products BETWEEN 0 AND 100),
  active                    boolean NOT NULL DEFAULT true,
  created_by                bigint REFERENCES accounts (id),
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL
);
COMMENT ON TABLE growth_medals IS 'medals (勋章) staff define, earned by doing every task of growth_medal_tasks; the bonus_* columns are the privileges (经营特权) a shop holding it gets';
COMMENT ON COLUMN growth_medals.bonus_quick_replies IS 'quick replies a shop may keep beyond the base 500';
COMMENT ON COLUMN growth_medals.bonus_coupon_batch IS 'products one coupon batch (POST coupons:batch) may take beyond the base 500';
COMMENT ON COLUMN growth_medals.bonus_campaign_products IS 'products a shop may enter in one campaign beyond the campaign''s max_products_per_shop';
COMMENT ON COLUMN growth_medals.active IS 'false: no longer awarded; shops that hold it keep it and its privileges';

CREATE TABLE growth_medal_tasks (
  medal_id bigint NOT NULL REFERENCES growth_medals (id),
  task_id  bigint NOT NULL REFERENCES growth_tasks (id),
  PRIMARY KEY (medal_id, task_id)
);
COMMENT ON TABLE growth_medal_tasks IS 'the tasks that earn a medal: all of them done';

CREATE TABLE growth_shop_tasks (
  shop_id    bigint NOT NULL REFERENCES shops (id),
  task_id    bigint NOT NULL REFERENCES growth_tasks (id),
  progress   integer NOT NULL CHECK (progress >= 0),
  done_at    timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, task_id)
);
CREATE INDEX growth_shop_tasks_done ON growth_shop_tasks (done_at) WHERE done_at IS NOT NULL;
COMMENT ON TABLE growth_shop_tasks IS 'a shop''s progress on a task, as evaluate_growth last found it (no row: 0); done_at, once set, stays';

CREATE TABLE growth_shop_medals (
  shop_id   bigint NOT NULL REFERENCES shops (id),
  medal_id  bigint NOT NULL REFERENCES growth_medals (id),
  earned_at timestamptz NOT NULL,
  PRIMARY KEY (shop_id, medal_id)
);
COMMENT ON TABLE growth_shop_medals IS 'medals shops have earned: once per shop and medal (the primary key), whatever runs the evaluation at the same time';

CREATE TABLE growth_state (
  one                 boolean PRIMARY KEY DEFAULT true CHECK (one),
  evaluated_to        timestamptz,
  definitions_version bigint NOT NULL DEFAULT 1,
  sweep_version       bigint NOT NULL DEFAULT 0,
  sweep_after         bigint
);
COMMENT ON TABLE growth_state IS 'one row: where the evaluation of growth is (docs/growth.md "Progress")';
COMMENT ON COLUMN growth_state.evaluated_to IS 'the time of the last evaluation of recent activity; the next one looks at activity from five minutes before it';
COMMENT ON COLUMN growth_state.definitions_version IS 'counts changes of tasks and medals: each calls for a sweep of every shop';
COMMENT ON COLUMN growth_state.sweep_version IS 'the definitions_version the running (or last finished) sweep of every shop is for';
COMMENT ON COLUMN growth_state.sweep_after IS 'the running sweep''s last shop id done, NULL when no sweep runs';
INSERT INTO growth_state (evaluated_to) VALUES (NULL);

-- Where evaluate_growth looks for shops with recent activity.
CREATE INDEX products_updated ON products (updated_at);
CREATE INDEX coupons_created ON coupons (created_at);
CREATE INDEX campaign_entries_approved ON campaign_entries (decided_at) WHERE status = 'approved';
CREATE INDEX live_rooms_pushed ON live_rooms (pushed_at) WHERE pushed_at IS NOT NULL;
CREATE INDEX auto_replies_updated ON auto_replies (updated_at);
CREATE INDEX stats_shop_cs_days ON stats_shop (at) WHERE grain = 'd' AND cs_rounds > 0;

-- A letter announces each medal a shop earns, delivered at once like the
-- campaign letters. The one-per-hour rule names the review letters' kinds
-- it is for, so that kinds delivered at once need not change it again
-- (letters_deliver's ON CONFLICT names the same).
ALTER TABLE letters DROP CONSTRAINT letters_kind_check;
ALTER TABLE letters ADD CONSTRAINT letters_kind_check
  CHECK (kind IN ('hold', 'result', 'extend', 'campaign', 'medal'));
ALTER TABLE letters ADD COLUMN medal_id bigint REFERENCES growth_medals (id);
ALTER TABLE letters ADD CHECK ((kind = 'medal') = (medal_id IS NOT NULL));
DROP INDEX letters_one_per_hour;
CREATE UNIQUE INDEX letters_one_per_hour ON letters (shop_id, kind, delivered_at)
  WHERE kind IN ('hold', 'result', 'extend');
COMMENT ON COLUMN letters.kind IS 'hold: 订单禁止发货通知; result: 订单审核结果通知 (released or closed); extend: 订单审核延期通知; campaign: 活动报名审核结果通知; medal: 勋章获得通知';
COMMENT ON COLUMN letters.medal_id IS 'kind medal: the medal the shop earned';

-- The tasks and the medal a new platform starts with: the starter tasks
-- are the onboarding checklist (新手快速入门), the marketing starter medal
-- (营销入门勋章) is earned by the first coupon and the first live coupon
-- push.
INSERT INTO growth_tasks (key, title, description, task_group, position, condition_kind,
                          condition_count, condition_hours, condition_percent, condition_days,
                          created_at, updated_at)
VALUES
  ('first_product', '上架第一件商品', '发布一件商品并上架销售。', 'starter', 1, 'product_on_sale',
   1, NULL, NULL, NULL, now(), now()),
  ('auto_reply', '设置自动回复', '设置欢迎语、关键词回复或离线自动回复中的任一项。', 'starter', 2,
   'auto_reply_configured', NULL, NULL, NULL, NULL, now(), now()),
  ('first_fast_shipment', '48小时内发出第一单', '买家付款后48小时内发货一笔订单。', 'starter', 3,
   'order_shipped_fast', 1, 48, NULL, NULL, now(), now()),
  ('first_coupon', '创建第一张优惠券', '创建一张店铺券或商品券。', 'marketing', 1,
   'coupons_created', 1, NULL, NULL, NULL, now(), now()),
  ('first_live_coupon', '直播间推送优惠券', '在直播间向观众推送一张优惠券。', 'marketing', 2,
   'live_coupon_pushed', 1, NULL, NULL, NULL, now(), now()),
  ('first_campaign_entry', '报名活动并通过审核', '商品报名平台活动并通过审核。', 'marketing', 3,
   'campaign_entries_approved', 1, NULL, NULL, NULL, now(), now()),
  ('shipped_20', '累计发货20单', '累计发货20笔订单。', 'fulfilment', 1, 'orders_shipped', 20,
   NULL, NULL, NULL, now(), now()),
  ('reply_rate_80', '3分钟人工回复率达到80%', '近7天3分钟人工回复率不低于80%。', 'service', 1,
   'reply_rate_3min', NULL, NULL, 80, 7, now(), now());

INSERT INTO growth_medals (key, name, description, bonus_quick_replies, bonus_coupon_batch,
                           bonus_campaign_products, created_at, updated_at)
VALUES ('marketing_starter', '营销入门勋章',
        '创建第一张优惠券并在直播间推送优惠券即可获得。特权：快捷短语上限+100，'
        '单次批量建券商品数+500，每场活动可报名商品数+2。', 100, 500, 2, now(), now());
INSERT INTO growth_medal_tasks (medal_id, task_id)
SELECT m.id, t.id FROM growth_medals m, growth_tasks t
 WHERE m.key = 'marketing_starter' AND t.key IN ('first_coupon', 'first_live_coupon');
