"""The few places where a lower app must hand over to a higher one.

Apps import only downward (DESIGN.md), yet a published auction listing must become an auction,
and a fixed-price listing with two or more intents must open one. The lower service calls
``seams.call("listing_published", listing=...)`` inside its transaction; ``settings.MARKET_SEAMS``
names the higher service that answers, by dotted path. It is one explicit, synchronous call in
the same transaction, never a broadcast: a seam without a configured answer is an error.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

KNOWN = {
    "listing_published",  # listings -> auctions: open the Auction of a published auction listing
    "fixed_price_contested",  # marketplace -> auctions: two or more intents make an auction among them
    # listings -> auctions (-> marketplace): before a published listing is taken down by an operator /
    # withdrawn by its holder, cancel its auction and withdraw open offers, notices and intents;
    # refused (409 deal_concluded) when a deal on it stands.
    "listing_taken_down",
    "listing_withdrawn",
    # accounts -> auctions: a person joined an organization, or two organizations were declared
    # related; registrations that this ties to their lot's holder are suspended (related_party).
    "ties_changed",
    # marketplace -> auctions: a deal moved to another status; an auctioned lot's record is signed
    # again (a checkpoint with the deal's new status, issue #16).
    "deal_moved",
    # listings -> conversion: the earliest grant date changed; store the deadlines it starts.
    "achievement_granted",
    # listings -> conversion: the achievement converted (a deal, a self-implementation); take it
    # off the use-first list at once and close its use-first listing.
    "achievement_converted",
    # listings -> conversion, a read: where the achievement stands with the duty today, for the
    # achievement's API record (``None`` when no app answers).
    "achievement_conversion_duty",
    # listings -> marketplace, a read: the notice running on a listing and its published result,
    # for the listing's public page (``None`` when no app answers).
    "listing_trade_state",
    # listings -> discovery, a read: the achievement's disclosure for its API record (maturity,
    # the valuation band, the peer-review aggregate, completeness, use reports; ``None`` when no
    # app answers).
    "achievement_discovery",
}


def call(name: str, **kwargs: Any) -> Any:
    if name not in KNOWN:
        raise KeyError(f"unknown seam {name!r}")
    path = settings.MARKET_SEAMS.get(name)
    if path is None:
        return None
    return import_string(path)(**kwargs)
