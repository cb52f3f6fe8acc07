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
from .record import checkpoint_sign, deal_checkpoint
from .registration import registration_create, registration_deposit_frozen, registrations_suspend_tied
from .rescue import (
    auction_move_to_negotiated,
    best_offer_accept,
    best_offer_make,
    best_offer_window_lapse,
    best_offer_window_open,
    runner_up_offer_accept,
    runner_up_offer_decline,
    runner_up_offer_lapse,
    runner_up_offer_make,
)
from .sweeping import Swept, auctions_sweep

__all__ = [
    "auction_move_to_negotiated",
    "best_offer_accept",
    "best_offer_make",
    "best_offer_window_lapse",
    "best_offer_window_open",
    "checkpoint_sign",
    "deal_checkpoint",
    "runner_up_offer_accept",
    "runner_up_offer_decline",
    "runner_up_offer_lapse",
    "runner_up_offer_make",
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
