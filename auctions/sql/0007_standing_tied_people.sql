-- The bidder's standing, with the people behind the registration (#12 shill bidding): refused
-- related_party when the registered organization is tied to the holder
-- (accounts_organization_tied_to: the holder itself or a related organization, or any of its
-- members belongs to the holder or to an organization related to it). The acting person is one
-- of those members, so a holder's member bidding through any company is refused too; a company
-- that later gains such a member is suspended from its next bid on. A standing refusal after the
-- auction ended is told as auction_ended. Replaces 0004's function.
CREATE OR REPLACE FUNCTION auction_bidder_standing(p_auction bigint, p_user bigint)
RETURNS TABLE (registration_id bigint, bidder_no text, refusal text)
LANGUAGE sql STABLE AS $$
    SELECT r.id, r.bidder_no::text, CASE
            -- The auction's state is told first (#12): after the close a loser, whose deposit was
            -- released, hears auction_ended, not deposit_not_frozen. (Read before the auction's
            -- lock: once ended it stays ended, and the code only changes which refusal is told.)
            WHEN s.problem IS NOT NULL AND (a.status IN ('sold', 'unsold')
                 OR (a.status <> 'cancelled' AND clock_timestamp() >= a.ends_at)) THEN 'auction_ended'
            WHEN s.problem IS NOT NULL AND a.status = 'cancelled' THEN 'auction_not_live'
            ELSE s.problem
        END
      FROM auctions_registration r
      JOIN accounts_membership m ON m.organization_id = r.organization_id AND m.user_id = p_user
      JOIN accounts_organization o ON o.id = r.organization_id
      JOIN auctions_auction a ON a.id = r.auction_id
      LEFT JOIN marketplace_payable p ON p.id = r.payment_id
      CROSS JOIN LATERAL (SELECT CASE
            WHEN o.status <> 'verified' THEN 'organization_not_verified'
            WHEN p.deposit_status IS DISTINCT FROM 'frozen' THEN 'deposit_not_frozen'
            WHEN accounts_organization_tied_to(r.organization_id, a.holder_id) THEN 'related_party'
        END AS problem) s
     WHERE r.auction_id = p_auction
     ORDER BY r.id
     LIMIT 1
$$;
