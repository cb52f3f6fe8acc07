"""Every write of auctions. The live room, the REST views, the tasks and other apps' seams call these."""

from .bidding import BidPlaced, BidRejected, bid_place, proxy_bid_set
from .closing import auction_cancel, auction_close, listing_leave_market
from .lifecycle import (
    AUCTION_TRANSITIONS,
    auction_open_for_intents,
    auction_open_for_listing,
    auction_start,
    auction_transition,
)
from .registration import registration_create, registration_deposit_frozen, registrations_suspend_tied
from .sweeping import Swept, auctions_sweep

__all__ = [
    "AUCTION_TRANSITIONS",
    "BidPlaced",
    "BidRejected",
    "Swept",
    "auction_cancel",
    "auction_close",
    "auction_open_for_intents",
    "auction_open_for_listing",
    "auction_start",
    "auction_transition",
    "auctions_sweep",
    "bid_place",
    "listing_leave_market",
    "proxy_bid_set",
    "registration_create",
    "registration_deposit_frozen",
    "registrations_suspend_tied",
]
