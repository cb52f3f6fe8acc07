"""REST adapters of the fair-trade endpoints of auctions (API.md, "Fair trades (1.1)"): the signed
record and the market's key, the best-offer window after 流拍 and the runner-up after a default."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import params
from core.errors import Conflict
from core.money import money_format
from core.signing import public_key_info
from marketplace.models import Deal

from .. import selectors, services
from ..models import Auction, BestOffer, BestOfferWindow, RunnerUpOffer

TAGS = ["fair trades"]


class CheckpointOut(serializers.Serializer):
    payload = serializers.DictField(
        help_text="Exactly what was signed, as canonical JSON (sorted keys, no spaces, UTF-8): "
        "`{format, auction, listing, event, count, head, outcome, deal, price, winner_bidder_no, signed_at}`."
    )
    signature = serializers.CharField(help_text="Ed25519 signature, base64.")
    key_id = serializers.CharField()
    algorithm = serializers.CharField()


class KeyOut(serializers.Serializer):
    key_id = serializers.CharField(help_text="First 16 hex digits of the SHA-256 of the raw public key.")
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="The raw 32-byte Ed25519 public key, base64.")
    pem = serializers.CharField()


class KeysOut(serializers.Serializer):
    keys = KeyOut(many=True)


class RecordBid(serializers.Serializer):
    seq = serializers.IntegerField()
    amount = serializers.CharField()
    bidder_no = serializers.CharField()
    placed_at = serializers.DateTimeField()
    proxy = serializers.BooleanField()
    hash = serializers.CharField()


class RecordOut(serializers.Serializer):
    format = serializers.CharField()
    auction = serializers.IntegerField()
    listing = serializers.IntegerField()
    status = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    bid_count = serializers.IntegerField()
    head = serializers.CharField()
    bids = RecordBid(many=True)
    checkpoints = CheckpointOut(many=True)
    public_key = KeyOut()


class AuctionRecordView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=RecordOut,
        tags=TAGS,
        summary="The auction's record: bids with hashes and the market's signed checkpoints",
        description="Anyone, after the close (409 `auction_not_closed` before). Verify it offline with "
        "`python tools/verify_record.py record.json --key <public key from /api/v1/keys/>`.",
    )
    def get(self, request: Request, pk: int) -> Response:
        auction = get_object_or_404(Auction, pk=pk)
        if not auction.is_final:
            raise Conflict("auction_not_closed", _("拍卖结束后方可下载存证记录。"))
        return Response(selectors.auction_record(auction))


class KeysView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=KeysOut, tags=TAGS, summary="The market's public signing key(s)")
    def get(self, request: Request) -> Response:
        return Response({"keys": [public_key_info()]})


class WindowOut(serializers.Serializer):
    id = serializers.IntegerField()
    auction = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BestOfferWindow.Status.choices)
    opened_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    deal = serializers.IntegerField(allow_null=True)


def _window(window: BestOfferWindow) -> dict[str, Any]:
    return {
        "id": window.pk,
        "auction": window.auction_id,
        "status": window.status,
        "opened_at": selectors.when(window.opened_at),
        "closes_at": selectors.when(window.closes_at),
        "deal": window.deal_id,
    }


class BestOfferWindowView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: WindowOut},
        tags=TAGS,
        summary="Holder: open the best-offer window after 流拍",
        description="Registered bidders may then send one sealed offer each until `closes_at` "
        "(`BEST_OFFER_WINDOW_HOURS`, 24 by default). 409 `auction_not_unsold`, `window_exists`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        get_object_or_404(Auction, pk=pk)
        window = services.best_offer_window_open(auction_id=pk, actor=request.user)
        return Response(_window(window), status=status.HTTP_201_CREATED)


class BestOfferIn(serializers.Serializer):
    amount = params.MoneyField(coerce_to_string=True)


class BestOfferOut(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.CharField()
    status = serializers.ChoiceField(choices=BestOffer.Status.choices)
    bidder_no = serializers.CharField()
    deposit_status = serializers.CharField()
    payment = serializers.IntegerField(allow_null=True)
    payment_reference = serializers.CharField(allow_null=True)


def _best_offer(offer: BestOffer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "amount": money_format(offer.amount),
        "status": offer.status,
        "bidder_no": offer.registration.bidder_no,
        "deposit_status": offer.payment.deposit_status if offer.payment else "",
        "payment": offer.payment_id,
        "payment_reference": offer.payment.payment_reference if offer.payment else None,
    }


class BestOffersView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=BestOfferIn,
        responses={201: BestOfferOut},
        tags=TAGS,
        summary="A registered bidder's one sealed offer in the best-offer window",
        description="A deposit of the auction's amount is opened with it (pay it quoting "
        "`payment_reference`); the holder may accept only an offer whose deposit is frozen. 409 "
        "`window_closed`, `offer_exists`; 422 `not_registered`, `related_party`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = BestOfferIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(Auction, pk=pk)
        offer = services.best_offer_make(
            auction_id=pk, actor=request.user, amount=data.validated_data["amount"]
        )
        return Response(_best_offer(offer), status=status.HTTP_201_CREATED)


class DealRef(serializers.Serializer):
    deal = serializers.IntegerField()
    price = serializers.CharField()
    buyer = serializers.IntegerField()


def _deal_ref(deal: Deal) -> dict[str, Any]:
    return {"deal": deal.pk, "price": money_format(deal.price), "buyer": deal.buyer_id}


class BestOfferAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=DealRef,
        tags=TAGS,
        summary="Holder: accept one best offer (a deal)",
        description="Its deposit is applied; the other offers' deposits are released. 409 "
        "`window_closed`, `deposit_not_frozen`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        get_object_or_404(BestOffer, pk=pk)
        return Response(_deal_ref(services.best_offer_accept(offer_id=pk, actor=request.user)))


class MoveIn(serializers.Serializer):
    asking_price = params.MoneyField(coerce_to_string=True, required=False)
    notice_days = serializers.IntegerField(required=False, min_value=1, max_value=365)


class MoveOut(serializers.Serializer):
    listing = serializers.IntegerField()
    status = serializers.CharField()


class MoveToNegotiatedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MoveIn,
        responses={201: MoveOut},
        tags=TAGS,
        summary="Holder: move an unsold lot to a negotiated listing",
        description="After 流拍 (and a lapsed best-offer window, if one was opened): a negotiated "
        "listing of the same achievement and rights, submitted for review; an agreed price is then "
        "publicly noticed as the rules require. 409 `auction_not_unsold`, `window_open`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = MoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(Auction, pk=pk)
        listing = services.auction_move_to_negotiated(
            auction_id=pk, actor=request.user, **data.validated_data
        )
        return Response({"listing": listing.pk, "status": listing.status}, status=status.HTTP_201_CREATED)


class RunnerUpOut(serializers.Serializer):
    id = serializers.IntegerField()
    auction = serializers.IntegerField()
    defaulted_deal = serializers.IntegerField()
    bidder_no = serializers.CharField()
    amount = serializers.CharField()
    status = serializers.ChoiceField(choices=RunnerUpOffer.Status.choices)
    expires_at = serializers.DateTimeField()
    deposit_status = serializers.CharField()
    payment = serializers.IntegerField(allow_null=True)
    payment_reference = serializers.CharField(allow_null=True)
    deal = serializers.IntegerField(allow_null=True)


def _runner_up(offer: RunnerUpOffer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "auction": offer.auction_id,
        "defaulted_deal": offer.defaulted_deal_id,
        "bidder_no": offer.registration.bidder_no,
        "amount": money_format(offer.amount),
        "status": offer.status,
        "expires_at": selectors.when(offer.expires_at),
        "deposit_status": offer.payment.deposit_status if offer.payment else "",
        "payment": offer.payment_id,
        "payment_reference": offer.payment.payment_reference if offer.payment else None,
        "deal": offer.deal_id,
    }


class RunnerUpOfferView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: RunnerUpOut},
        tags=TAGS,
        summary="Holder: offer a defaulted auction deal's lot to the runner-up at its highest bid",
        description="The runner-up accepts within 3 working days (`RUNNER_UP_ACCEPT_WORKING_DAYS`) or "
        "declines without penalty; its deposit is used when still frozen, else a new one is opened. "
        "409 `deal_not_defaulted`, `no_runner_up`, `runner_up_offer_exists`, `not_an_auction_deal`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        get_object_or_404(Deal, pk=pk)
        offer = services.runner_up_offer_make(deal_id=pk, actor=request.user)
        return Response(_runner_up(offer), status=status.HTTP_201_CREATED)


class RunnerUpAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=DealRef,
        tags=TAGS,
        summary="Runner-up: accept (a deal at its highest bid)",
        description="409 `deposit_not_frozen` (fields: `payment_reference`) until its deposit is paid, "
        "`offer_expired` after `expires_at`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        get_object_or_404(RunnerUpOffer, pk=pk)
        return Response(_deal_ref(services.runner_up_offer_accept(offer_id=pk, actor=request.user)))


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RunnerUpDeclineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=DeclineIn,
        responses=RunnerUpOut,
        tags=TAGS,
        summary="Runner-up: decline, without penalty",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = DeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(RunnerUpOffer, pk=pk)
        offer = services.runner_up_offer_decline(offer_id=pk, actor=request.user, **data.validated_data)
        offer = RunnerUpOffer.objects.select_related("registration", "payment").get(pk=offer.pk)
        return Response(_runner_up(offer))
