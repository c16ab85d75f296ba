-- Promotion report letters (推广日报/周报, docs/promotion.md "Report
-- letters"): yesterday's daily report and last week's weekly report reach
-- each shop with promotion activity as an in-app letter on the hour
-- (06:00-22:00 in MERCHANTD_TZ), once per shop and period: report_from (the
-- day, or the week's Monday) and the unique index below make a second
-- delivery, by any instance, a no-op.
ALTER TABLE letters DROP CONSTRAINT letters_kind_check;
ALTER TABLE letters ADD CONSTRAINT letters_kind_check
  CHECK (kind IN ('hold', 'result', 'extend', 'campaign', 'medal', 'promotion_daily',
                  'promotion_weekly'));
ALTER TABLE letters ADD COLUMN report_from date;
ALTER TABLE letters ADD CHECK ((kind IN ('promotion_daily', 'promotion_weekly'))
                               = (report_from IS NOT NULL));
CREATE UNIQUE INDEX letters_promotion_report ON letters (shop_id, kind, report_from)
  WHERE report_from IS NOT NULL;
COMMENT ON COLUMN letters.kind IS 'hold: 订单禁止发货通知; result: 订单审核结果通知 (released or closed); extend: 订单审核延期通知; campaign: 活动报名审核结果通知; medal: 勋章获得通知; promotion_daily: 推广日报; promotion_weekly: 推广周报';
COMMENT ON COLUMN letters.report_from IS 'kinds promotion_daily and promotion_weekly: the day, or the Monday of the week, the report is of';

-- The periods whose letters went out: the job's first look each minute, so
-- that after the delivery it reads one row, not the day rows.
CREATE TABLE promotion_report_runs (
  kind        text NOT NULL CHECK (kind IN ('promotion_daily', 'promotion_weekly')),
  report_from date NOT NULL,
  done_at     timestamptz NOT NULL,
  PRIMARY KEY (kind, report_from)
);
COMMENT ON TABLE promotion_report_runs IS 'promotion report letters delivered: one row per kind and period, written with the letters';

-- The shops with activity on a day: the day rows by day.
CREATE INDEX promotion_plan_days_day ON promotion_plan_days (day, plan_id);
