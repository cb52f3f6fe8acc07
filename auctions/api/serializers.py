"""Input parsing and the documented output shapes of the auction endpoints (API.md, "Auctions")."""

from __future__ import annotations

from rest_framework import serializers

from core import params

from ..models import Auction


class BidIn(serializers.Serializer):
    amount = params.MoneyField(coerce_to_string=True)


class ProxyBidIn(serializers.Serializer):
    max_amount = params.MoneyField(coerce_to_string=True)


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RegistrationIn(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, help_text="Which of the caller's organizations registers (default: the first)."
    )
    preemptive = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Register as the recorded pre-emption holder (优先购买权人, Civil Code Art. 847): its "
        "bid equal to the current price takes the lead. 422 `not_a_preemption_holder`, "
        "`preemption_not_applicable` (a licence, or not a service invention).",
    )


class AuctionOut(serializers.Serializer):
    """``reserve_met`` is null until the auction is sold or unsold; ``reserve_price`` is present only
    for the holder's members and operators. ``min_next_bid`` is the least acceptable next bid."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Auction.Status.choices)
    start_price = serializers.CharField()
    increment = serializers.CharField()
    current_price = serializers.CharField(allow_null=True)
    leader_bidder_no = serializers.CharField(allow_null=True)
    bid_count = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    server_time = serializers.DateTimeField()
    reserve_met = serializers.BooleanField(allow_null=True)
    deal = serializers.IntegerField(allow_null=True)
    min_next_bid = serializers.CharField()
    deposit = serializers.CharField()
    extension_seconds = serializers.IntegerField()
    restricted = serializers.BooleanField()
    close_blocked = serializers.BooleanField(
        help_text="The end has passed but the marketplace refused the deal (e.g. the leader was "
        "declared a related party of the holder after its last bid): the auction stays `live`, takes "
        "no bid, and waits for an operator's decision."
    )
    reserve_price = serializers.CharField(required=False, allow_null=True)
    preemptive_registered = serializers.BooleanField(
        help_text="A recorded pre-emption holder has registered (never who): its bid equal to the "
        "current price takes the lead."
    )
    close_blocked_code = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Holder's members and operators only: the refusal's code (null when not blocked).",
    )


class RegistrationOut(serializers.Serializer):
    """``payment`` is the deposit's payable (pay it with ``payment_reference``); ``deposit_status``
    is ``pending`` until the deposit is frozen in escrow. ``proxy_max_amount``: the caller's own
    secret ceiling, if set."""

    id = serializers.IntegerField()
    auction = serializers.IntegerField()
    bidder_no = serializers.CharField()
    deposit = serializers.CharField()
    deposit_status = serializers.CharField()
    payment = serializers.IntegerField(allow_null=True)
    payment_reference = serializers.CharField(allow_null=True)
    proxy_max_amount = serializers.CharField(allow_null=True)
    preemptive = serializers.BooleanField()


class BidOut(serializers.Serializer):
    seq = serializers.IntegerField()
    amount = serializers.CharField()
    bidder_no = serializers.CharField()
    placed_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class BidListItem(serializers.Serializer):
    """``hash`` chains each bid to the previous one (see ``auctions/chain.py`` to verify offline);
    ``proxy`` marks bids the engine placed for a proxy ceiling."""

    seq = serializers.IntegerField()
    amount = serializers.CharField()
    bidder_no = serializers.CharField()
    placed_at = serializers.DateTimeField()
    proxy = serializers.BooleanField()
    hash = serializers.CharField()


class ProxyBidOut(serializers.Serializer):
    max_amount = serializers.CharField()
    leading = serializers.BooleanField()
    current_price = serializers.CharField(allow_null=True)
