-- auction_bid_place again, with the inventors' pre-emption (Civil Code Art. 847; issue #16):
-- a registration made as the recorded pre-emption holder (auctions_registration.preemptive) takes
-- the lead with a bid EQUAL to the current price, as judicial auctions treat 优先购买权人. The next
-- bid of anyone else must then beat that price by the increment as always, and the pre-emption
-- holder may match again. It never matches a leader that is itself a pre-emption holder, and the
-- first bid of an auction (no current price) is the start price for everyone. Everything else is
-- 0004's function unchanged. Loaded by migration 0009_preemptive_bid; a later change is a new file.

CREATE OR REPLACE FUNCTION auction_bid_place(
    p_auction bigint, p_user bigint, p_amount numeric, p_key text, p_alone boolean
)
RETURNS TABLE (
    outcome text, code text, minimum numeric, ends_at timestamptz, extended boolean,
    bid_id bigint, seq integer, registration_id bigint, bidder_no text, amount numeric,
    placed_at timestamptz, is_proxy boolean, hash text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    standing record;
    a auctions_auction;
    decided_at timestamptz;
    refusal text;
    least_bid numeric;
    prior record;
    placed auctions_bid;
    bids auctions_bid[];
    final_ends timestamptz;
BEGIN
    SELECT * INTO standing FROM auction_bidder_standing(p_auction, p_user);
    IF NOT FOUND THEN
        refusal := CASE WHEN EXISTS (SELECT 1 FROM auctions_auction au WHERE au.id = p_auction)
                        THEN 'not_registered' ELSE 'not_found' END;
        RETURN QUERY SELECT 'refused', refusal, NULL::numeric, NULL::timestamptz, false, NULL::bigint,
            NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz, NULL::boolean, NULL::text;
        RETURN;
    END IF;

    IF p_key <> '' THEN
        PERFORM pg_advisory_xact_lock(
            hashtextextended('bid:' || p_auction || ':' || standing.registration_id || ':' || p_key, 0));
        SELECT 'replayed' AS kind, x.id, x.amount, NULL::text AS code, NULL::numeric AS minimum
          INTO prior FROM auctions_bid x
         WHERE x.auction_id = p_auction AND x.registration_id = standing.registration_id AND x.key = p_key;
        IF NOT FOUND THEN
            SELECT 'refused' AS kind, NULL::bigint AS id, x.amount, x.code, x.minimum
              INTO prior FROM auctions_bidrefusal x
             WHERE x.auction_id = p_auction AND x.registration_id = standing.registration_id AND x.key = p_key;
        END IF;
        IF FOUND THEN
            IF prior.amount <> p_amount THEN
                RETURN QUERY SELECT 'refused', 'idempotency_key_reused', NULL::numeric, NULL::timestamptz,
                    false, NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::numeric,
                    NULL::timestamptz, NULL::boolean, NULL::text;
            ELSIF prior.kind = 'refused' THEN
                RETURN QUERY SELECT 'refused', prior.code::text, prior.minimum, NULL::timestamptz,
                    false, NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::numeric,
                    NULL::timestamptz, NULL::boolean, NULL::text;
            ELSE
                RETURN QUERY SELECT 'replayed', NULL::text, NULL::numeric, au.ends_at, false,
                    x.id, x.seq, x.registration_id, standing.bidder_no, x.amount, x.placed_at, x.is_proxy,
                    x.hash::text
                  FROM auctions_bid x JOIN auctions_auction au ON au.id = x.auction_id
                 WHERE x.id = prior.id;
            END IF;
            RETURN;
        END IF;
    END IF;

    IF standing.refusal IS NOT NULL THEN  -- after the key: a key already seen got its first outcome
        RETURN QUERY SELECT 'refused', standing.refusal, NULL::numeric, NULL::timestamptz, false,
            NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz,
            NULL::boolean, NULL::text;
        RETURN;
    END IF;

    SELECT * INTO a FROM auctions_auction au WHERE au.id = p_auction FOR NO KEY UPDATE;
    decided_at := clock_timestamp();
    least_bid := auction_minimum_next_bid(a);
    refusal := auction_state_refusal(a, decided_at);
    IF refusal = 'start_due' THEN
        RETURN QUERY SELECT 'start_due', refusal, NULL::numeric, a.ends_at, false, NULL::bigint,
            NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz, NULL::boolean, NULL::text;
        RETURN;
    END IF;
    IF refusal IS NULL THEN
        refusal := CASE
            WHEN a.leader_id = standing.registration_id THEN 'already_leading'
            -- the pre-emption holder's bid EQUAL to the current price takes the lead (read only
            -- when the amount is that price, so other bids pay nothing for the rule)
            WHEN a.bid_count > 0 AND p_amount = a.current_price AND EXISTS (
                     SELECT 1 FROM auctions_registration g
                      WHERE g.id = standing.registration_id AND g.preemptive)
                 AND NOT EXISTS (
                     SELECT 1 FROM auctions_registration l WHERE l.id = a.leader_id AND l.preemptive)
                THEN NULL
            WHEN p_amount < least_bid THEN 'below_minimum'
            WHEN (p_amount - a.start_price) % a.increment <> 0 THEN 'invalid_increment'
        END;
    END IF;
    IF refusal IS NOT NULL THEN
        IF refusal <> 'below_minimum' THEN
            least_bid := NULL;
        END IF;
        IF p_key <> '' THEN
            IF p_alone THEN  -- only when the call is its own transaction: nothing else rides on it
                PERFORM set_config('synchronous_commit', 'off', true);
            END IF;
            INSERT INTO auctions_bidrefusal (auction_id, registration_id, key, amount, code, minimum, created_at)
            VALUES (p_auction, standing.registration_id, p_key, p_amount, refusal, least_bid, decided_at);
        END IF;
        RETURN QUERY SELECT 'refused', refusal, least_bid, a.ends_at, false, NULL::bigint,
            NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz, NULL::boolean, NULL::text;
        RETURN;
    END IF;

    placed := auction_bid_append(
        p_auction, standing.registration_id, standing.bidder_no, p_amount, decided_at, p_key, false);
    -- a statement of its own, so that the proxies see the bid
    bids := ARRAY[placed] || ARRAY(SELECT x FROM auction_proxies_resolve(p_auction, decided_at) x);
    SELECT au.ends_at INTO final_ends FROM auctions_auction au WHERE au.id = p_auction;
    RETURN QUERY SELECT 'accepted', NULL::text, NULL::numeric, final_ends, final_ends <> a.ends_at,
        x.id, x.seq, x.registration_id, g.bidder_no::text, x.amount, x.placed_at, x.is_proxy, x.hash::text
      FROM unnest(bids) x JOIN auctions_registration g ON g.id = x.registration_id
     ORDER BY x.seq;
END
$$;
