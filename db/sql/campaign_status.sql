-- Where a campaign is at p_now: cancelled, draft (sign-up not open yet),
-- signup_open, upcoming (sign-up closed, not started), running or ended.
CREATE OR REPLACE FUNCTION campaign_status(c campaigns, p_now timestamptz) RETURNS text
STABLE LANGUAGE sql AS $$
  SELECT CASE WHEN c.cancelled_at IS NOT NULL THEN 'cancelled'
              WHEN p_now < c.signup_from THEN 'draft'
              WHEN p_now < c.signup_to THEN 'signup_open'
              WHEN p_now < c.starts_at THEN 'upcoming'
              WHEN p_now < c.ends_at THEN 'running'
              ELSE 'ended' END
$$;
