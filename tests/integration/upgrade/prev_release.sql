--
-- PostgreSQL database dump
--

\restrict qW9fhuQHw31aLwecVDyuN0B42pFGDy4JVGyKAq9mieUCQuexsneAFkswxdU0S3K

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: after_sale_approve(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.after_sale_approve(p_shop bigint, p_id bigint, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  a    after_sales%ROWTYPE;
  o    orders%ROWTYPE;
  v_full boolean;
BEGIN
  SELECT * INTO a FROM after_sales WHERE id = p_id AND shop_id = p_shop FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF a.status <> 'requested' THEN
    RETURN 'invalid_state';
  END IF;
  IF a.type = 'reship' THEN
    UPDATE after_sales SET status = 'approved', decided_at = p_now WHERE id = p_id;
    RETURN 'ok';
  END IF;
  SELECT * INTO o FROM orders WHERE id = a.order_id FOR UPDATE;
  IF a.amount_cents > o.paid_cents - o.refunded_cents THEN
    RETURN 'refund_exceeds_paid';
  END IF;
  INSERT INTO refunds (order_id, after_sale_id, amount_cents, reason, created_at)
  VALUES (o.id, p_id, a.amount_cents, a.reason, p_now);
  v_full := o.refunded_cents + a.amount_cents = o.paid_cents;
  IF v_full AND o.status = 'paid' THEN
    PERFORM order_release_stock(o.id);
  END IF;
  UPDATE orders SET refunded_cents = refunded_cents + a.amount_cents, after_sales_open = false,
                    status = CASE WHEN v_full THEN 'closed' ELSE status END,
                    closed_at = CASE WHEN v_full THEN p_now ELSE closed_at END,
                    close_reason = CASE WHEN v_full THEN 'refunded' ELSE close_reason END
   WHERE id = o.id;
  UPDATE after_sales SET status = 'refunded', decided_at = p_now WHERE id = p_id;
  RETURN 'ok';
END
$$;


--
-- Name: after_sale_create(bigint, bigint, text, text, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.after_sale_create(p_buyer bigint, p_order bigint, p_type text, p_reason text, p_amount bigint, p_now timestamp with time zone) RETURNS TABLE(result text, after_sale_id bigint)
    LANGUAGE plpgsql
    AS $$
DECLARE
  o        orders%ROWTYPE;
  v_amount bigint;
  v_id     bigint;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  IF o.status NOT IN ('paid', 'shipped', 'completed') OR (p_type = 'reship' AND o.status = 'paid') THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
    RETURN;
  END IF;
  IF o.after_sales_open THEN
    RETURN QUERY SELECT 'after_sale_open', NULL::bigint;
    RETURN;
  END IF;
  IF p_type = 'reship' THEN
    v_amount := 0;
  ELSE
    v_amount := coalesce(p_amount, o.paid_cents - o.refunded_cents);
    IF v_amount <= 0 OR v_amount > o.paid_cents - o.refunded_cents THEN
      RETURN QUERY SELECT 'refund_exceeds_paid', NULL::bigint;
      RETURN;
    END IF;
  END IF;
  INSERT INTO after_sales (order_id, shop_id, buyer_id, type, reason, amount_cents, status, created_at)
  VALUES (p_order, o.shop_id, p_buyer, p_type, p_reason, v_amount, 'requested', p_now)
  RETURNING id INTO v_id;
  UPDATE orders SET after_sales_open = true WHERE id = p_order;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;


--
-- Name: after_sale_reject(bigint, bigint, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.after_sale_reject(p_shop bigint, p_id bigint, p_reason text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_order bigint;
BEGIN
  UPDATE after_sales SET status = 'rejected', reject_reason = p_reason, decided_at = p_now
   WHERE id = p_id AND shop_id = p_shop AND status = 'requested'
  RETURNING order_id INTO v_order;
  IF FOUND THEN
    UPDATE orders SET after_sales_open = false WHERE id = v_order;
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM after_sales WHERE id = p_id AND shop_id = p_shop;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;


--
-- Name: after_sale_reship(bigint, bigint, text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.after_sale_reship(p_shop bigint, p_id bigint, p_carrier text, p_tracking text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  a after_sales%ROWTYPE;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  SELECT * INTO a FROM after_sales WHERE id = p_id AND shop_id = p_shop FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF a.type <> 'reship' OR a.status <> 'approved' THEN
    RETURN 'invalid_state';
  ELSIF p_now > a.decided_at + interval '15 days' THEN
    RETURN 'reship_window_closed';
  END IF;
  UPDATE after_sales SET status = 'reshipped', carrier = p_carrier, tracking_no = p_tracking,
                         reshipped_at = p_now
   WHERE id = p_id;
  UPDATE orders SET after_sales_open = false WHERE id = a.order_id;
  RETURN 'ok';
END
$$;


--
-- Name: auth_login(bigint, bytea, text, timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auth_login(p_account bigint, p_token_hash bytea, p_device text, p_now timestamp with time zone, p_expires timestamp with time zone) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_ended bigint[];
  v_id    bigint;
  v_role  text;
BEGIN
  SELECT role INTO v_role FROM accounts WHERE id = p_account FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'account % does not exist', p_account USING ERRCODE = 'no_data_found';
  END IF;
  WITH ended AS (
    UPDATE sessions SET ended_at = p_now, end_reason = 'replaced'
     WHERE account_id = p_account AND ended_at IS NULL
    RETURNING id)
  SELECT coalesce(array_agg(id), '{}') INTO v_ended FROM ended;
  INSERT INTO sessions (account_id, role, token_hash, device, created_at, expires_at)
  VALUES (p_account, v_role, p_token_hash, p_device, p_now, p_expires)
  RETURNING id INTO v_id;
  UPDATE sessions SET replaced_by = v_id WHERE id = ANY (v_ended);
  RETURN v_id;
END
$$;


--
-- Name: auto_reply_open_at(jsonb, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auto_reply_open_at(p_hours jsonb, p_at timestamp with time zone) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
  SELECT EXISTS (
    SELECT 1
      FROM (SELECT p_at AT TIME ZONE auto_reply_zone() AS t) l,
           jsonb_array_elements(p_hours) h
     WHERE (h->>'weekday')::integer = extract(isodow FROM l.t)
       AND (h->>'open')::time <= l.t::time AND l.t::time < (h->>'close')::time)
$$;


--
-- Name: chat_grams(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.chat_grams(p_text text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(t, i, n) AS g
            FROM (SELECT lower(p_text) AS t) l,
                 generate_series(1, char_length(l.t)) i,
                 (VALUES (1), (2)) k (n)
           WHERE i + n - 1 <= char_length(l.t)) grams
   WHERE g !~ '^\s+$'
$_$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id bigint NOT NULL,
    conversation_id bigint NOT NULL,
    shop_id bigint NOT NULL,
    buyer_id bigint NOT NULL,
    sender text NOT NULL,
    sender_id bigint,
    type text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    card jsonb,
    created_at timestamp with time zone NOT NULL,
    grams text[] GENERATED ALWAYS AS (
CASE
    WHEN (type = 'text'::text) THEN public.chat_grams(body)
    ELSE NULL::text[]
END) STORED,
    CONSTRAINT messages_check CHECK (((sender = 'auto'::text) = (sender_id IS NULL))),
    CONSTRAINT messages_check1 CHECK (((type <> 'text'::text) OR ((char_length(body) >= 1) AND (char_length(body) <= 2000)))),
    CONSTRAINT messages_check2 CHECK (((type = ANY (ARRAY['text'::text, 'image'::text])) = (card IS NULL))),
    CONSTRAINT messages_sender_check CHECK ((sender = ANY (ARRAY['buyer'::text, 'merchant'::text, 'auto'::text]))),
    CONSTRAINT messages_type_check CHECK ((type = ANY (ARRAY['text'::text, 'image'::text, 'product_card'::text, 'products_card'::text, 'order_card'::text])))
);


--
-- Name: TABLE messages; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.messages IS 'chat messages; body is the text (text) or the URL (image); card is the snapshot (title, price, image) of the products or order a card shows, taken when sent';


--
-- Name: auto_reply_send(public.messages, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auto_reply_send(p_to public.messages, p_text text) RETURNS void
    LANGUAGE sql
    AS $$
  INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
  VALUES (p_to.conversation_id, p_to.shop_id, p_to.buyer_id, 'auto', NULL, 'text', p_text,
          p_to.created_at)
$$;


--
-- Name: auto_reply_zone(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auto_reply_zone() RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT coalesce(nullif(current_setting('merchantd.tz', true), ''), 'Asia/Shanghai')
$$;


--
-- Name: products; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.products (
    id bigint NOT NULL,
    shop_id bigint NOT NULL,
    title text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    images text[] DEFAULT '{}'::text[] NOT NULL,
    status text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT products_description_check CHECK ((char_length(description) <= 5000)),
    CONSTRAINT products_images_check CHECK ((cardinality(images) <= 20)),
    CONSTRAINT products_status_check CHECK ((status = ANY (ARRAY['on_sale'::text, 'off_sale'::text]))),
    CONSTRAINT products_title_check CHECK (((char_length(title) >= 1) AND (char_length(title) <= 120)))
);


--
-- Name: TABLE products; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.products IS 'products; deleting one only marks it, since orders keep pointing at it';


--
-- Name: chat_product_snapshot(public.products); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.chat_product_snapshot(p public.products) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  SELECT jsonb_build_object('product_id', p.id, 'title', p.title,
                            'price_cents', (SELECT min(k.price_cents) FROM skus k
                                             WHERE k.product_id = p.id),
                            'image', p.images[1])
$$;


--
-- Name: chat_search(bigint, text, bigint, timestamp with time zone, timestamp with time zone, bigint, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.chat_search(p_shop_id bigint, p_query text, p_buyer_id bigint, p_from timestamp with time zone, p_to timestamp with time zone, p_before_id bigint, p_limit integer) RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE ROWS 20
    AS $_$
DECLARE
  v_needle text := lower(p_query);
  v_conversation bigint;
  v_ids bigint[];
  v_seen integer;
BEGIN
  IF p_buyer_id IS NOT NULL THEN
    SELECT c.id INTO v_conversation FROM conversations c
     WHERE c.shop_id = p_shop_id AND c.buyer_id = p_buyer_id;
    IF NOT FOUND THEN
      RETURN;
    END IF;
  END IF;

  -- First pass: the newest messages of the shop (or of the one
  -- conversation), read until the page is full. The page is complete when
  -- it is full, or when the window held every message below the cursor.
  IF v_conversation IS NULL THEN
    SELECT array_agg(x.id ORDER BY x.id DESC) INTO v_ids
      FROM (SELECT w.id
              FROM (SELECT m.id, m.type, m.body, m.created_at FROM messages m
                     WHERE m.shop_id = p_shop_id AND m.id < p_before_id
                     ORDER BY m.id DESC LIMIT chat_search_window()) w
             WHERE w.type = 'text' AND position(v_needle IN lower(w.body)) > 0
               AND (p_from IS NULL OR w.created_at >= p_from)
               AND (p_to IS NULL OR w.created_at < p_to)
             LIMIT p_limit) x;
    IF coalesce(cardinality(v_ids), 0) < p_limit THEN
      SELECT count(*) INTO v_seen
        FROM (SELECT 1 FROM messages m WHERE m.shop_id = p_shop_id AND m.id < p_before_id
               ORDER BY m.id DESC LIMIT chat_search_window()) w;
    END IF;
  ELSE
    SELECT array_agg(x.id ORDER BY x.id DESC) INTO v_ids
      FROM (SELECT w.id
              FROM (SELECT m.id, m.type, m.body, m.created_at FROM messages m
                     WHERE m.conversation_id = v_conversation AND m.id < p_before_id
                     ORDER BY m.id DESC LIMIT chat_search_window()) w
             WHERE w.type = 'text' AND position(v_needle IN lower(w.body)) > 0
               AND (p_from IS NULL OR w.created_at >= p_from)
               AND (p_to IS NULL OR w.created_at < p_to)
             LIMIT p_limit) x;
    IF coalesce(cardinality(v_ids), 0) < p_limit THEN
      SELECT count(*) INTO v_seen
        FROM (SELECT 1 FROM messages m WHERE m.conversation_id = v_conversation
                 AND m.id < p_before_id ORDER BY m.id DESC LIMIT chat_search_window()) w;
    END IF;
  END IF;
  IF v_seen IS NULL OR v_seen < chat_search_window() THEN
    RETURN QUERY SELECT unnest(v_ids);
    RETURN;
  END IF;

  -- Second pass: the grams index over the whole history. EXECUTE plans
  -- with the values, so the query's grams are constants the index can use.
  RETURN QUERY EXECUTE
    'SELECT m.id FROM messages m'
    ' WHERE m.shop_id = $1 AND m.type = ''text'' AND m.grams @> chat_grams($2)'
    '   AND position(lower($2) IN lower(m.body)) > 0 AND m.id < $3'
    '   AND ($4::bigint IS NULL OR m.conversation_id = $4)'
    '   AND ($5::timestamptz IS NULL OR m.created_at >= $5)'
    '   AND ($6::timestamptz IS NULL OR m.created_at < $6)'
    ' ORDER BY m.id + 0 DESC LIMIT $7'
    USING p_shop_id, p_query, p_before_id, v_conversation, p_from, p_to, p_limit;
END
$_$;


--
-- Name: FUNCTION chat_search(p_shop_id bigint, p_query text, p_buyer_id bigint, p_from timestamp with time zone, p_to timestamp with time zone, p_before_id bigint, p_limit integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.chat_search(p_shop_id bigint, p_query text, p_buyer_id bigint, p_from timestamp with time zone, p_to timestamp with time zone, p_before_id bigint, p_limit integer) IS 'substring search over a shop''s text messages, newest first: a recent window first, then the grams index (see 0009_chat_search.sql)';


--
-- Name: chat_search_window(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.chat_search_window() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT 4000$$;


--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    id bigint NOT NULL,
    role text NOT NULL,
    username text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT accounts_display_name_check CHECK (((char_length(display_name) >= 1) AND (char_length(display_name) <= 64))),
    CONSTRAINT accounts_password_hash_check CHECK ((password_hash ~~ '$argon2id$%'::text)),
    CONSTRAINT accounts_role_check CHECK ((role = ANY (ARRAY['merchant'::text, 'buyer'::text, 'reviewer'::text]))),
    CONSTRAINT accounts_username_check CHECK ((username ~ '^[a-z0-9_.-]{3,32}$'::text))
);


--
-- Name: TABLE accounts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.accounts IS 'merchants, buyers and platform reviewers; password_hash is a libsodium argon2id string';


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    id bigint NOT NULL,
    shop_id bigint NOT NULL,
    merchant_id bigint NOT NULL,
    buyer_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_message_id bigint,
    last_activity_at timestamp with time zone NOT NULL,
    last_preview text DEFAULT ''::text NOT NULL,
    last_buyer_message_at timestamp with time zone,
    merchant_read_up_to bigint DEFAULT 0 NOT NULL,
    buyer_read_up_to bigint DEFAULT 0 NOT NULL,
    merchant_read_at timestamp with time zone,
    buyer_read_at timestamp with time zone,
    merchant_unread integer DEFAULT 0 NOT NULL,
    buyer_unread integer DEFAULT 0 NOT NULL,
    awaiting_reply boolean DEFAULT false NOT NULL,
    CONSTRAINT conversations_buyer_unread_check CHECK ((buyer_unread >= 0)),
    CONSTRAINT conversations_merchant_unread_check CHECK ((merchant_unread >= 0))
);


--
-- Name: TABLE conversations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.conversations IS 'one per shop and buyer; the last message, read markers, unread counts and awaiting_reply are kept by triggers on messages';


--
-- Name: COLUMN conversations.merchant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.merchant_id IS 'the shop''s owner (shops never change hands): authorises without reading the shop';


--
-- Name: COLUMN conversations.merchant_unread; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.merchant_unread IS 'buyer messages after merchant_read_up_to';


--
-- Name: COLUMN conversations.buyer_unread; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.buyer_unread IS 'merchant and auto messages after buyer_read_up_to';


--
-- Name: COLUMN conversations.awaiting_reply; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.conversations.awaiting_reply IS 'the last message that was not an auto-reply is the buyer''s';


--
-- Name: conversation_view; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.conversation_view AS
 SELECT c.id,
    c.shop_id,
    c.merchant_id,
    c.buyer_id,
    b.display_name AS buyer_name,
    c.last_message_id,
    m.type AS last_type,
    m.sender AS last_sender,
    c.last_preview,
    m.created_at AS last_created_at,
    c.last_activity_at,
    c.merchant_unread,
    c.buyer_unread,
    c.awaiting_reply,
    c.created_at
   FROM ((public.conversations c
     JOIN public.accounts b ON ((b.id = c.buyer_id)))
     LEFT JOIN public.messages m ON ((m.id = c.last_message_id)));


--
-- Name: VIEW conversation_view; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.conversation_view IS 'a conversation with its buyer''s name and last message, as lists and replies show it';


--
-- Name: conversation_fresh(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversation_fresh(p_id bigint) RETURNS SETOF public.conversation_view
    LANGUAGE plpgsql ROWS 1
    AS $$
BEGIN
  RETURN QUERY SELECT * FROM conversation_view WHERE id = p_id;
END
$$;


--
-- Name: conversation_open(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversation_open(p_buyer bigint, p_shop bigint, p_now timestamp with time zone) RETURNS TABLE(result text, conversation_id bigint, created boolean)
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at, last_activity_at)
  SELECT s.id, s.merchant_id, p_buyer, p_now, p_now FROM shops s WHERE s.id = p_shop
  ON CONFLICT (shop_id, buyer_id) DO NOTHING
  RETURNING id INTO conversation_id;
  IF conversation_id IS NOT NULL THEN
    RETURN QUERY SELECT 'ok', conversation_id, true;
    RETURN;
  END IF;
  SELECT c.id INTO conversation_id FROM conversations c
   WHERE c.shop_id = p_shop AND c.buyer_id = p_buyer;
  IF conversation_id IS NULL THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, false;
  ELSE
    RETURN QUERY SELECT 'ok', conversation_id, false;
  END IF;
END
$$;


--
-- Name: conversation_read(bigint, bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversation_read(p_caller bigint, p_conv bigint, p_up_to bigint, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  c        conversations;
  v_marker bigint;
BEGIN
  SELECT * INTO c FROM conversations x
   WHERE x.id = p_conv AND (x.merchant_id = p_caller OR x.buyer_id = p_caller)
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  END IF;
  PERFORM 1 FROM messages m WHERE m.id = p_up_to AND m.conversation_id = p_conv;
  IF NOT FOUND THEN
    RETURN 'invalid_field';
  END IF;
  IF c.merchant_id = p_caller THEN
    v_marker := greatest(c.merchant_read_up_to, p_up_to);
    UPDATE conversations x
       SET merchant_read_up_to = v_marker,
           merchant_read_at = CASE WHEN v_marker > x.merchant_read_up_to THEN p_now
                                   ELSE x.merchant_read_at END,
           merchant_unread = (SELECT count(*) FROM messages m
                               WHERE m.conversation_id = p_conv AND m.id > v_marker
                                 AND m.sender = 'buyer')
     WHERE x.id = p_conv;
  ELSE
    v_marker := greatest(c.buyer_read_up_to, p_up_to);
    UPDATE conversations x
       SET buyer_read_up_to = v_marker,
           buyer_read_at = CASE WHEN v_marker > x.buyer_read_up_to THEN p_now
                                ELSE x.buyer_read_at END,
           buyer_unread = (SELECT count(*) FROM messages m
                            WHERE m.conversation_id = p_conv AND m.id > v_marker
                              AND m.sender <> 'buyer')
     WHERE x.id = p_conv;
  END IF;
  RETURN 'ok';
END
$$;


--
-- Name: conversations_count_unread(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_count_unread() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.merchant_unread > 0 THEN
      PERFORM order_count(NEW.shop_id, 'unread_conversations', 1);
    END IF;
  ELSIF (NEW.merchant_unread > 0) <> (OLD.merchant_unread > 0) THEN
    PERFORM order_count(NEW.shop_id, 'unread_conversations',
                        CASE WHEN NEW.merchant_unread > 0 THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: conversations_count_unreplied(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_count_unreplied() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM order_count(NEW.shop_id, 'conversations', 1);
    IF NEW.awaiting_reply THEN
      PERFORM order_count(NEW.shop_id, 'unreplied_conversations', 1);
    END IF;
  ELSIF NEW.awaiting_reply <> OLD.awaiting_reply THEN
    PERFORM order_count(NEW.shop_id, 'unreplied_conversations',
                        CASE WHEN NEW.awaiting_reply THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: conversations_greet(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_greet() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
  SELECT NEW.id, NEW.shop_id, NEW.buyer_id, 'auto', NULL, 'text', a.greeting, NEW.created_at
    FROM auto_replies a
   WHERE a.shop_id = NEW.shop_id AND a.greeting IS NOT NULL;
  RETURN NULL;
END
$$;


--
-- Name: conversations_read_event(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_read_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.merchant_read_up_to > OLD.merchant_read_up_to THEN
    INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
    VALUES ('conversation.read', NEW.merchant_id, NEW.buyer_id, NEW.shop_id,
            jsonb_build_object('conversation_id', NEW.id, 'reader', 'merchant',
                               'up_to_message_id', NEW.merchant_read_up_to),
            coalesce(NEW.merchant_read_at, now()));
  END IF;
  IF NEW.buyer_read_up_to > OLD.buyer_read_up_to THEN
    INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
    VALUES ('conversation.read', NEW.merchant_id, NEW.buyer_id, NEW.shop_id,
            jsonb_build_object('conversation_id', NEW.id, 'reader', 'buyer',
                               'up_to_message_id', NEW.buyer_read_up_to),
            coalesce(NEW.buyer_read_at, now()));
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: coupons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.coupons (
    id bigint NOT NULL,
    shop_id bigint NOT NULL,
    kind text NOT NULL,
    product_id bigint,
    title text NOT NULL,
    discount_cents bigint NOT NULL,
    min_order_cents bigint DEFAULT 0 NOT NULL,
    total_quantity integer NOT NULL,
    claimed integer DEFAULT 0 NOT NULL,
    used integer DEFAULT 0 NOT NULL,
    per_buyer_limit integer NOT NULL,
    claim_start timestamp with time zone NOT NULL,
    claim_end timestamp with time zone NOT NULL,
    valid_days integer,
    valid_from timestamp with time zone,
    valid_to timestamp with time zone,
    channel text NOT NULL,
    stopped_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT coupons_channel_check CHECK ((channel = ANY (ARRAY['normal'::text, 'live'::text]))),
    CONSTRAINT coupons_check CHECK (((kind = 'product'::text) = (product_id IS NOT NULL))),
    CONSTRAINT coupons_check1 CHECK (((min_order_cents = 0) OR (discount_cents < min_order_cents))),
    CONSTRAINT coupons_check2 CHECK ((claim_start < claim_end)),
    CONSTRAINT coupons_check3 CHECK (((valid_days IS NULL) = ((valid_from IS NOT NULL) AND (valid_to IS NOT NULL)))),
    CONSTRAINT coupons_check4 CHECK ((valid_from < valid_to)),
    CONSTRAINT coupons_check5 CHECK (((claimed >= 0) AND (claimed <= total_quantity))),
    CONSTRAINT coupons_check6 CHECK (((used >= 0) AND (used <= claimed))),
    CONSTRAINT coupons_discount_cents_check CHECK ((discount_cents > 0)),
    CONSTRAINT coupons_kind_check CHECK ((kind = ANY (ARRAY['shop'::text, 'product'::text]))),
    CONSTRAINT coupons_min_order_cents_check CHECK ((min_order_cents >= 0)),
    CONSTRAINT coupons_per_buyer_limit_check CHECK (((per_buyer_limit >= 1) AND (per_buyer_limit <= 100))),
    CONSTRAINT coupons_title_check CHECK (((char_length(title) >= 1) AND (char_length(title) <= 100))),
    CONSTRAINT coupons_total_quantity_check CHECK (((total_quantity >= 1) AND (total_quantity <= 1000000))),
    CONSTRAINT coupons_valid_days_check CHECK (((valid_days >= 1) AND (valid_days <= 365)))
);


--
-- Name: TABLE coupons; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.coupons IS 'a shop''s coupons; claimed and used count buyer coupons and never pass total_quantity (remaining = total_quantity - claimed)';


--
-- Name: COLUMN coupons.valid_days; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.coupons.valid_days IS 'a claimed coupon is valid this many days from its claim; else from valid_from to valid_to';


--
-- Name: COLUMN coupons.channel; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.coupons.channel IS 'live: claimable only while the shop is live (shops.live_since)';


--
-- Name: coupon_add_quantity(bigint, bigint, bigint, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.coupon_add_quantity(p_merchant bigint, p_shop bigint, p_coupon bigint, p_quantity integer, p_now timestamp with time zone) RETURNS TABLE(code text, coupon public.coupons)
    LANGUAGE plpgsql
    AS $$
DECLARE
  v coupons;
BEGIN
  SELECT c.* INTO v FROM coupons c JOIN shops s ON s.id = c.shop_id
   WHERE c.id = p_coupon AND c.shop_id = p_shop AND s.merchant_id = p_merchant
     FOR UPDATE OF c;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::coupons;
  ELSIF v.stopped_at IS NOT NULL OR p_now >= v.claim_end THEN
    RETURN QUERY SELECT 'invalid_state'::text, v;
  ELSIF v.total_quantity::bigint + p_quantity > 1000000 THEN
    RETURN QUERY SELECT 'quantity_limit'::text, v;
  ELSE
    UPDATE coupons c SET total_quantity = c.total_quantity + p_quantity
     WHERE c.id = p_coupon RETURNING c.* INTO v;
    RETURN QUERY SELECT 'ok'::text, v;
  END IF;
END
$$;


--
-- Name: coupon_claim(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.coupon_claim(p_buyer bigint, p_coupon bigint, p_now timestamp with time zone) RETURNS TABLE(result text, id bigint, coupon_id bigint, shop_id bigint, kind text, product_id bigint, title text, discount_cents bigint, min_order_cents bigint, valid_from timestamp with time zone, valid_to timestamp with time zone, claimed_at timestamp with time zone)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  c          record;
  v_n        bigint;
  v_claimed  integer;
  v_sold_out boolean;
BEGIN
  IF p_buyer IS NULL THEN
    RETURN;
  END IF;
  SELECT x.*,
         (SELECT count(*) FROM buyer_coupons b
           WHERE b.coupon_id = p_coupon AND b.buyer_id = p_buyer) AS buyer_claims,
         x.channel = 'normal'
           OR (SELECT s.live_since FROM shops s WHERE s.id = x.shop_id) IS NOT NULL AS on_air
    INTO c FROM coupons x WHERE x.id = p_coupon;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF c.stopped_at IS NOT NULL OR p_now < c.claim_start OR p_now >= c.claim_end
        OR (c.valid_days IS NULL AND c.valid_to <= p_now) OR NOT c.on_air THEN
    result := 'not_claimable';
  ELSIF c.buyer_claims >= c.per_buyer_limit THEN
    result := 'claim_limit_reached';
  ELSIF c.claimed >= c.total_quantity THEN
    result := 'sold_out';
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;

  UPDATE coupons x SET claimed = x.claimed + 1
   WHERE x.id = p_coupon AND x.claimed < x.total_quantity AND x.stopped_at IS NULL
     AND (x.channel = 'normal'
          OR (SELECT s.live_since FROM shops s WHERE s.id = x.shop_id) IS NOT NULL)
  RETURNING x.claimed INTO v_claimed;
  IF NOT FOUND THEN
    -- Changed since it was read: sold out, stopped, or the live session
    -- ended.
    SELECT x.claimed >= x.total_quantity INTO v_sold_out FROM coupons x WHERE x.id = p_coupon;
    result := CASE WHEN v_sold_out THEN 'sold_out' ELSE 'not_claimable' END;
    RETURN NEXT;
    RETURN;
  END IF;
  IF v_claimed <> c.claimed + 1 THEN
    SELECT count(*) INTO v_n FROM buyer_coupons b
     WHERE b.coupon_id = p_coupon AND b.buyer_id = p_buyer;
    IF v_n >= c.per_buyer_limit THEN
      UPDATE coupons x SET claimed = x.claimed - 1 WHERE x.id = p_coupon;
      result := 'claim_limit_reached';
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  IF c.valid_days IS NOT NULL THEN
    valid_from := p_now;
    valid_to := p_now + make_interval(days => c.valid_days);
  ELSE
    valid_from := c.valid_from;
    valid_to := c.valid_to;
  END IF;
  INSERT INTO buyer_coupons (coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at)
  VALUES (p_coupon, p_buyer, c.shop_id, valid_from, valid_to, p_now)
  RETURNING buyer_coupons.id INTO id;
  result := 'ok';
  coupon_id := p_coupon;
  shop_id := c.shop_id;
  kind := c.kind;
  product_id := c.product_id;
  title := c.title;
  discount_cents := c.discount_cents;
  min_order_cents := c.min_order_cents;
  claimed_at := p_now;
  RETURN NEXT;
END
$$;


--
-- Name: FUNCTION coupon_claim(p_buyer bigint, p_coupon bigint, p_now timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.coupon_claim(p_buyer bigint, p_coupon bigint, p_now timestamp with time zone) IS 'claims a coupon for a buyer, exactly: never past total_quantity or per_buyer_limit';


--
-- Name: coupon_give_back(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.coupon_give_back() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_coupon bigint;
BEGIN
  UPDATE buyer_coupons SET used_order_id = NULL, used_at = NULL
   WHERE id = NEW.coupon_id AND used_order_id = NEW.id AND valid_to > NEW.closed_at
  RETURNING coupon_id INTO v_coupon;
  IF v_coupon IS NOT NULL THEN
    UPDATE coupons SET used = used - 1 WHERE id = v_coupon;
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: coupon_status(timestamp with time zone, timestamp with time zone, timestamp with time zone, integer, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.coupon_status(p_stopped_at timestamp with time zone, p_claim_start timestamp with time zone, p_claim_end timestamp with time zone, p_claimed integer, p_total integer, p_now timestamp with time zone) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN p_stopped_at IS NOT NULL THEN 'stopped'
              WHEN p_now >= p_claim_end THEN 'ended'
              WHEN p_claimed >= p_total THEN 'sold_out'
              WHEN p_now < p_claim_start THEN 'not_started'
              ELSE 'claiming' END
$$;


--
-- Name: coupons_create(bigint, bigint, text, bigint[], text, bigint, bigint, integer, integer, timestamp with time zone, timestamp with time zone, integer, timestamp with time zone, timestamp with time zone, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.coupons_create(p_merchant bigint, p_shop bigint, p_kind text, p_products bigint[], p_title text, p_discount bigint, p_min_order bigint, p_total integer, p_per_buyer integer, p_claim_start timestamp with time zone, p_claim_end timestamp with time zone, p_valid_days integer, p_valid_from timestamp with time zone, p_valid_to timestamp with time zone, p_channel text, p_now timestamp with time zone) RETURNS TABLE(idx integer, code text, coupon public.coupons)
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 0, 'not_found'::text, NULL::coupons;
    RETURN;
  END IF;
  IF p_kind = 'product' THEN
    RETURN QUERY
      SELECT (u.i - 1)::integer, 'invalid_product'::text, NULL::coupons
        FROM unnest(p_products) WITH ORDINALITY AS u (pid, i)
       WHERE NOT EXISTS (SELECT 1 FROM products p
                          WHERE p.id = u.pid AND p.shop_id = p_shop AND p.deleted_at IS NULL)
       ORDER BY u.i;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    WITH wanted AS (
      SELECT u.pid, u.i
        FROM unnest(CASE WHEN p_kind = 'product' THEN p_products ELSE ARRAY[NULL::bigint] END)
             WITH ORDINALITY AS u (pid, i)),
    made AS (
      INSERT INTO coupons AS c (shop_id, kind, product_id, title, discount_cents, min_order_cents,
                                total_quantity, per_buyer_limit, claim_start, claim_end,
                                valid_days, valid_from, valid_to, channel, created_at)
      SELECT p_shop, p_kind, w.pid, p_title, p_discount, p_min_order, p_total, p_per_buyer,
             p_claim_start, p_claim_end, p_valid_days, p_valid_from, p_valid_to, p_channel, p_now
        FROM wanted w ORDER BY w.i
      RETURNING c)
    SELECT (w.i - 1)::integer, 'ok'::text, m.c
      FROM made m JOIN wanted w ON (m.c).product_id IS NOT DISTINCT FROM w.pid
     ORDER BY w.i;
END
$$;


--
-- Name: events_position(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_position() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_n integer;
BEGIN
  v_n := coalesce(nullif(current_setting('merchantd.event_count', true), ''), '0')::integer;
  IF v_n >= 1048576 THEN
    RAISE EXCEPTION 'too many events in one transaction' USING ERRCODE = 'program_limit_exceeded';
  END IF;
  PERFORM set_config('merchantd.event_count', (v_n + 1)::text, true);
  NEW.xid := pg_current_xact_id();
  NEW.id := (NEW.xid::text::bigint << 20) | v_n;
  PERFORM pg_notify('merchantd_events',
                    coalesce(NEW.merchant_id::text, '') || ' ' || coalesce(NEW.buyer_id::text, ''));
  RETURN NEW;
END
$$;


--
-- Name: letter_compose(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_compose(p_letter bigint, p_zone text) RETURNS void
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: letter_due_at(timestamp with time zone, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_due_at(p_at timestamp with time zone, p_zone text) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
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


--
-- Name: letter_lines(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_lines(p_letter bigint) RETURNS TABLE(order_id bigint, order_sn text, buyer_name text, items_cents bigint, total_cents bigint, action text, reason text, note text, deadline timestamp with time zone, acted_at timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
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


--
-- Name: letter_list(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_list(p_items text[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT array_to_string(p_items[1:50], '、')
         || CASE WHEN cardinality(p_items) > 50
                 THEN format('等%s笔', cardinality(p_items)) ELSE '' END
$$;


--
-- Name: letter_notices_record(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_notices_record() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO letter_notices (action_id, shop_id, order_id, kind, acted_at)
  SELECT a.id, a.shop_id, a.order_id,
         CASE a.action WHEN 'hold' THEN 'hold' WHEN 'extend' THEN 'extend' ELSE 'result' END,
         a.created_at
    FROM added a ORDER BY a.id;
  RETURN NULL;
END
$$;


--
-- Name: letter_title(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letter_title(p_kind text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE p_kind WHEN 'hold' THEN '订单禁止发货通知' WHEN 'result' THEN '订单审核结果通知'
                     ELSE '订单审核延期通知' END
$$;


--
-- Name: letters_count_unread(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letters_count_unread() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM order_count(NEW.shop_id, 'unread_letters',
                      CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
  RETURN NULL;
END
$$;


--
-- Name: letters_deliver(timestamp with time zone, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.letters_deliver(p_now timestamp with time zone, p_zone text, p_limit integer) RETURNS integer
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: message_send(bigint, bigint, text, text, bigint, bigint[], bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.message_send(p_caller bigint, p_conv bigint, p_type text, p_body text, p_quick_reply bigint, p_products bigint[], p_order bigint, p_now timestamp with time zone) RETURNS TABLE(result text, field text, message_id bigint, sender text, body text, card jsonb, created_at timestamp with time zone)
    LANGUAGE plpgsql
    AS $$
DECLARE
  c        conversations;
  v_sender text;
  v_body   text := coalesce(p_body, '');
  v_card   jsonb;
  v_bad    integer;
BEGIN
  SELECT * INTO c FROM conversations x
   WHERE x.id = p_conv AND (x.merchant_id = p_caller OR x.buyer_id = p_caller);
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::text, NULL::bigint, NULL::text, NULL::text,
                        NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  v_sender := CASE WHEN c.merchant_id = p_caller THEN 'merchant' ELSE 'buyer' END;

  IF p_quick_reply IS NOT NULL THEN
    SELECT q.text INTO v_body FROM quick_replies q
     WHERE q.id = p_quick_reply AND q.shop_id = c.shop_id AND q.deleted_at IS NULL
       AND v_sender = 'merchant';
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', 'quick_reply_id', NULL::bigint, NULL::text,
                          NULL::text, NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
  ELSIF p_type IN ('product_card', 'products_card') THEN
    -- The first id (by position) that is not a product of this shop the
    -- sender may show: a live one for the merchant, on sale for the buyer.
    SELECT min(i.n) INTO v_bad FROM unnest(p_products) WITH ORDINALITY i (id, n)
     WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = i.id AND p.shop_id = c.shop_id
                                                 AND p.deleted_at IS NULL
                                                 AND (v_sender = 'merchant'
                                                      OR p.status = 'on_sale'));
    IF v_bad IS NOT NULL THEN
      RETURN QUERY SELECT 'invalid_field',
                          CASE WHEN p_type = 'product_card' THEN 'product_id'
                               ELSE 'product_ids[' || (v_bad - 1) || ']' END,
                          NULL::bigint, NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
    SELECT jsonb_agg(chat_product_snapshot(p) ORDER BY i.n) INTO v_card
      FROM unnest(p_products) WITH ORDINALITY i (id, n) JOIN products p ON p.id = i.id;
    v_card := CASE WHEN p_type = 'product_card' THEN v_card -> 0
                   ELSE jsonb_build_object('products', v_card) END;
  ELSIF p_type = 'order_card' THEN
    SELECT jsonb_build_object('order_id', o.id, 'order_sn', o.order_sn, 'status', o.status,
                              'total_cents', o.total_cents, 'title', o.items -> 0 ->> 'title',
                              'image', o.items -> 0 -> 'image')
      INTO v_card FROM orders o
     WHERE o.id = p_order AND o.shop_id = c.shop_id AND o.buyer_id = c.buyer_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', 'order_id', NULL::bigint, NULL::text, NULL::text,
                          NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
  END IF;

  RETURN QUERY
  INSERT INTO messages AS m (conversation_id, shop_id, buyer_id, sender, sender_id, type, body,
                             card, created_at)
  VALUES (c.id, c.shop_id, c.buyer_id, v_sender, p_caller, p_type, v_body, v_card, p_now)
  RETURNING 'ok'::text, NULL::text, m.id, m.sender, m.body, m.card, m.created_at;
END
$$;


--
-- Name: messages_auto_reply(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.messages_auto_reply() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  a auto_replies;
  v_reply text;
BEGIN
  SELECT * INTO a FROM auto_replies WHERE shop_id = NEW.shop_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF a.greeting IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM messages m
       WHERE m.conversation_id = NEW.conversation_id AND m.id <> NEW.id
         AND m.created_at > NEW.created_at - interval '24 hours') THEN
    PERFORM auto_reply_send(NEW, a.greeting);
  END IF;
  IF NEW.type = 'text' THEN
    SELECT k.r->>'reply' INTO v_reply
      FROM jsonb_array_elements(a.keyword_rules) WITH ORDINALITY k (r, i)
     WHERE strpos(lower(NEW.body), lower(k.r->>'keyword')) > 0
     ORDER BY k.i LIMIT 1;
    IF v_reply IS NOT NULL THEN
      PERFORM auto_reply_send(NEW, v_reply);
    END IF;
  END IF;
  IF a.away_message IS NOT NULL AND jsonb_array_length(a.away_hours) > 0
     AND NOT auto_reply_open_at(a.away_hours, NEW.created_at)
     AND NOT EXISTS (
       SELECT 1 FROM messages m
        WHERE m.conversation_id = NEW.conversation_id AND m.sender = 'auto'
          AND m.body = a.away_message AND m.created_at > NEW.created_at - interval '24 hours'
          AND m.id > coalesce((SELECT max(x.id) FROM messages x
                                WHERE x.conversation_id = NEW.conversation_id
                                  AND x.sender = 'merchant'), 0)) THEN
    PERFORM auto_reply_send(NEW, a.away_message);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: messages_event(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.messages_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'message.created', c.merchant_id, c.buyer_id, c.shop_id,
         jsonb_build_object('conversation_id', NEW.conversation_id, 'message_id', NEW.id,
                            'sender', NEW.sender, 'type', NEW.type), NEW.created_at
    FROM conversations c WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;


--
-- Name: messages_keep_conversation(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.messages_keep_conversation() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE conversations c
     SET last_message_id = greatest(c.last_message_id, NEW.id),
         last_activity_at = CASE WHEN c.last_message_id > NEW.id THEN c.last_activity_at
                                 ELSE NEW.created_at END,
         last_preview = CASE WHEN c.last_message_id > NEW.id THEN c.last_preview
                             WHEN NEW.type = 'text' THEN left(NEW.body, 100)
                             WHEN NEW.type = 'image' THEN '[图片]'
                             WHEN NEW.type = 'order_card' THEN '[订单]'
                             ELSE '[商品]' END,
         last_buyer_message_at = CASE WHEN NEW.sender = 'buyer' THEN NEW.created_at
                                      ELSE c.last_buyer_message_at END,
         merchant_unread = c.merchant_unread
                           + (NEW.sender = 'buyer' AND NEW.id > c.merchant_read_up_to)::integer,
         buyer_unread = c.buyer_unread
                        + (NEW.sender <> 'buyer' AND NEW.id > c.buyer_read_up_to)::integer,
         awaiting_reply = CASE WHEN c.last_message_id > NEW.id THEN c.awaiting_reply
                               WHEN NEW.sender = 'buyer' THEN true
                               WHEN NEW.sender = 'merchant' THEN false
                               ELSE c.awaiting_reply END
   WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;


--
-- Name: order_cancel(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_cancel(p_buyer bigint, p_order bigint, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_status text;
BEGIN
  SELECT status INTO v_status FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF v_status <> 'unpaid' THEN
    RETURN 'invalid_state';
  END IF;
  PERFORM order_close_unpaid(p_order, 'cancelled', p_now);
  RETURN 'ok';
END
$$;


--
-- Name: order_close_unpaid(bigint, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_close_unpaid(p_order bigint, p_reason text, p_now timestamp with time zone) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM order_release_stock(p_order);
  UPDATE orders SET status = 'closed', closed_at = p_now, close_reason = p_reason WHERE id = p_order;
END
$$;


--
-- Name: order_confirm_receipt(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_confirm_receipt(p_buyer bigint, p_order bigint, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE orders SET status = 'completed', completed_at = p_now
   WHERE id = p_order AND buyer_id = p_buyer AND status = 'shipped';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM orders WHERE id = p_order AND buyer_id = p_buyer;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;


--
-- Name: order_count(bigint, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_count(p_shop bigint, p_tab text, p_delta integer) RETURNS void
    LANGUAGE sql
    AS $$
  INSERT INTO shop_order_counts AS c (shop_id, tab, n) VALUES (p_shop, p_tab, greatest(p_delta, 0))
  ON CONFLICT (shop_id, tab) DO UPDATE SET n = c.n + p_delta
$$;


--
-- Name: order_counts_keep(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_counts_keep() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM order_count(NEW.shop_id, NEW.status, 1);
    IF NEW.review_status = 'under_review' THEN
      PERFORM order_count(NEW.shop_id, 'under_review', 1);
    END IF;
    RETURN NULL;
  END IF;
  IF NEW.status <> OLD.status THEN
    PERFORM order_count(OLD.shop_id, OLD.status, -1);
    PERFORM order_count(NEW.shop_id, NEW.status, 1);
  END IF;
  IF NEW.after_sales_open <> OLD.after_sales_open THEN
    PERFORM order_count(NEW.shop_id, 'after_sales', CASE WHEN NEW.after_sales_open THEN 1 ELSE -1 END);
  END IF;
  IF (OLD.review_status IS NOT DISTINCT FROM 'under_review')
     <> (NEW.review_status IS NOT DISTINCT FROM 'under_review') THEN
    PERFORM order_count(NEW.shop_id, 'under_review',
                        CASE WHEN NEW.review_status = 'under_review' THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: order_create(bigint, bigint, jsonb, jsonb, text, timestamp with time zone, timestamp with time zone, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_create(p_buyer bigint, p_shop bigint, p_items jsonb, p_addr jsonb, p_note text, p_now timestamp with time zone, p_expires timestamp with time zone, p_coupon bigint DEFAULT NULL::bigint) RETURNS TABLE(result text, order_id bigint)
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_items    bigint := 0;
  v_discount bigint := 0;
  v_base     bigint;
  v_lines    jsonb;
  v_id       bigint;
  r          record;
  b          record;
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  PERFORM 1 FROM skus WHERE id IN (SELECT (e ->> 'sku_id')::bigint FROM jsonb_array_elements(p_items) e)
   ORDER BY id FOR UPDATE;
  FOR r IN SELECT i.sku_id, i.quantity, s.id AS found, s.shop_id, s.stock, s.price_cents,
                  p.status, p.deleted_at
             FROM jsonb_to_recordset(p_items) AS i (sku_id bigint, quantity integer)
             LEFT JOIN skus s ON s.id = i.sku_id
             LEFT JOIN products p ON p.id = s.product_id LOOP
    IF r.found IS NULL OR r.shop_id <> p_shop THEN
      RETURN QUERY SELECT 'not_found', r.sku_id;
      RETURN;
    END IF;
    IF r.status <> 'on_sale' OR r.deleted_at IS NOT NULL THEN
      RETURN QUERY SELECT 'product_unavailable', r.sku_id;
      RETURN;
    END IF;
    IF r.stock < r.quantity THEN
      RETURN QUERY SELECT 'out_of_stock', r.sku_id;
      RETURN;
    END IF;
    v_items := v_items + r.price_cents * r.quantity;
  END LOOP;

  SELECT jsonb_agg(jsonb_build_object('line', e.n, 'sku_id', s.id, 'product_id', p.id,
                           'title', p.title, 'spec', s.spec, 'image', p.images[1],
                           'price_cents', s.price_cents,
                           'quantity', (e.item ->> 'quantity')::integer) ORDER BY e.n)
    INTO v_lines
    FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
    JOIN skus s ON s.id = (e.item ->> 'sku_id')::bigint JOIN products p ON p.id = s.product_id;

  IF p_coupon IS NOT NULL THEN
    SELECT bc.id, bc.buyer_id, bc.shop_id, bc.valid_from, bc.valid_to, bc.used_order_id,
           c.id AS coupon, c.kind, c.product_id, c.discount_cents, c.min_order_cents
      INTO b
      FROM buyer_coupons bc JOIN coupons c ON c.id = bc.coupon_id
     WHERE bc.id = p_coupon FOR UPDATE OF bc;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'coupon_unavailable', NULL::bigint;
      RETURN;
    END IF;
    v_base := CASE WHEN b.kind = 'shop' THEN v_items
                   ELSE (SELECT coalesce(sum((l ->> 'price_cents')::bigint * (l ->> 'quantity')::bigint), 0)
                           FROM jsonb_array_elements(v_lines) l
                          WHERE (l ->> 'product_id')::bigint = b.product_id) END;
    IF b.buyer_id <> p_buyer OR b.shop_id <> p_shop OR b.used_order_id IS NOT NULL
       OR p_now < b.valid_from OR p_now >= b.valid_to
       OR v_base = 0 OR v_base < b.min_order_cents OR v_base < b.discount_cents THEN
      RETURN QUERY SELECT 'coupon_unavailable', NULL::bigint;
      RETURN;
    END IF;
    v_discount := b.discount_cents;
  END IF;

  INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                      discount_cents, total_cents, addr_name, addr_phone, addr_province, addr_city,
                      addr_district, addr_detail, note, created_at, expires_at, items, coupon_id,
                      change_seq, change_xid)
  SELECT to_char(p_now AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-'
           || lpad(nextval('order_sn_seq')::text, 10, '0'),
         p_shop, (SELECT merchant_id FROM shops WHERE id = p_shop), p_buyer, a.display_name,
         'unpaid', v_items, v_discount, v_items - v_discount,
         p_addr ->> 'name', p_addr ->> 'phone', p_addr ->> 'province', p_addr ->> 'city',
         p_addr ->> 'district', p_addr ->> 'detail', coalesce(p_note, ''), p_now, p_expires,
         v_lines, p_coupon, 0, '0'
    FROM accounts a WHERE a.id = p_buyer
  RETURNING id INTO v_id;

  INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
  SELECT v_id, l.line, l.sku_id, l.product_id, l.title, l.spec, l.image, l.price_cents, l.quantity
    FROM jsonb_to_recordset(v_lines) AS l (line smallint, sku_id bigint, product_id bigint, title text,
                                           spec text, image text, price_cents bigint, quantity integer);
  UPDATE skus s SET stock = s.stock - i.quantity, updated_at = p_now
    FROM jsonb_to_recordset(p_items) AS i (sku_id bigint, quantity integer)
   WHERE s.id = i.sku_id;
  IF p_coupon IS NOT NULL THEN
    UPDATE buyer_coupons SET used_order_id = v_id, used_at = p_now WHERE id = p_coupon;
    UPDATE coupons SET used = used + 1 WHERE id = b.coupon;
  END IF;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;


--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    id bigint NOT NULL,
    order_sn text NOT NULL,
    shop_id bigint NOT NULL,
    merchant_id bigint NOT NULL,
    buyer_id bigint NOT NULL,
    buyer_name text NOT NULL,
    status text NOT NULL,
    items_cents bigint NOT NULL,
    discount_cents bigint DEFAULT 0 NOT NULL,
    total_cents bigint NOT NULL,
    paid_cents bigint DEFAULT 0 NOT NULL,
    refunded_cents bigint DEFAULT 0 NOT NULL,
    addr_name text NOT NULL,
    addr_phone text NOT NULL,
    addr_province text NOT NULL,
    addr_city text NOT NULL,
    addr_district text NOT NULL,
    addr_detail text NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    merchant_note text DEFAULT ''::text NOT NULL,
    flag smallint DEFAULT 0 NOT NULL,
    carrier text,
    tracking_no text,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    paid_at timestamp with time zone,
    grouped_at timestamp with time zone,
    shipped_at timestamp with time zone,
    completed_at timestamp with time zone,
    closed_at timestamp with time zone,
    close_reason text,
    items jsonb NOT NULL,
    after_sales_open boolean DEFAULT false NOT NULL,
    change_seq bigint NOT NULL,
    change_xid xid8 NOT NULL,
    review_status text,
    review_reason text,
    review_deadline timestamp with time zone,
    coupon_id bigint,
    CONSTRAINT orders_check CHECK (((total_cents = (items_cents - discount_cents)) AND (total_cents >= 0))),
    CONSTRAINT orders_check1 CHECK (((paid_cents = 0) OR (paid_cents = total_cents))),
    CONSTRAINT orders_check2 CHECK (((refunded_cents >= 0) AND (refunded_cents <= paid_cents))),
    CONSTRAINT orders_check3 CHECK ((((status = 'unpaid'::text) = (paid_at IS NULL)) OR (status = 'closed'::text))),
    CONSTRAINT orders_check4 CHECK (((status = ANY (ARRAY['shipped'::text, 'completed'::text])) <= ((carrier IS NOT NULL) AND (shipped_at IS NOT NULL)))),
    CONSTRAINT orders_check5 CHECK (((status = 'closed'::text) = ((closed_at IS NOT NULL) AND (close_reason IS NOT NULL)))),
    CONSTRAINT orders_close_reason_check CHECK ((close_reason = ANY (ARRAY['cancelled'::text, 'expired'::text, 'refunded'::text]))),
    CONSTRAINT orders_discount_cents_check CHECK ((discount_cents >= 0)),
    CONSTRAINT orders_flag_check CHECK (((flag >= 0) AND (flag <= 5))),
    CONSTRAINT orders_items_cents_check CHECK ((items_cents > 0)),
    CONSTRAINT orders_merchant_note_check CHECK ((char_length(merchant_note) <= 500)),
    CONSTRAINT orders_not_shipped_while_held CHECK (((review_status IS DISTINCT FROM 'under_review'::text) OR (status = 'paid'::text))),
    CONSTRAINT orders_review_complete CHECK (((review_status IS NULL) = ((review_reason IS NULL) AND (review_deadline IS NULL)))),
    CONSTRAINT orders_review_reason_check CHECK (((char_length(review_reason) >= 1) AND (char_length(review_reason) <= 500))),
    CONSTRAINT orders_review_status_check CHECK ((review_status = ANY (ARRAY['under_review'::text, 'released'::text, 'closed'::text]))),
    CONSTRAINT orders_status_check CHECK ((status = ANY (ARRAY['unpaid'::text, 'paid'::text, 'shipped'::text, 'completed'::text, 'closed'::text]))),
    CONSTRAINT orders_tracking_no_check CHECK ((tracking_no ~ '^[A-Za-z0-9-]{6,40}$'::text))
);


--
-- Name: TABLE orders; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.orders IS 'buyers'' orders; status moves only along unpaid > paid > shipped > completed, or to closed (see order_status_guard)';


--
-- Name: COLUMN orders.merchant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.orders.merchant_id IS 'the shop''s owner (shops never change hands), so that reading an order authorises without reading the shop';


--
-- Name: COLUMN orders.items; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.orders.items IS 'the lines as ordered, the same as order_items: read with the order without a join';


--
-- Name: COLUMN orders.change_seq; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.orders.change_seq IS 'position in the ERP change feed, renewed by every change: change_xid << 20 plus a count within the transaction';


--
-- Name: COLUMN orders.change_xid; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.orders.change_xid IS 'transaction of the last change: the feed holds back changes of transactions that may still commit';


--
-- Name: COLUMN orders.review_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.orders.review_status IS 'NULL: never reviewed; under_review: held, cannot ship; released or closed: the outcome';


--
-- Name: order_fresh(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_fresh(p_order bigint) RETURNS SETOF public.orders
    LANGUAGE plpgsql ROWS 1
    AS $$
BEGIN
  RETURN QUERY SELECT * FROM orders WHERE id = p_order;
END
$$;


--
-- Name: order_pay(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_pay(p_buyer bigint, p_order bigint, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.status <> 'unpaid' THEN
    RETURN 'invalid_state';
  ELSIF o.expires_at <= p_now THEN
    PERFORM order_close_unpaid(p_order, 'expired', p_now);
    RETURN 'order_expired';
  END IF;
  UPDATE orders SET status = 'paid', paid_at = p_now, grouped_at = p_now, paid_cents = total_cents
   WHERE id = p_order;
  RETURN 'ok';
END
$$;


--
-- Name: order_release_stock(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_release_stock(p_order bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM skus WHERE id IN (SELECT sku_id FROM order_items WHERE order_id = p_order)
   ORDER BY id FOR UPDATE;
  UPDATE skus s SET stock = s.stock + i.quantity
    FROM order_items i WHERE i.order_id = p_order AND s.id = i.sku_id;
END
$$;


--
-- Name: order_review_follow_close(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_review_follow_close() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.review_status := 'closed';
  RETURN NEW;
END
$$;


--
-- Name: order_ship(bigint, bigint, text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_ship(p_shop bigint, p_order bigint, p_carrier text, p_tracking text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_status text;
  v_review text;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  UPDATE orders SET status = 'shipped', carrier = p_carrier, tracking_no = p_tracking, shipped_at = p_now
   WHERE id = p_order AND shop_id = p_shop AND status = 'paid'
     AND review_status IS DISTINCT FROM 'under_review';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  SELECT status, review_status INTO v_status, v_review FROM orders WHERE id = p_order AND shop_id = p_shop;
  RETURN CASE WHEN v_status IS NULL THEN 'not_found'
              WHEN v_status = 'paid' AND v_review IS NOT NULL THEN 'order_under_review'
              ELSE 'invalid_state' END;
END
$$;


--
-- Name: order_status_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.order_status_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_n integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'unpaid' THEN
      RAISE EXCEPTION 'a new order must be unpaid' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'unpaid' AND NEW.status IN ('paid', 'closed'))
    OR (OLD.status = 'paid' AND NEW.status IN ('shipped', 'closed'))
    OR (OLD.status = 'shipped' AND NEW.status IN ('completed', 'closed'))
    OR (OLD.status = 'completed' AND NEW.status = 'closed' AND NEW.close_reason = 'refunded')) THEN
    RAISE EXCEPTION 'order % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  -- The feed position follows the transaction id, so that a change the ERP
  -- feed hands out (change_xid below its snapshot's xmin) sorts before every
  -- change still to commit. A sequence drawn here could not promise that: a
  -- transaction that got its id early (a lock at its start) draws late, and
  -- a newer transaction still running can hold a smaller number. The low 20
  -- bits count the changes of the transaction: seqs stay unique and grow.
  v_n := coalesce(nullif(current_setting('merchantd.order_changes', true), ''), '0')::integer;
  IF v_n >= 1048576 THEN
    RAISE EXCEPTION 'too many order changes in one transaction'
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  PERFORM set_config('merchantd.order_changes', (v_n + 1)::text, true);
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := (NEW.change_xid::text::bigint << 20) | v_n;
  RETURN NEW;
END
$$;


--
-- Name: orders_autocomplete(timestamp with time zone, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.orders_autocomplete(p_now timestamp with time zone, p_limit integer) RETURNS integer
    LANGUAGE sql
    AS $$
  WITH due AS (SELECT id FROM orders WHERE status = 'shipped' AND shipped_at <= p_now - interval '10 days'
                ORDER BY shipped_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
       done AS (UPDATE orders o SET status = 'completed', completed_at = p_now
                  FROM due WHERE o.id = due.id RETURNING 1)
  SELECT count(*)::integer FROM done
$$;


--
-- Name: orders_expire(timestamp with time zone, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.orders_expire(p_now timestamp with time zone, p_limit integer) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_id bigint;
  v_n  integer := 0;
BEGIN
  FOR v_id IN SELECT id FROM orders WHERE status = 'unpaid' AND expires_at <= p_now
               ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED LOOP
    PERFORM order_close_unpaid(v_id, 'expired', p_now);
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;


--
-- Name: orders_ship_batch(bigint, jsonb, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.orders_ship_batch(p_shop bigint, p_items jsonb, p_now timestamp with time zone) RETURNS TABLE(order_id bigint, result text)
    LANGUAGE plpgsql
    AS $$
DECLARE
  r    record;
  seen bigint[] := '{}';
BEGIN
  FOR r IN SELECT (e.item ->> 'order_id')::bigint AS id, e.item ->> 'carrier' AS carrier,
                  e.item ->> 'tracking_no' AS tracking_no
             FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
            ORDER BY e.n LOOP
    order_id := r.id;
    IF r.id = ANY (seen) THEN
      result := 'duplicate_in_batch';
    ELSE
      seen := seen || r.id;
      result := order_ship(p_shop, r.id, r.carrier, r.tracking_no, p_now);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;


--
-- Name: quick_reply_add(bigint, bigint, text, text, integer, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.quick_reply_add(p_merchant bigint, p_shop bigint, p_text text, p_group text, p_position integer, p_max integer, p_now timestamp with time zone, OUT code text, OUT id bigint) RETURNS record
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF (SELECT count(*) FROM quick_replies q
       WHERE q.shop_id = p_shop AND q.deleted_at IS NULL) >= p_max THEN
    code := 'quick_reply_limit';
    RETURN;
  END IF;
  INSERT INTO quick_replies (shop_id, text, group_name, position, created_at, updated_at)
  VALUES (p_shop, p_text, p_group, p_position, p_now, p_now)
  RETURNING quick_replies.id INTO id;
  code := 'ok';
END
$$;


--
-- Name: review_close(bigint, bigint, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_close(p_reviewer bigint, p_order bigint, p_reason text, p_now timestamp with time zone) RETURNS TABLE(result text, refund_cents bigint)
    LANGUAGE plpgsql
    AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  PERFORM 1 FROM after_sales a WHERE a.order_id = p_order AND a.status IN ('requested', 'approved')
    FOR UPDATE;
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
    RETURN;
  END IF;
  refund_cents := o.paid_cents - o.refunded_cents;
  IF refund_cents > 0 THEN
    INSERT INTO refunds (order_id, amount_cents, reason, created_at)
    VALUES (p_order, refund_cents, p_reason, p_now);
  END IF;
  UPDATE after_sales a SET status = 'refunded', decided_at = p_now
   WHERE a.order_id = p_order AND a.status IN ('requested', 'approved');
  PERFORM order_release_stock(p_order);
  UPDATE orders SET status = 'closed', closed_at = p_now, close_reason = 'refunded',
                    refunded_cents = paid_cents, after_sales_open = false, review_status = 'closed'
   WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, reason, deadline, created_at)
  VALUES (p_order, o.shop_id, 'close', p_reviewer, p_reason, o.review_deadline, p_now);
  result := 'ok';
  RETURN NEXT;
END
$$;


--
-- Name: review_extend(bigint, bigint, integer, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_extend(p_reviewer bigint, p_order bigint, p_hours integer, p_note text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  o orders%ROWTYPE;
  v_deadline timestamptz;
BEGIN
  IF p_hours NOT BETWEEN 1 AND 168 THEN
    RAISE EXCEPTION 'extension of % hours is out of range', p_hours
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN 'invalid_state';
  END IF;
  v_deadline := o.review_deadline + p_hours * interval '1 hour';
  UPDATE orders SET review_deadline = v_deadline WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'extend', p_reviewer, p_note, v_deadline, p_now);
  RETURN 'ok';
END
$$;


--
-- Name: review_hold(bigint, bigint, text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_hold(p_reviewer bigint, p_order bigint, p_reason text, p_note text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  o orders%ROWTYPE;
  v_deadline timestamptz;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status = 'under_review' THEN
    RETURN 'already_under_review';
  ELSIF o.status <> 'paid' THEN
    RETURN 'invalid_state';
  END IF;
  v_deadline := coalesce(o.grouped_at, o.paid_at) + interval '24 hours';
  UPDATE orders SET review_status = 'under_review', review_reason = p_reason,
                    review_deadline = v_deadline
   WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, reason, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'hold', p_reviewer, p_reason, p_note, v_deadline, p_now);
  RETURN 'ok';
END
$$;


--
-- Name: review_release(bigint, bigint, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_release(p_reviewer bigint, p_order bigint, p_note text, p_now timestamp with time zone) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN 'invalid_state';
  END IF;
  UPDATE orders SET review_status = 'released' WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'release', p_reviewer, p_note, o.review_deadline, p_now);
  RETURN 'ok';
END
$$;


--
-- Name: reviews_release_due(timestamp with time zone, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.reviews_release_due(p_now timestamp with time zone, p_limit integer) RETURNS integer
    LANGUAGE sql
    AS $$
  WITH due AS (SELECT id FROM orders
                WHERE review_status = 'under_review' AND review_deadline <= p_now
                ORDER BY review_deadline, id LIMIT p_limit FOR UPDATE SKIP LOCKED),
       released AS (UPDATE orders o SET review_status = 'released'
                      FROM due WHERE o.id = due.id AND o.review_status = 'under_review'
                                 AND o.review_deadline <= p_now
                    RETURNING o.id, o.shop_id, o.review_deadline),
       recorded AS (INSERT INTO review_actions (order_id, shop_id, action, deadline, created_at)
                    SELECT id, shop_id, 'auto_release', review_deadline, p_now FROM released
                    RETURNING 1)
  SELECT count(*)::integer FROM recorded
$$;


--
-- Name: sessions_end_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.sessions_end_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM pg_notify('merchantd_events', NEW.account_id::text || ' ');
  RETURN NULL;
END
$$;


--
-- Name: shipment_valid(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.shipment_valid(p_carrier text, p_tracking text) RETURNS boolean
    LANGUAGE sql STABLE
    AS $_$
  SELECT coalesce(p_tracking ~ '^[A-Za-z0-9-]{6,40}$', false)
     AND EXISTS (SELECT 1 FROM carriers WHERE code = p_carrier)
$_$;


--
-- Name: after_sales; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.after_sales (
    id bigint NOT NULL,
    order_id bigint NOT NULL,
    shop_id bigint NOT NULL,
    buyer_id bigint NOT NULL,
    type text NOT NULL,
    reason text NOT NULL,
    amount_cents bigint NOT NULL,
    status text NOT NULL,
    reject_reason text,
    carrier text,
    tracking_no text,
    created_at timestamp with time zone NOT NULL,
    decided_at timestamp with time zone,
    reshipped_at timestamp with time zone,
    CONSTRAINT after_sales_amount_cents_check CHECK ((amount_cents >= 0)),
    CONSTRAINT after_sales_check CHECK (((type = 'reship'::text) = (amount_cents = 0))),
    CONSTRAINT after_sales_reason_check CHECK (((char_length(reason) >= 1) AND (char_length(reason) <= 500))),
    CONSTRAINT after_sales_status_check CHECK ((status = ANY (ARRAY['requested'::text, 'approved'::text, 'rejected'::text, 'refunded'::text, 'reshipped'::text]))),
    CONSTRAINT after_sales_tracking_no_check CHECK ((tracking_no ~ '^[A-Za-z0-9-]{6,40}$'::text)),
    CONSTRAINT after_sales_type_check CHECK ((type = ANY (ARRAY['refund_only'::text, 'return_refund'::text, 'reship'::text])))
);


--
-- Name: TABLE after_sales; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.after_sales IS 'buyers'' after-sales requests and the merchant''s decisions';


--
-- Name: shop_after_sale_decide(bigint, bigint, bigint, text, text, text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.shop_after_sale_decide(p_merchant bigint, p_shop bigint, p_id bigint, p_action text, p_reason text, p_carrier text, p_tracking text, p_now timestamp with time zone) RETURNS TABLE(result text, decided public.after_sales)
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop AND merchant_id = p_merchant;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSE
    result := CASE p_action
                WHEN 'approve' THEN after_sale_approve(p_shop, p_id, p_now)
                WHEN 'reject' THEN after_sale_reject(p_shop, p_id, p_reason, p_now)
                WHEN 'reship' THEN after_sale_reship(p_shop, p_id, p_carrier, p_tracking, p_now)
              END;
    IF result = 'ok' THEN
      SELECT * INTO decided FROM after_sales WHERE id = p_id;
    END IF;
  END IF;
  RETURN NEXT;
END
$$;


--
-- Name: shop_live_start(bigint, bigint, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.shop_live_start(p_merchant bigint, p_shop bigint, p_now timestamp with time zone) RETURNS timestamp with time zone
    LANGUAGE plpgsql
    AS $$
DECLARE
  v_owner bigint;
  v_since timestamptz;
BEGIN
  UPDATE shops s SET live_since = p_now
   WHERE s.id = p_shop AND s.merchant_id = p_merchant AND s.live_since IS NULL
  RETURNING s.merchant_id INTO v_owner;
  IF NOT FOUND THEN
    SELECT s.live_since INTO v_since FROM shops s
     WHERE s.id = p_shop AND s.merchant_id = p_merchant;
    RETURN v_since;
  END IF;
  -- One event for each buyer in conversation with the shop, and one for
  -- the merchant's own screens.
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'coupon.live', a.merchant_id, a.buyer_id, p_shop,
         jsonb_build_object('shop_id', p_shop, 'coupon_ids', ids.list), p_now
    FROM (SELECT NULL::bigint AS merchant_id, cv.buyer_id FROM conversations cv
           WHERE cv.shop_id = p_shop
          UNION ALL SELECT v_owner, NULL) a,
         (SELECT coalesce(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) AS list
            FROM coupons c
           WHERE c.shop_id = p_shop AND c.channel = 'live'
             AND coupon_status(c.stopped_at, c.claim_start, c.claim_end, c.claimed,
                               c.total_quantity, p_now) = 'claiming') ids
   ORDER BY a.buyer_id NULLS LAST;
  RETURN p_now;
END
$$;


--
-- Name: sku_add(bigint, bigint, bigint, text, bigint, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.sku_add(p_merchant bigint, p_shop bigint, p_product bigint, p_spec text, p_price bigint, p_stock integer, p_now timestamp with time zone) RETURNS TABLE(result text, sku_id bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM 1 FROM products p JOIN shops s ON s.id = p.shop_id
   WHERE p.id = p_product AND p.shop_id = p_shop AND p.deleted_at IS NULL
     AND s.merchant_id = p_merchant
     FOR NO KEY UPDATE OF p;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
  ELSIF (SELECT count(*) FROM skus k WHERE k.product_id = p_product) >= 50 THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
  ELSE
    INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
    VALUES (p_product, p_shop, p_spec, p_price, p_stock, p_now, p_now)
    RETURNING id INTO sku_id;
    result := 'ok';
    RETURN NEXT;
  END IF;
END
$$;


--
-- Name: ts_to_us(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ts_to_us(timestamp with time zone) RETURNS bigint
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $_$ SELECT round(date_part('epoch', $1) * 1000000)::bigint $_$;


--
-- Name: us_to_ts(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.us_to_ts(bigint) RETURNS timestamp with time zone
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $_$ SELECT 'epoch'::timestamptz + $1 * interval '1 microsecond' $_$;


--
-- Name: accounts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.accounts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: after_sales_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.after_sales ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.after_sales_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: auto_replies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auto_replies (
    shop_id bigint NOT NULL,
    greeting text,
    keyword_rules jsonb DEFAULT '[]'::jsonb NOT NULL,
    away_message text,
    away_hours jsonb DEFAULT '[]'::jsonb NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT auto_replies_away_hours_check CHECK ((jsonb_typeof(away_hours) = 'array'::text)),
    CONSTRAINT auto_replies_away_message_check CHECK (((char_length(away_message) >= 1) AND (char_length(away_message) <= 500))),
    CONSTRAINT auto_replies_greeting_check CHECK (((char_length(greeting) >= 1) AND (char_length(greeting) <= 500))),
    CONSTRAINT auto_replies_keyword_rules_check CHECK ((jsonb_typeof(keyword_rules) = 'array'::text))
);


--
-- Name: TABLE auto_replies; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.auto_replies IS 'a shop''s auto-replies: greeting (NULL: off), keyword rules (empty: off), away message (NULL: off) with its weekly business hours';


--
-- Name: buyer_coupons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.buyer_coupons (
    id bigint NOT NULL,
    coupon_id bigint NOT NULL,
    buyer_id bigint NOT NULL,
    shop_id bigint NOT NULL,
    valid_from timestamp with time zone NOT NULL,
    valid_to timestamp with time zone NOT NULL,
    claimed_at timestamp with time zone NOT NULL,
    used_order_id bigint,
    used_at timestamp with time zone,
    CONSTRAINT buyer_coupons_check CHECK ((valid_from < valid_to)),
    CONSTRAINT buyer_coupons_check1 CHECK (((used_order_id IS NULL) = (used_at IS NULL)))
);


--
-- Name: TABLE buyer_coupons; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.buyer_coupons IS 'coupons buyers claimed; used_order_id is the order that used it (NULL again if that order closed unpaid or by review while the coupon is still valid)';


--
-- Name: buyer_coupons_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.buyer_coupons ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.buyer_coupons_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: carriers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.carriers (
    code text NOT NULL,
    name text NOT NULL,
    CONSTRAINT carriers_code_check CHECK ((code ~ '^[a-z0-9_]{2,20}$'::text))
);


--
-- Name: TABLE carriers; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.carriers IS 'logistics companies a merchant may ship with';


--
-- Name: conversations_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.conversations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.conversations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: coupons_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.coupons ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.coupons_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    xid xid8 NOT NULL,
    kind text NOT NULL,
    merchant_id bigint,
    buyer_id bigint,
    shop_id bigint,
    data jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT events_check CHECK (((merchant_id IS NOT NULL) OR (buyer_id IS NOT NULL)))
);


--
-- Name: TABLE events; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.events IS 'what clients of /v1/events receive, replayed from here after a reconnect; id is (xid << 20) | n, see events_position';


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    account_id bigint NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    status integer,
    content_type text,
    body text,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: TABLE idempotency_keys; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.idempotency_keys IS 'replies to writes sent with an Idempotency-Key; status is NULL while the first request runs';


--
-- Name: job_schedule; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job_schedule (
    name text NOT NULL,
    next_run_at timestamp with time zone NOT NULL,
    last_run_at timestamp with time zone,
    last_duration_ms integer
);


--
-- Name: TABLE job_schedule; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.job_schedule IS 'background jobs; an instance claims a due job with a conditional update so that several instances never run it twice';


--
-- Name: letter_notices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letter_notices (
    id bigint NOT NULL,
    action_id bigint NOT NULL,
    shop_id bigint NOT NULL,
    order_id bigint NOT NULL,
    kind text NOT NULL,
    acted_at timestamp with time zone NOT NULL,
    letter_id bigint,
    CONSTRAINT letter_notices_kind_check CHECK ((kind = ANY (ARRAY['hold'::text, 'result'::text, 'extend'::text])))
);


--
-- Name: TABLE letter_notices; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.letter_notices IS 'one per review action: pending while letter_id is NULL, then a line of that letter (shop and order are the action''s)';


--
-- Name: letter_notices_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.letter_notices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.letter_notices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: letters; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.letters (
    id bigint NOT NULL,
    shop_id bigint NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    summary text NOT NULL,
    body text NOT NULL,
    order_count integer NOT NULL,
    delivered_at timestamp with time zone NOT NULL,
    read_at timestamp with time zone,
    CONSTRAINT letters_kind_check CHECK ((kind = ANY (ARRAY['hold'::text, 'result'::text, 'extend'::text]))),
    CONSTRAINT letters_order_count_check CHECK ((order_count >= 0))
);


--
-- Name: TABLE letters; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.letters IS 'in-app letters to a shop about the review of its orders; a row exists once delivered, delivered_at is the delivery hour';


--
-- Name: COLUMN letters.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.letters.kind IS 'hold: 订单禁止发货通知; result: 订单审核结果通知 (released or closed); extend: 订单审核延期通知';


--
-- Name: letters_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.letters ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.letters_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: login_throttle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_throttle (
    key text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    failures integer NOT NULL,
    CONSTRAINT login_throttle_failures_check CHECK ((failures > 0))
);


--
-- Name: TABLE login_throttle; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.login_throttle IS 'failed login counters per username (u:) and client address (ip:), fixed windows';


--
-- Name: messages_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.messages ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: order_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.order_items (
    order_id bigint NOT NULL,
    line smallint NOT NULL,
    sku_id bigint NOT NULL,
    product_id bigint NOT NULL,
    title text NOT NULL,
    spec text NOT NULL,
    image text,
    price_cents bigint NOT NULL,
    quantity integer NOT NULL,
    CONSTRAINT order_items_line_check CHECK (((line >= 1) AND (line <= 50))),
    CONSTRAINT order_items_price_cents_check CHECK ((price_cents > 0)),
    CONSTRAINT order_items_quantity_check CHECK (((quantity >= 1) AND (quantity <= 999)))
);


--
-- Name: TABLE order_items; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.order_items IS 'order lines with the title, spec and price as they were when ordered';


--
-- Name: order_sn_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.order_sn_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: products_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.products ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.products_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: quick_replies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quick_replies (
    id bigint NOT NULL,
    shop_id bigint NOT NULL,
    text text NOT NULL,
    group_name text DEFAULT ''::text NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT quick_replies_group_name_check CHECK ((char_length(group_name) <= 50)),
    CONSTRAINT quick_replies_position_check CHECK ((("position" >= 0) AND ("position" <= 10000))),
    CONSTRAINT quick_replies_text_check CHECK (((char_length(text) >= 1) AND (char_length(text) <= 500)))
);


--
-- Name: quick_replies_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.quick_replies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.quick_replies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: refunds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refunds (
    id bigint NOT NULL,
    order_id bigint NOT NULL,
    after_sale_id bigint,
    amount_cents bigint NOT NULL,
    reason text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT refunds_amount_cents_check CHECK ((amount_cents > 0))
);


--
-- Name: TABLE refunds; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.refunds IS 'money returned to buyers; append-only, its sum per order is orders.refunded_cents';


--
-- Name: refunds_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.refunds ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.refunds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: review_actions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review_actions (
    id bigint NOT NULL,
    order_id bigint NOT NULL,
    shop_id bigint NOT NULL,
    action text NOT NULL,
    actor_id bigint,
    reason text,
    note text,
    deadline timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT review_actions_action_check CHECK ((action = ANY (ARRAY['hold'::text, 'release'::text, 'close'::text, 'extend'::text, 'auto_release'::text]))),
    CONSTRAINT review_actions_check CHECK (((actor_id IS NULL) = (action = 'auto_release'::text)))
);


--
-- Name: TABLE review_actions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.review_actions IS 'every review action on an order: who (NULL is the system), what, when, why; deadline is the review deadline after the action';


--
-- Name: review_actions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.review_actions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.review_actions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE schema_migrations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.schema_migrations IS 'migrations applied by merchantd migrate';


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    role text NOT NULL,
    token_hash bytea NOT NULL,
    device text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    end_reason text,
    replaced_by bigint,
    CONSTRAINT sessions_check CHECK ((expires_at > created_at)),
    CONSTRAINT sessions_check1 CHECK (((ended_at IS NULL) = (end_reason IS NULL))),
    CONSTRAINT sessions_device_check CHECK ((char_length(device) <= 128)),
    CONSTRAINT sessions_end_reason_check CHECK ((end_reason = ANY (ARRAY['replaced'::text, 'logout'::text]))),
    CONSTRAINT sessions_token_hash_check CHECK ((octet_length(token_hash) = 32))
);


--
-- Name: TABLE sessions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.sessions IS 'login sessions; only a BLAKE2b hash of the bearer token is stored';


--
-- Name: COLUMN sessions.role; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.sessions.role IS 'the account''s role (which never changes), so that hot queries can authorise without reading the account';


--
-- Name: sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.sessions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: shop_order_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.shop_order_counts (
    shop_id bigint NOT NULL,
    tab text NOT NULL,
    n bigint NOT NULL,
    CONSTRAINT shop_order_counts_n_check CHECK ((n >= 0)),
    CONSTRAINT shop_order_counts_tab_check CHECK ((tab = ANY (ARRAY['unpaid'::text, 'paid'::text, 'shipped'::text, 'completed'::text, 'closed'::text, 'after_sales'::text, 'under_review'::text, 'unread_letters'::text, 'unread_conversations'::text, 'conversations'::text, 'unreplied_conversations'::text])))
);


--
-- Name: TABLE shop_order_counts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.shop_order_counts IS 'orders per status tab and shop, kept by trigger so counts cost one index read';


--
-- Name: shops; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.shops (
    id bigint NOT NULL,
    merchant_id bigint NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    live_since timestamp with time zone,
    CONSTRAINT shops_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT shops_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 60)))
);


--
-- Name: TABLE shops; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.shops IS 'a merchant''s shops; opening one is free and instant';


--
-- Name: shops_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.shops ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.shops_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: skus; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.skus (
    id bigint NOT NULL,
    product_id bigint NOT NULL,
    shop_id bigint NOT NULL,
    spec text NOT NULL,
    price_cents bigint NOT NULL,
    stock integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT skus_price_cents_check CHECK (((price_cents >= 1) AND (price_cents <= 100000000))),
    CONSTRAINT skus_spec_check CHECK (((char_length(spec) >= 1) AND (char_length(spec) <= 60))),
    CONSTRAINT skus_stock_check CHECK (((stock >= 0) AND (stock <= 10000000)))
);


--
-- Name: TABLE skus; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.skus IS 'sellable variants of a product; stock can never go below zero';


--
-- Name: skus_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.skus ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.skus_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.accounts (id, role, username, display_name, password_hash, created_at) FROM stdin;
1	merchant	demo	Demo Merchant	$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0	2026-12-06 15:47:37.997854+00
2	buyer	demo-buyer	小王	$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0	2026-12-06 15:47:37.997854+00
3	reviewer	demo-reviewer	Demo Reviewer	$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0	2030-05-01 08:00:00+00
\.


--
-- Data for Name: after_sales; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.after_sales (id, order_id, shop_id, buyer_id, type, reason, amount_cents, status, reject_reason, carrier, tracking_no, created_at, decided_at, reshipped_at) FROM stdin;
\.


--
-- Data for Name: auto_replies; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.auto_replies (shop_id, greeting, keyword_rules, away_message, away_hours, updated_at) FROM stdin;
1	您好，欢迎光临	[{"reply": "48小时内发货", "keyword": "发货"}]	\N	[]	2030-05-01 00:00:00+00
\.


--
-- Data for Name: buyer_coupons; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.buyer_coupons (id, coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at, used_order_id, used_at) FROM stdin;
2	2	2	1	2030-05-01 00:00:00+00	2030-07-01 00:00:00+00	2030-05-02 10:05:00+00	\N	\N
3	1	2	1	2030-05-02 10:06:00+00	2030-06-01 10:06:00+00	2030-05-02 10:06:00+00	\N	\N
1	1	2	1	2030-05-02 10:05:00+00	2030-06-01 10:05:00+00	2030-05-02 10:05:00+00	7	2030-05-03 02:00:00+00
\.


--
-- Data for Name: carriers; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.carriers (code, name) FROM stdin;
sf	顺丰速运
zto	中通快递
yto	圆通速递
sto	申通快递
yunda	韵达快递
jd	京东物流
ems	中国邮政EMS
jtexpress	极兔速递
deppon	德邦快递
best	百世快递
\.


--
-- Data for Name: conversations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.conversations (id, shop_id, merchant_id, buyer_id, created_at, last_message_id, last_activity_at, last_preview, last_buyer_message_at, merchant_read_up_to, buyer_read_up_to, merchant_read_at, buyer_read_at, merchant_unread, buyer_unread, awaiting_reply) FROM stdin;
1	1	1	2	2030-05-03 05:00:00+00	5	2030-05-03 05:03:00+00	[订单]	2030-05-03 05:03:00+00	5	0	2030-05-03 05:04:00+00	\N	0	3	t
\.


--
-- Data for Name: coupons; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.coupons (id, shop_id, kind, product_id, title, discount_cents, min_order_cents, total_quantity, claimed, used, per_buyer_limit, claim_start, claim_end, valid_days, valid_from, valid_to, channel, stopped_at, created_at) FROM stdin;
2	1	shop	\N	直播专享	300	0	10	1	0	1	2030-05-01 00:00:00+00	2030-06-01 00:00:00+00	\N	2030-05-01 00:00:00+00	2030-07-01 00:00:00+00	live	\N	2030-05-01 00:00:00+00
1	1	shop	\N	满50减5	500	5000	100	2	1	2	2030-05-01 00:00:00+00	2030-06-01 00:00:00+00	30	\N	\N	normal	\N	2030-05-01 00:00:00+00
\.


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.events (id, xid, kind, merchant_id, buyer_id, shop_id, data, created_at) FROM stdin;
805306368	768	coupon.live	1	\N	1	{"shop_id": 1, "coupon_ids": [2]}	2030-05-02 10:00:00+00
805306369	768	message.created	1	2	1	{"type": "text", "sender": "auto", "message_id": 1, "conversation_id": 1}	2030-05-03 05:00:00+00
805306370	768	message.created	1	2	1	{"type": "text", "sender": "buyer", "message_id": 2, "conversation_id": 1}	2030-05-03 05:01:00+00
805306371	768	message.created	1	2	1	{"type": "text", "sender": "auto", "message_id": 3, "conversation_id": 1}	2030-05-03 05:01:00+00
805306372	768	message.created	1	2	1	{"type": "product_card", "sender": "merchant", "message_id": 4, "conversation_id": 1}	2030-05-03 05:02:00+00
805306373	768	message.created	1	2	1	{"type": "order_card", "sender": "buyer", "message_id": 5, "conversation_id": 1}	2030-05-03 05:03:00+00
805306374	768	conversation.read	1	2	1	{"reader": "merchant", "conversation_id": 1, "up_to_message_id": 5}	2030-05-03 05:04:00+00
\.


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.idempotency_keys (account_id, key, request_hash, status, content_type, body, created_at) FROM stdin;
\.


--
-- Data for Name: job_schedule; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.job_schedule (name, next_run_at, last_run_at, last_duration_ms) FROM stdin;
\.


--
-- Data for Name: letter_notices; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.letter_notices (id, action_id, shop_id, order_id, kind, acted_at, letter_id) FROM stdin;
1	1	2	8	hold	2030-05-03 02:20:00+00	1
2	2	2	9	hold	2030-05-03 02:20:00+00	1
3	3	2	10	hold	2030-05-03 02:20:00+00	1
6	6	2	10	extend	2030-05-03 03:20:00+00	2
4	4	2	8	result	2030-05-03 03:10:00+00	3
5	5	2	9	result	2030-05-03 03:15:00+00	3
\.


--
-- Data for Name: letters; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.letters (id, shop_id, kind, title, summary, body, order_count, delivered_at, read_at) FROM stdin;
1	2	hold	订单禁止发货通知	3笔订单正在接受平台审核，暂停发货	您的店铺有3笔订单正在接受平台审核，审核期间禁止发货，收货地址暂不显示：300503-0000000008、300503-0000000009、300503-0000000010。审核结束后您会收到订单审核结果通知。明细见附件。	3	2030-05-03 03:00:00+00	\N
2	2	extend	订单审核延期通知	1笔订单的审核期限已延长	您的店铺有1笔订单的审核期限已延长，审核期间仍禁止发货：300503-0000000010（新截止时间 2030-05-05 10:05）（时间按 Asia/Shanghai）。明细见附件。	1	2030-05-03 04:00:00+00	\N
3	2	result	订单审核结果通知	2笔订单审核结束：需发货1笔，无需发货1笔	您的店铺有2笔订单审核结束。需发货（审核通过，请尽快发货）：300503-0000000008。无需发货（订单已关闭，货款已全额退给买家）：300503-0000000009。明细见附件。	2	2030-05-03 04:00:00+00	\N
\.


--
-- Data for Name: login_throttle; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.login_throttle (key, window_start, failures) FROM stdin;
\.


--
-- Data for Name: messages; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.messages (id, conversation_id, shop_id, buyer_id, sender, sender_id, type, body, card, created_at) FROM stdin;
1	1	1	2	auto	\N	text	您好，欢迎光临	\N	2030-05-03 05:00:00+00
2	1	1	2	buyer	2	text	什么时候发货？	\N	2030-05-03 05:01:00+00
3	1	1	2	auto	\N	text	48小时内发货	\N	2030-05-03 05:01:00+00
4	1	1	2	merchant	1	product_card		{"image": "https://img.example.test/grape.jpg", "title": "阳光玫瑰葡萄 2斤", "product_id": 1, "price_cents": 4590}	2030-05-03 05:02:00+00
5	1	1	2	buyer	2	order_card		{"image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "status": "paid", "order_id": 7, "order_sn": "300503-0000000007", "total_cents": 7480}	2030-05-03 05:03:00+00
\.


--
-- Data for Name: order_items; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity) FROM stdin;
1	1	3	2	赣南脐橙 5斤装	中果	https://img.example.test/orange.jpg	2990	1
2	1	3	2	赣南脐橙 5斤装	中果	https://img.example.test/orange.jpg	2990	2
3	1	3	2	赣南脐橙 5斤装	中果	https://img.example.test/orange.jpg	2990	3
4	1	3	2	赣南脐橙 5斤装	中果	https://img.example.test/orange.jpg	2990	4
5	1	3	2	赣南脐橙 5斤装	中果	https://img.example.test/orange.jpg	2990	5
6	1	3	2	赣南脐橙 5斤装	中果	https://img.example.test/orange.jpg	2990	6
7	1	2	2	赣南脐橙 5斤装	大果	https://img.example.test/orange.jpg	3990	2
8	1	4	3	加厚抽纸 24包	24包	https://img.example.test/tissue.jpg	3290	1
9	1	4	3	加厚抽纸 24包	24包	https://img.example.test/tissue.jpg	3290	1
10	1	4	3	加厚抽纸 24包	24包	https://img.example.test/tissue.jpg	3290	1
11	1	4	3	加厚抽纸 24包	24包	https://img.example.test/tissue.jpg	3290	1
\.


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.orders (id, order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents, discount_cents, total_cents, paid_cents, refunded_cents, addr_name, addr_phone, addr_province, addr_city, addr_district, addr_detail, note, merchant_note, flag, carrier, tracking_no, created_at, expires_at, paid_at, grouped_at, shipped_at, completed_at, closed_at, close_reason, items, after_sales_open, change_seq, change_xid, review_status, review_reason, review_deadline, coupon_id) FROM stdin;
1	261206-0000000001	1	1	2	小王	unpaid	2990	0	2990	0	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号			0	\N	\N	2026-12-06 14:47:37.997854+00	2026-12-07 15:17:37.997854+00	\N	\N	\N	\N	\N	\N	[{"line": 1, "spec": "中果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 3, "quantity": 1, "product_id": 2, "price_cents": 2990}]	f	804257792	767	\N	\N	\N	\N
2	261206-0000000002	1	1	2	小王	unpaid	5980	0	5980	0	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号			0	\N	\N	2026-12-06 13:47:37.997854+00	2026-12-07 14:17:37.997854+00	\N	\N	\N	\N	\N	\N	[{"line": 1, "spec": "中果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 3, "quantity": 2, "product_id": 2, "price_cents": 2990}]	f	804257793	767	\N	\N	\N	\N
3	261206-0000000003	1	1	2	小王	paid	8970	0	8970	8970	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号			0	\N	\N	2026-12-06 12:47:37.997854+00	2026-12-07 13:17:37.997854+00	2026-12-06 12:52:37.997854+00	2026-12-06 12:52:37.997854+00	\N	\N	\N	\N	[{"line": 1, "spec": "中果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 3, "quantity": 3, "product_id": 2, "price_cents": 2990}]	f	804257798	767	\N	\N	\N	\N
4	261206-0000000004	1	1	2	小王	paid	11960	0	11960	11960	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号			0	\N	\N	2026-12-06 11:47:37.997854+00	2026-12-07 12:17:37.997854+00	2026-12-06 11:52:37.997854+00	2026-12-06 11:52:37.997854+00	\N	\N	\N	\N	[{"line": 1, "spec": "中果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 3, "quantity": 4, "product_id": 2, "price_cents": 2990}]	f	804257799	767	\N	\N	\N	\N
5	261206-0000000005	1	1	2	小王	shipped	14950	0	14950	14950	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号			0	sf	SF100005	2026-12-06 10:47:37.997854+00	2026-12-07 11:17:37.997854+00	2026-12-06 10:52:37.997854+00	2026-12-06 10:52:37.997854+00	2026-12-06 11:52:37.997854+00	\N	\N	\N	[{"line": 1, "spec": "中果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 3, "quantity": 5, "product_id": 2, "price_cents": 2990}]	f	804257802	767	\N	\N	\N	\N
6	261206-0000000006	1	1	2	小王	completed	17940	0	17940	17940	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号			0	sf	SF100006	2026-12-06 09:47:37.997854+00	2026-12-07 10:17:37.997854+00	2026-12-06 09:52:37.997854+00	2026-12-06 09:52:37.997854+00	2026-12-06 10:52:37.997854+00	2026-12-06 15:47:37.997854+00	\N	\N	[{"line": 1, "spec": "中果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 3, "quantity": 6, "product_id": 2, "price_cents": 2990}]	f	804257804	767	\N	\N	\N	\N
7	300503-0000000007	1	1	2	小王	paid	7980	500	7480	7480	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号	用优惠券		0	\N	\N	2030-05-03 02:00:00+00	2030-05-03 02:30:00+00	2030-05-03 02:05:00+00	2030-05-03 02:05:00+00	\N	\N	\N	\N	[{"line": 1, "spec": "大果", "image": "https://img.example.test/orange.jpg", "title": "赣南脐橙 5斤装", "sku_id": 2, "quantity": 2, "product_id": 2, "price_cents": 3990}]	f	805306373	768	\N	\N	\N	1
11	300503-0000000011	2	1	2	小王	paid	3290	0	3290	3290	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号	第4单		0	\N	\N	2030-05-03 02:00:00+00	2030-05-03 02:30:00+00	2030-05-03 02:05:00+00	2030-05-03 02:05:00+00	\N	\N	\N	\N	[{"line": 1, "spec": "24包", "image": "https://img.example.test/tissue.jpg", "title": "加厚抽纸 24包", "sku_id": 4, "quantity": 1, "product_id": 3, "price_cents": 3290}]	f	805306377	768	\N	\N	\N	\N
8	300503-0000000008	2	1	2	小王	paid	3290	0	3290	3290	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号	第1单		0	\N	\N	2030-05-03 02:00:00+00	2030-05-03 02:30:00+00	2030-05-03 02:05:00+00	2030-05-03 02:05:00+00	\N	\N	\N	\N	[{"line": 1, "spec": "24包", "image": "https://img.example.test/tissue.jpg", "title": "加厚抽纸 24包", "sku_id": 4, "quantity": 1, "product_id": 3, "price_cents": 3290}]	f	805306381	768	released	地址可疑	2030-05-04 02:05:00+00	\N
9	300503-0000000009	2	1	2	小王	closed	3290	0	3290	3290	3290	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号	第2单		0	\N	\N	2030-05-03 02:00:00+00	2030-05-03 02:30:00+00	2030-05-03 02:05:00+00	2030-05-03 02:05:00+00	\N	\N	2030-05-03 03:15:00+00	refunded	[{"line": 1, "spec": "24包", "image": "https://img.example.test/tissue.jpg", "title": "加厚抽纸 24包", "sku_id": 4, "quantity": 1, "product_id": 3, "price_cents": 3290}]	f	805306382	768	closed	地址可疑	2030-05-04 02:05:00+00	\N
10	300503-0000000010	2	1	2	小王	paid	3290	0	3290	3290	0	王小明	13812345678	广东省	深圳市	南山区	科技园路 1 号	第3单		0	\N	\N	2030-05-03 02:00:00+00	2030-05-03 02:30:00+00	2030-05-03 02:05:00+00	2030-05-03 02:05:00+00	\N	\N	\N	\N	[{"line": 1, "spec": "24包", "image": "https://img.example.test/tissue.jpg", "title": "加厚抽纸 24包", "sku_id": 4, "quantity": 1, "product_id": 3, "price_cents": 3290}]	f	805306383	768	under_review	地址可疑	2030-05-05 02:05:00+00	\N
\.


--
-- Data for Name: products; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.products (id, shop_id, title, description, images, status, created_at, updated_at, deleted_at) FROM stdin;
1	1	阳光玫瑰葡萄 2斤	无籽香甜	{https://img.example.test/grape.jpg}	on_sale	2026-12-06 15:47:37.997854+00	2026-12-06 15:47:37.997854+00	\N
2	1	赣南脐橙 5斤装	现摘现发	{https://img.example.test/orange.jpg}	on_sale	2026-12-06 15:47:37.997854+00	2026-12-06 15:47:37.997854+00	\N
3	2	加厚抽纸 24包	原生木浆	{https://img.example.test/tissue.jpg}	on_sale	2026-12-06 15:47:37.997854+00	2026-12-06 15:47:37.997854+00	\N
\.


--
-- Data for Name: quick_replies; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.quick_replies (id, shop_id, text, group_name, "position", created_at, updated_at, deleted_at) FROM stdin;
\.


--
-- Data for Name: refunds; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.refunds (id, order_id, after_sale_id, amount_cents, reason, created_at) FROM stdin;
1	9	\N	3290	虚假交易	2030-05-03 03:15:00+00
\.


--
-- Data for Name: review_actions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.review_actions (id, order_id, shop_id, action, actor_id, reason, note, deadline, created_at) FROM stdin;
1	8	2	hold	3	地址可疑	\N	2030-05-04 02:05:00+00	2030-05-03 02:20:00+00
2	9	2	hold	3	地址可疑	\N	2030-05-04 02:05:00+00	2030-05-03 02:20:00+00
3	10	2	hold	3	地址可疑	\N	2030-05-04 02:05:00+00	2030-05-03 02:20:00+00
4	8	2	release	3	\N	核实无误	2030-05-04 02:05:00+00	2030-05-03 03:10:00+00
5	9	2	close	3	虚假交易	\N	2030-05-04 02:05:00+00	2030-05-03 03:15:00+00
6	10	2	extend	3	\N	需补充材料	2030-05-05 02:05:00+00	2030-05-03 03:20:00+00
\.


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.schema_migrations (version, name, checksum, applied_at) FROM stdin;
1	0001_accounts_sessions.sql	c5bba51fcd058c71c9dfefd9f8a9f8846e4fd516e95c696946718df6bd6bee30	2026-12-06 15:47:37.824344+00
2	0002_shops_products_orders.sql	87c0180aa62d262968194239acea2973dbe75f4efe96e8ba7edabc9e3da48641	2026-12-06 15:47:37.842165+00
3	0003_order_review.sql	b973e89e16204077de8fedfe28531e117f9f0fca79bfced77ca7aaea20eb4502	2026-12-06 15:47:37.88908+00
4	0004_letters.sql	5278de6a8976fdefb041eed38d281d2a12e66dd03d895b48218e2e52e5bec1d1	2026-12-06 15:47:37.897701+00
5	0005_chat.sql	04e238b74ac85158bbeee62f28dffec8da9d51e913e926e4adaf57122aaa8043	2026-12-06 15:47:37.910458+00
6	0006_chat_messages.sql	29fd969a17885c872ee5d8dc406403cfcb764da9d7019ae86463f4973a1121e3	2026-12-06 15:47:37.933741+00
7	0007_chat_auto_reply.sql	be75b97f085fb53db7a9ab87a72969461fbbe642b0dd9837b19db2923c4114a6	2026-12-06 15:47:37.936337+00
8	0008_chat_events.sql	1bae784c3aa1616b346921b7167d15d3c259bae67dbb19a17b22d8cd6461b4b7	2026-12-06 15:47:37.940521+00
9	0009_chat_search.sql	43ce955d7ab677eb9df4805abdf9fde7e7e51756556609fc17211153448890d3	2026-12-06 15:47:37.941104+00
10	0010_coupons.sql	f2cf4652a43b919fc0af5c2661b6f093ed1d4cd950f908eaf2934c6c6c75a89d	2026-12-06 15:47:37.941816+00
11	0011_coupons_merchant.sql	362d02a5008327f5767f8f4c172599bf017306e2c0a7c4a610fe44d22af59bf1	2026-12-06 15:47:37.953615+00
12	0012_coupons_buyer.sql	41ceace74085d2d620e6b52bd8c8e915de73ff1b69f42206250c19ce1c9f5577	2026-12-06 15:47:37.954748+00
13	0013_coupon_claim_lean.sql	5dff6705c8fa277b710656e2ed079cf8784ab5dbfd6eb025a443629dcba7e097	2026-12-06 15:47:37.95649+00
14	0014_chat_buyer_cards_on_sale.sql	f83824a0370f8a2ce2e0f4cc3101972fc4882d31cf03a79383587f19db8356f8	2026-12-06 15:47:37.959839+00
15	0015_coupon_claim_one_write.sql	427babc35a34bd74ee745a877bf4c4e4aef232e92801a2f8705e3908d4395de3	2026-12-06 15:47:37.96065+00
16	0016_chat_summary_moves_forward.sql	9c1953ecaee5d51fc274d63d16173b34ce4d294cbb3bdd39e5ce9cb68c8f00ae	2026-12-06 15:47:37.961302+00
17	0017_us_to_ts_inlined.sql	e452bd93ab0fbdd51a69bca7930a266dc7c2765381cb1b4fa6366d13be1dccee	2026-12-06 15:47:37.96174+00
18	0018_coupon_claim_one_read.sql	a82c74b324916e27be0bb7dffad13d614d786b43d593d9560f0e257839529578	2026-12-06 15:47:37.962092+00
\.


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sessions (id, account_id, role, token_hash, device, created_at, expires_at, ended_at, end_reason, replaced_by) FROM stdin;
\.


--
-- Data for Name: shop_order_counts; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.shop_order_counts (shop_id, tab, n) FROM stdin;
1	shipped	1
1	completed	1
1	unpaid	2
1	paid	3
2	unpaid	0
2	paid	3
2	closed	1
2	under_review	1
2	unread_letters	3
1	conversations	1
1	unreplied_conversations	1
1	unread_conversations	0
\.


--
-- Data for Name: shops; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.shops (id, merchant_id, name, description, created_at, updated_at, live_since) FROM stdin;
2	1	居家好物	日用百货	2026-12-06 15:47:37.997854+00	2026-12-06 15:47:37.997854+00	\N
1	1	果园直供	产地直发的新鲜水果	2026-12-06 15:47:37.997854+00	2026-12-06 15:47:37.997854+00	2030-05-02 10:00:00+00
\.


--
-- Data for Name: skus; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.skus (id, product_id, shop_id, spec, price_cents, stock, created_at, updated_at) FROM stdin;
1	1	1	标准装	4590	500	2026-12-06 15:47:37.997854+00	2026-12-06 15:47:37.997854+00
3	2	1	中果	2990	479	2026-12-06 15:47:37.997854+00	2026-12-06 09:47:37.997854+00
2	2	1	大果	3990	498	2026-12-06 15:47:37.997854+00	2030-05-03 02:00:00+00
4	3	2	24包	3290	497	2026-12-06 15:47:37.997854+00	2030-05-03 02:00:00+00
\.


--
-- Name: accounts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.accounts_id_seq', 3, true);


--
-- Name: after_sales_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.after_sales_id_seq', 1, false);


--
-- Name: buyer_coupons_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.buyer_coupons_id_seq', 3, true);


--
-- Name: conversations_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.conversations_id_seq', 1, true);


--
-- Name: coupons_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.coupons_id_seq', 2, true);


--
-- Name: letter_notices_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.letter_notices_id_seq', 6, true);


--
-- Name: letters_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.letters_id_seq', 3, true);


--
-- Name: messages_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.messages_id_seq', 5, true);


--
-- Name: order_sn_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.order_sn_seq', 11, true);


--
-- Name: orders_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.orders_id_seq', 11, true);


--
-- Name: products_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.products_id_seq', 3, true);


--
-- Name: quick_replies_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.quick_replies_id_seq', 1, false);


--
-- Name: refunds_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.refunds_id_seq', 1, true);


--
-- Name: review_actions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.review_actions_id_seq', 6, true);


--
-- Name: sessions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sessions_id_seq', 1, false);


--
-- Name: shops_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.shops_id_seq', 2, true);


--
-- Name: skus_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.skus_id_seq', 4, true);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);


--
-- Name: accounts accounts_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_username_key UNIQUE (username);


--
-- Name: after_sales after_sales_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.after_sales
    ADD CONSTRAINT after_sales_pkey PRIMARY KEY (id);


--
-- Name: auto_replies auto_replies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auto_replies
    ADD CONSTRAINT auto_replies_pkey PRIMARY KEY (shop_id);


--
-- Name: buyer_coupons buyer_coupons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buyer_coupons
    ADD CONSTRAINT buyer_coupons_pkey PRIMARY KEY (id);


--
-- Name: carriers carriers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.carriers
    ADD CONSTRAINT carriers_pkey PRIMARY KEY (code);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);


--
-- Name: conversations conversations_shop_id_buyer_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_shop_id_buyer_id_key UNIQUE (shop_id, buyer_id);


--
-- Name: coupons coupons_id_shop; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coupons
    ADD CONSTRAINT coupons_id_shop UNIQUE (id, shop_id);


--
-- Name: coupons coupons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coupons
    ADD CONSTRAINT coupons_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (account_id, key);


--
-- Name: job_schedule job_schedule_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_schedule
    ADD CONSTRAINT job_schedule_pkey PRIMARY KEY (name);


--
-- Name: letter_notices letter_notices_action_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_notices
    ADD CONSTRAINT letter_notices_action_id_key UNIQUE (action_id);


--
-- Name: letter_notices letter_notices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_notices
    ADD CONSTRAINT letter_notices_pkey PRIMARY KEY (id);


--
-- Name: letters letters_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_pkey PRIMARY KEY (id);


--
-- Name: login_throttle login_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (key);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);


--
-- Name: order_items order_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_pkey PRIMARY KEY (order_id, line);


--
-- Name: orders orders_order_sn_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_order_sn_key UNIQUE (order_sn);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: products products_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (id);


--
-- Name: quick_replies quick_replies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quick_replies
    ADD CONSTRAINT quick_replies_pkey PRIMARY KEY (id);


--
-- Name: refunds refunds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_pkey PRIMARY KEY (id);


--
-- Name: review_actions review_actions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_actions
    ADD CONSTRAINT review_actions_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_token_hash_key UNIQUE (token_hash);


--
-- Name: shop_order_counts shop_order_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shop_order_counts
    ADD CONSTRAINT shop_order_counts_pkey PRIMARY KEY (shop_id, tab);


--
-- Name: shops shops_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shops
    ADD CONSTRAINT shops_pkey PRIMARY KEY (id);


--
-- Name: skus skus_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.skus
    ADD CONSTRAINT skus_pkey PRIMARY KEY (id);


--
-- Name: after_sales_one_open; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX after_sales_one_open ON public.after_sales USING btree (order_id) WHERE (status = ANY (ARRAY['requested'::text, 'approved'::text]));


--
-- Name: after_sales_shop; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX after_sales_shop ON public.after_sales USING btree (shop_id, id);


--
-- Name: after_sales_shop_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX after_sales_shop_status ON public.after_sales USING btree (shop_id, status, id);


--
-- Name: buyer_coupons_buyer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX buyer_coupons_buyer ON public.buyer_coupons USING btree (buyer_id, id);


--
-- Name: buyer_coupons_coupon_buyer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX buyer_coupons_coupon_buyer ON public.buyer_coupons USING btree (coupon_id, buyer_id);


--
-- Name: buyer_coupons_order; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX buyer_coupons_order ON public.buyer_coupons USING btree (used_order_id) WHERE (used_order_id IS NOT NULL);


--
-- Name: conversations_buyer_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_buyer_activity ON public.conversations USING btree (buyer_id, last_activity_at, id);


--
-- Name: conversations_shop_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_shop_activity ON public.conversations USING btree (shop_id, last_activity_at, id);


--
-- Name: conversations_shop_unread; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_shop_unread ON public.conversations USING btree (shop_id, last_activity_at, id) WHERE (merchant_unread > 0);


--
-- Name: conversations_shop_unreplied; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_shop_unreplied ON public.conversations USING btree (shop_id, last_activity_at, id) WHERE awaiting_reply;


--
-- Name: coupons_shop; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX coupons_shop ON public.coupons USING btree (shop_id, id);


--
-- Name: events_buyer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_buyer ON public.events USING btree (buyer_id, id) WHERE (buyer_id IS NOT NULL);


--
-- Name: events_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_created ON public.events USING btree (created_at);


--
-- Name: INDEX events_created; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.events_created IS 'the purge_events job deletes events older than a week by this';


--
-- Name: events_merchant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_merchant ON public.events USING btree (merchant_id, id) WHERE (merchant_id IS NOT NULL);


--
-- Name: idempotency_keys_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_created ON public.idempotency_keys USING btree (created_at);


--
-- Name: letter_notices_letter; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_notices_letter ON public.letter_notices USING btree (letter_id, order_id, id) WHERE (letter_id IS NOT NULL);


--
-- Name: letter_notices_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letter_notices_pending ON public.letter_notices USING btree (acted_at, id) WHERE (letter_id IS NULL);


--
-- Name: letters_one_per_hour; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX letters_one_per_hour ON public.letters USING btree (shop_id, kind, delivered_at);


--
-- Name: letters_shop; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letters_shop ON public.letters USING btree (shop_id, delivered_at, id);


--
-- Name: letters_shop_unread; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX letters_shop_unread ON public.letters USING btree (shop_id, delivered_at, id) WHERE (read_at IS NULL);


--
-- Name: messages_conversation; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_conversation ON public.messages USING btree (conversation_id, id);


--
-- Name: messages_grams; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_grams ON public.messages USING gin (grams) WHERE (type = 'text'::text);


--
-- Name: messages_shop; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_shop ON public.messages USING btree (shop_id, id);


--
-- Name: orders_buyer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_buyer ON public.orders USING btree (buyer_id, id);


--
-- Name: orders_review_queue; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_review_queue ON public.orders USING btree (review_status, review_deadline, id) WHERE (review_status IS NOT NULL);


--
-- Name: orders_shipped; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shipped ON public.orders USING btree (shipped_at) WHERE (status = 'shipped'::text);


--
-- Name: orders_shop_after_sales; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_after_sales ON public.orders USING btree (shop_id, created_at, id) WHERE after_sales_open;


--
-- Name: orders_shop_buyer_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_buyer_name ON public.orders USING btree (shop_id, buyer_name text_pattern_ops);


--
-- Name: orders_shop_change; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_change ON public.orders USING btree (shop_id, change_seq);


--
-- Name: orders_shop_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_created ON public.orders USING btree (shop_id, created_at, id);


--
-- Name: orders_shop_held; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_held ON public.orders USING btree (shop_id, created_at, id) WHERE (review_status = 'under_review'::text);


--
-- Name: orders_shop_paid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_paid ON public.orders USING btree (shop_id, paid_at, id);


--
-- Name: orders_shop_status_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_status_created ON public.orders USING btree (shop_id, status, created_at, id);


--
-- Name: orders_shop_status_paid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_shop_status_paid ON public.orders USING btree (shop_id, status, paid_at, id);


--
-- Name: orders_unpaid_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_unpaid_expiry ON public.orders USING btree (expires_at) WHERE (status = 'unpaid'::text);


--
-- Name: products_shop; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX products_shop ON public.products USING btree (shop_id, id) WHERE (deleted_at IS NULL);


--
-- Name: quick_replies_shop; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quick_replies_shop ON public.quick_replies USING btree (shop_id, group_name, "position", id) WHERE (deleted_at IS NULL);


--
-- Name: refunds_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refunds_order ON public.refunds USING btree (order_id);


--
-- Name: review_actions_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX review_actions_order ON public.review_actions USING btree (order_id, id);


--
-- Name: sessions_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_expires_at ON public.sessions USING btree (expires_at);


--
-- Name: sessions_one_live_per_account; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX sessions_one_live_per_account ON public.sessions USING btree (account_id) WHERE (ended_at IS NULL);


--
-- Name: sessions_replaced_by; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_replaced_by ON public.sessions USING btree (replaced_by);


--
-- Name: shops_merchant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX shops_merchant ON public.shops USING btree (merchant_id, id);


--
-- Name: skus_product; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX skus_product ON public.skus USING btree (product_id, id);


--
-- Name: conversations conversations_count_unread; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_count_unread AFTER INSERT OR UPDATE OF merchant_unread ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.conversations_count_unread();


--
-- Name: conversations conversations_count_unreplied; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_count_unreplied AFTER INSERT OR UPDATE OF awaiting_reply ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.conversations_count_unreplied();


--
-- Name: conversations conversations_read_event; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_read_event AFTER UPDATE OF merchant_read_up_to, buyer_read_up_to ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.conversations_read_event();


--
-- Name: conversations conversations_zz_greet; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_zz_greet AFTER INSERT ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.conversations_greet();


--
-- Name: events events_position; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_position BEFORE INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_position();


--
-- Name: letters letters_unread_new; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letters_unread_new AFTER INSERT ON public.letters FOR EACH ROW WHEN ((new.read_at IS NULL)) EXECUTE FUNCTION public.letters_count_unread();


--
-- Name: letters letters_unread_read; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER letters_unread_read AFTER UPDATE OF read_at ON public.letters FOR EACH ROW WHEN (((old.read_at IS NULL) AND (new.read_at IS NOT NULL))) EXECUTE FUNCTION public.letters_count_unread();


--
-- Name: messages messages_conversation; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_conversation AFTER INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION public.messages_keep_conversation();


--
-- Name: messages messages_event; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_event AFTER INSERT ON public.messages FOR EACH ROW EXECUTE FUNCTION public.messages_event();


--
-- Name: messages messages_zz_auto_reply; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_zz_auto_reply AFTER INSERT ON public.messages FOR EACH ROW WHEN ((new.sender = 'buyer'::text)) EXECUTE FUNCTION public.messages_auto_reply();


--
-- Name: orders orders_counts; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER orders_counts AFTER INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.order_counts_keep();


--
-- Name: orders orders_coupon_give_back; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER orders_coupon_give_back AFTER UPDATE OF status ON public.orders FOR EACH ROW WHEN (((new.coupon_id IS NOT NULL) AND (new.status = 'closed'::text) AND (old.status <> 'closed'::text) AND ((new.close_reason = ANY (ARRAY['cancelled'::text, 'expired'::text])) OR (NOT (new.review_status IS DISTINCT FROM 'closed'::text))))) EXECUTE FUNCTION public.coupon_give_back();


--
-- Name: orders orders_review_follow_close; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER orders_review_follow_close BEFORE UPDATE OF status ON public.orders FOR EACH ROW WHEN (((old.review_status = 'under_review'::text) AND (new.status = 'closed'::text) AND (NOT (new.review_status IS DISTINCT FROM 'under_review'::text)))) EXECUTE FUNCTION public.order_review_follow_close();


--
-- Name: orders orders_status_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER orders_status_guard BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.order_status_guard();


--
-- Name: review_actions review_actions_letters; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_actions_letters AFTER INSERT ON public.review_actions REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.letter_notices_record();


--
-- Name: sessions sessions_end_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER sessions_end_notify AFTER UPDATE OF ended_at ON public.sessions FOR EACH ROW WHEN (((old.ended_at IS NULL) AND (new.ended_at IS NOT NULL))) EXECUTE FUNCTION public.sessions_end_notify();


--
-- Name: after_sales after_sales_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.after_sales
    ADD CONSTRAINT after_sales_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.accounts(id);


--
-- Name: after_sales after_sales_carrier_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.after_sales
    ADD CONSTRAINT after_sales_carrier_fkey FOREIGN KEY (carrier) REFERENCES public.carriers(code);


--
-- Name: after_sales after_sales_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.after_sales
    ADD CONSTRAINT after_sales_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: after_sales after_sales_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.after_sales
    ADD CONSTRAINT after_sales_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: auto_replies auto_replies_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auto_replies
    ADD CONSTRAINT auto_replies_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: buyer_coupons buyer_coupons_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buyer_coupons
    ADD CONSTRAINT buyer_coupons_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.accounts(id);


--
-- Name: buyer_coupons buyer_coupons_coupon_shop_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buyer_coupons
    ADD CONSTRAINT buyer_coupons_coupon_shop_fkey FOREIGN KEY (coupon_id, shop_id) REFERENCES public.coupons(id, shop_id);


--
-- Name: buyer_coupons buyer_coupons_used_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buyer_coupons
    ADD CONSTRAINT buyer_coupons_used_order_id_fkey FOREIGN KEY (used_order_id) REFERENCES public.orders(id);


--
-- Name: conversations conversations_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.accounts(id);


--
-- Name: conversations conversations_merchant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES public.accounts(id);


--
-- Name: conversations conversations_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: coupons coupons_product_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coupons
    ADD CONSTRAINT coupons_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);


--
-- Name: coupons coupons_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.coupons
    ADD CONSTRAINT coupons_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: events events_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.accounts(id);


--
-- Name: events events_merchant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES public.accounts(id);


--
-- Name: events events_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: idempotency_keys idempotency_keys_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id) ON DELETE CASCADE;


--
-- Name: letter_notices letter_notices_action_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_notices
    ADD CONSTRAINT letter_notices_action_id_fkey FOREIGN KEY (action_id) REFERENCES public.review_actions(id);


--
-- Name: letter_notices letter_notices_letter_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letter_notices
    ADD CONSTRAINT letter_notices_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES public.letters(id);


--
-- Name: letters letters_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.letters
    ADD CONSTRAINT letters_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: messages messages_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.accounts(id);


--
-- Name: messages messages_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.conversations(id);


--
-- Name: messages messages_sender_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES public.accounts(id);


--
-- Name: messages messages_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: order_items order_items_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: order_items order_items_product_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);


--
-- Name: order_items order_items_sku_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.order_items
    ADD CONSTRAINT order_items_sku_id_fkey FOREIGN KEY (sku_id) REFERENCES public.skus(id);


--
-- Name: orders orders_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.accounts(id);


--
-- Name: orders orders_carrier_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_carrier_fkey FOREIGN KEY (carrier) REFERENCES public.carriers(code);


--
-- Name: orders orders_coupon_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_coupon_id_fkey FOREIGN KEY (coupon_id) REFERENCES public.buyer_coupons(id);


--
-- Name: orders orders_merchant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES public.accounts(id);


--
-- Name: orders orders_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: products products_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: quick_replies quick_replies_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quick_replies
    ADD CONSTRAINT quick_replies_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: refunds refunds_after_sale_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_after_sale_id_fkey FOREIGN KEY (after_sale_id) REFERENCES public.after_sales(id);


--
-- Name: refunds refunds_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: review_actions review_actions_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_actions
    ADD CONSTRAINT review_actions_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.accounts(id);


--
-- Name: review_actions review_actions_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_actions
    ADD CONSTRAINT review_actions_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);


--
-- Name: review_actions review_actions_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_actions
    ADD CONSTRAINT review_actions_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: sessions sessions_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_replaced_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES public.sessions(id) ON DELETE SET NULL;


--
-- Name: shop_order_counts shop_order_counts_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shop_order_counts
    ADD CONSTRAINT shop_order_counts_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- Name: shops shops_merchant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.shops
    ADD CONSTRAINT shops_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES public.accounts(id);


--
-- Name: skus skus_product_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.skus
    ADD CONSTRAINT skus_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products(id);


--
-- Name: skus skus_shop_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.skus
    ADD CONSTRAINT skus_shop_id_fkey FOREIGN KEY (shop_id) REFERENCES public.shops(id);


--
-- PostgreSQL database dump complete
--

\unrestrict qW9fhuQHw31aLwecVDyuN0B42pFGDy4JVGyKAq9mieUCQuexsneAFkswxdU0S3K

