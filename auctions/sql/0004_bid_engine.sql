-- The bid engine's decision under the auction lock, as PostgreSQL functions.
--
-- Why in the database: every bidder of a hot auction queues on its row lock, so the auction moves
-- only as fast as one holder gets from the lock to its commit. Decided here, a bid holds the lock
-- for one function call and its commit, with no round trip to a client process (which, on a busy
-- machine, waits for a CPU between round trips). Python keeps what surrounds the decision: parsing,
-- the texts of refusals, the events after commit.
-- See auctions/services/bidding.py, which calls these, and DESIGN.md, "A bid".
--
-- Loaded by migrations 0004_bid_engine_in_the_database and 0005_bid_engine_reload (this file was
-- corrected once after 0004 landed; 0005 says why). Frozen now: a change is a new file (CREATE OR
-- REPLACE) loaded by a new migration, so that every database gets every version in order.

-- The tamper-evident chain: sha256 of "prev_hash|auction|seq|amount|bidder_no|placed_at" (amount
-- with two places, placed_at in UTC to the microsecond). auctions/chain.py computes the same
-- offline; tests/auctions/test_chain.py checks that the two agree.
CREATE OR REPLACE FUNCTION auction_bid_hash(
    prev_hash text, auction_id bigint, seq integer, amount numeric, bidder_no text, placed_at timestamptz
) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
    SELECT encode(sha256(convert_to(concat_ws('|',
        prev_hash, auction_id, seq, round(amount, 2), bidder_no,
        to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')), 'hex')
$$;

-- The least acceptable next bid: the start price, then the current price plus the increment.
-- (auctions.selectors.minimum_next_bid states the same for display; proxy_bid_set calls this.)
CREATE OR REPLACE FUNCTION auction_minimum_next_bid(a auctions_auction) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.bid_count = 0 THEN a.start_price ELSE a.current_price + a.increment END
$$;

-- Why the auction itself takes no bid at ``decided_at``, or NULL. 'start_due': scheduled, its start has
-- passed and its end has not; the caller starts it (auctions.services.auction_start, the one
-- transition service) and asks again, so that a late start task never refuses an on-time bid.
CREATE OR REPLACE FUNCTION auction_state_refusal(a auctions_auction, decided_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN a.status IN ('sold', 'unsold') OR (a.status <> 'cancelled' AND decided_at >= a.ends_at)
            THEN 'auction_ended'
        WHEN a.status = 'scheduled' AND a.starts_at <= decided_at THEN 'start_due'
        WHEN a.status <> 'live' THEN 'auction_not_live'
    END
$$;

-- The one writer of bids. Appends an accepted bid to the LOCKED auction (the caller holds the
-- lock): seq = bid_count + 1, the hash chained to the last one, the price, the leader, and the end
-- moved to now + extension_seconds when the bid falls inside the window.
CREATE OR REPLACE FUNCTION auction_bid_append(
    p_auction bigint, p_registration bigint, p_bidder_no text, p_amount numeric, p_now timestamptz,
    p_key text, p_is_proxy boolean
) RETURNS auctions_bid
LANGUAGE plpgsql AS $$
DECLARE
    b auctions_bid;
BEGIN
    UPDATE auctions_auction
       SET bid_count = bid_count + 1,
           current_price = p_amount,
           leader_id = p_registration,
           last_hash = auction_bid_hash(last_hash, id, bid_count + 1, p_amount, p_bidder_no, p_now),
           ends_at = GREATEST(ends_at, p_now + make_interval(secs => extension_seconds)),
           updated_at = p_now
     WHERE id = p_auction
    RETURNING bid_count, last_hash INTO b.seq, b.hash;
    INSERT INTO auctions_bid (auction_id, registration_id, seq, amount, placed_at, key, is_proxy, hash)
    VALUES (p_auction, p_registration, b.seq, p_amount, p_now, p_key, p_is_proxy, b.hash)
    RETURNING * INTO b;
    RETURN b;
END
$$;

-- The bids the engine places for proxies (代理出价) on the LOCKED auction after its state changed.
--
-- eBay-style: among the contenders -- every proxy that can still outbid the price, and the leader
-- (with its own ceiling when its proxy is above the price, else with its standing bid) -- the
-- highest ceiling wins, the earlier set_at at equal ceilings. The runner-up's proxy (when it is
-- not the leader) bids its ceiling first, or one increment below it when it loses a tie; then the
-- winner bids one increment over the runner-up's ceiling, capped at its own (at a tie: the
-- ceiling itself). The engine never bids for the leader against itself, with one exception: a
-- later ceiling equal to the leading proxy's and at the minimum cannot bid (it would lose the tie)
-- yet it raises the price the leader must pay, so the leader's proxy bids that ceiling (the leader
-- then bids twice in a row, the second an answer to the other's ceiling). Ceilings are on the bid
-- grid, so every bid is valid.
CREATE OR REPLACE FUNCTION auction_proxies_resolve(p_auction bigint, p_now timestamptz)
RETURNS SETOF auctions_bid
LANGUAGE plpgsql AS $$
DECLARE
    a auctions_auction;
    minimum numeric;
    c record;
    w record;
    r record;
    n integer := 0;
    tie boolean;
    runner_amount numeric;
    runner_bid boolean := false;
BEGIN
    SELECT * INTO a FROM auctions_auction WHERE id = p_auction;
    IF a.proxy_count = 0 THEN
        RETURN;
    END IF;
    minimum := auction_minimum_next_bid(a);
    IF NOT EXISTS (
        SELECT 1 FROM auctions_proxybid p
         WHERE p.auction_id = a.id AND p.registration_id IS DISTINCT FROM a.leader_id
           AND p.max_amount >= minimum
    ) THEN
        RETURN;  -- no challenger
    END IF;
    FOR c IN
        SELECT * FROM (
            SELECT p.max_amount AS ceiling, p.set_at, p.id AS proxy_id, p.registration_id, g.bidder_no
              FROM auctions_proxybid p
              JOIN auctions_registration g ON g.id = p.registration_id
             WHERE p.auction_id = a.id
               AND CASE WHEN p.registration_id = a.leader_id THEN p.max_amount > a.current_price
                        ELSE p.max_amount >= minimum END
            UNION ALL
            SELECT a.current_price, NULL, NULL, a.leader_id, NULL
             WHERE a.leader_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM auctions_proxybid p
                    WHERE p.registration_id = a.leader_id AND p.max_amount > a.current_price)
        ) contenders
        ORDER BY ceiling DESC, set_at ASC NULLS FIRST, proxy_id ASC NULLS FIRST
        LIMIT 2
    LOOP
        n := n + 1;
        IF n = 1 THEN w := c; ELSE r := c; END IF;
    END LOOP;
    IF n = 1 THEN  -- a lone proxy and no leader: it opens at the minimum
        RETURN NEXT auction_bid_append(a.id, w.registration_id, w.bidder_no, minimum, p_now, '', true);
        RETURN;
    END IF;
    tie := w.ceiling = r.ceiling;
    IF r.registration_id IS DISTINCT FROM a.leader_id THEN
        runner_amount := CASE WHEN tie THEN r.ceiling - a.increment ELSE r.ceiling END;
        IF runner_amount >= minimum THEN
            RETURN NEXT auction_bid_append(a.id, r.registration_id, r.bidder_no, runner_amount, p_now, '', true);
            runner_bid := true;
        END IF;
    END IF;
    IF w.registration_id IS NOT DISTINCT FROM a.leader_id AND NOT runner_bid
       AND NOT (tie AND r.ceiling >= minimum) THEN
        RETURN;  -- the leader already holds the winning position at the price it must
    END IF;
    RETURN NEXT auction_bid_append(
        a.id, w.registration_id, w.bidder_no,
        CASE WHEN tie THEN r.ceiling ELSE LEAST(w.ceiling, r.ceiling + a.increment) END,
        p_now, '', true);
END
$$;

-- The bidder's standing in an auction, whatever the auction's state: the registration of the
-- user's organization (through its memberships) and why it may not bid -- organization_not_verified,
-- deposit_not_frozen (its deposit payable is not frozen in escrow), related_party (accounts' rule)
-- -- or a NULL refusal. No row: not registered. A set-returning SQL function, so PostgreSQL inlines
-- it into the calling query (and a PL/pgSQL caller keeps the plan).
CREATE OR REPLACE FUNCTION auction_bidder_standing(p_auction bigint, p_user bigint)
RETURNS TABLE (registration_id bigint, bidder_no text, refusal text)
LANGUAGE sql STABLE AS $$
    SELECT r.id, r.bidder_no::text, CASE
            WHEN o.status <> 'verified' THEN 'organization_not_verified'
            WHEN p.deposit_status IS DISTINCT FROM 'frozen' THEN 'deposit_not_frozen'
            WHEN accounts_organizations_related(a.holder_id, r.organization_id) THEN 'related_party'
        END
      FROM auctions_registration r
      JOIN accounts_membership m ON m.organization_id = r.organization_id AND m.user_id = p_user
      JOIN accounts_organization o ON o.id = r.organization_id
      JOIN auctions_auction a ON a.id = r.auction_id
      LEFT JOIN marketplace_payable p ON p.id = r.payment_id
     WHERE r.auction_id = p_auction
     ORDER BY r.id
     LIMIT 1
$$;

-- One bid, decided and written in one call: the whole of auctions.services.bid_place but its
-- parsing, its texts and its events. In order:
--   1. the bidder's standing (auction_bidder_standing), read before the lock; refused at once
--      with not_found (no such auction) or not_registered;
--   2. with a key: the key's advisory lock on (auction, registration, key) -- a concurrent
--      request with the same key waits here until this one commits -- then the key's first
--      outcome, returned as it was ('replayed' or 'refused'; another amount: 'refused' with
--      idempotency_key_reused), whatever the standing is now: the winner retrying its last bid
--      after the close applied its deposit gets that bid back;
--   then the standing's refusal (organization_not_verified, deposit_not_frozen, related_party),
--   not remembered: retrying after putting it right is the point;
--   3. the auction row locked FOR NO KEY UPDATE, then the decision time from clock_timestamp(),
--      read after any wait for the lock;
--   4. refusals, in API.md's codes: auction_ended, auction_not_live, already_leading,
--      below_minimum (with the minimum), invalid_increment; remembered under the key. When the
--      call is its own transaction (p_alone), that commit does not wait for the WAL flush: what a
--      crash could lose is only the memory of a refusal, and a retry is then judged afresh.
--      Accepted bids are always durable. 'start_due' is returned and not remembered;
--   5. accepted: the bid, then the proxies' answers, each with its own seq.
-- One row per bid in seq order (or one row for a refusal), with the auction's end after the call
-- and whether this call moved it.
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
