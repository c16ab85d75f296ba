CREATE OR REPLACE FUNCTION letters_count_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM order_count(NEW.shop_id, 'unread_letters',
                      CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
  RETURN NULL;
END
$$;
