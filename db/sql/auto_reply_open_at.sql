-- Whether p_at falls within one of the weekly business hours.
CREATE OR REPLACE FUNCTION auto_reply_open_at(p_hours jsonb, p_at timestamptz) RETURNS boolean
STABLE LANGUAGE sql AS $$
  SELECT EXISTS (
    SELECT 1
      FROM (SELECT p_at AT TIME ZONE platform_zone() AS t) l,
           jsonb_array_elements(p_hours) h
     WHERE (h->>'weekday')::integer = extract(isodow FROM l.t)
       AND (h->>'open')::time <= l.t::time AND l.t::time < (h->>'close')::time)
$$;
