-- A known carrier and a tracking number of its form: what every shipment
-- (an order's, or an after-sales reship) must name.
CREATE OR REPLACE FUNCTION shipment_valid(p_carrier text, p_tracking text) RETURNS boolean
STABLE LANGUAGE sql AS $$
  SELECT coalesce(p_tracking ~ '^[A-Za-z0-9-]{6,40}$', false)
     AND EXISTS (SELECT 1 FROM carriers WHERE code = p_carrier)
$$;
