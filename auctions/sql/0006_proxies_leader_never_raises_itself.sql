-- auction_proxies_resolve again, without the tie raise that 0004 added when it was corrected.
--
-- 0004's corrected version made the leading proxy bid a later, equal ceiling that had reached the
-- minimum (the eBay price). That is the leader bidding over its own leading bid, which the market's
-- rules forbid (DESIGN.md, "Market rules": the leader cannot outbid itself), so it goes: the
-- earlier ceiling still wins the tie (the issue's rule), at the price it already leads with. Loaded
-- by migration 0006_proxies_leader_never_raises_itself; a later change is a new file again.

-- The bids the engine places for proxies (代理出价) on the LOCKED auction after its state changed.
--
-- eBay-style: among the contenders -- every proxy that can still outbid the price, and the leader
-- (with its own ceiling when its proxy is above the price, else with its standing bid) -- the
-- highest ceiling wins, the earlier set_at at equal ceilings. The runner-up's proxy (when it is
-- not the leader) bids its ceiling first, or one increment below it when it loses a tie; then the
-- winner bids one increment over the runner-up's ceiling, capped at its own (at a tie: the
-- ceiling itself). The engine never bids for the leader: a later ceiling equal to the leading
-- proxy's and at exactly the minimum cannot bid (it would lose the tie) and leaves the price where
-- it is. Ceilings are on the bid grid, so every bid is valid.
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
    IF w.registration_id IS NOT DISTINCT FROM a.leader_id AND NOT runner_bid THEN
        RETURN;  -- the leader already holds the winning position; it never bids over itself
    END IF;
    RETURN NEXT auction_bid_append(
        a.id, w.registration_id, w.bidder_no,
        CASE WHEN tie THEN r.ceiling ELSE LEAST(w.ceiling, r.ceiling + a.increment) END,
        p_now, '', true);
END
$$;
