"""REST adapters of the auction endpoints (API.md, "Auctions"): parse, authorize, call one service."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import HEADER
from accounts.lockout import client_address, client_device
from accounts.permissions import IsOperator
from core.errors import DomainError
from core.money import money_format
from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema

from .. import selectors, services
from ..models import Auction
from . import serializers as s


class NotRegistered(DomainError):
    status_code = status.HTTP_404_NOT_FOUND


REFUSALS = (
    "Refusals are 422 with `code`: `auction_not_live`, `auction_ended`, `below_minimum` (fields.minimum), "
    "`invalid_increment`, `not_registered`, `deposit_not_frozen`, `related_party`, `already_leading`, "
    "`organization_not_verified`, `idempotency_key_reused`."
)
KEY_PARAM = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "The bid's idempotency key: a retry with the same key and amount returns the first outcome "
        "(the accepted bid, with header `Idempotent-Replayed: true`, or the same refusal) and never "
        "bids twice. Refusals of the bidder's standing (not registered, deposit not frozen, related "
        "party) are not remembered. The same key is shared with the live room's `key`."
    ),
)


class AuctionDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.AuctionOut, summary="An auction, with the server's time")
    def get(self, request: Request, pk: int) -> Response:
        auction = get_object_or_404(Auction.objects.select_related("leader"), pk=pk)
        show_reserve = selectors.reserve_visible_to(auction=auction, user=request.user)
        return Response(
            selectors.auction_public(auction, server_time=selectors.db_now(), show_reserve=show_reserve)
        )


class RegistrationCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.RegistrationIn,
        responses={201: s.RegistrationOut},
        summary="Register the caller's company for the auction (竞买登记)",
        description=(
            "Refusals: 422 `registration_closed`, `related_party`; 403 `not_an_allowed_buyer` (an "
            "auction among a fixed-price listing's intent holders), `organization_not_verified`; "
            "409 `already_registered`."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.RegistrationIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(Auction, pk=pk)
        registration = services.registration_create(
            auction_id=pk,
            actor=request.user,
            organization_id=data.validated_data.get("organization"),
            preemptive=data.validated_data.get("preemptive", False),
            address=client_address(request),
            device=client_device(request),
        )
        return Response(selectors.registration_public(registration), status=status.HTTP_201_CREATED)


class RegistrationMineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.RegistrationOut, summary="The caller's registration (404 `not_registered`)")
    def get(self, request: Request, pk: int) -> Response:
        registration = selectors.registration_for(auction_id=pk, user=request.user)
        if registration is None:
            get_object_or_404(Auction, pk=pk)
            raise NotRegistered("not_registered", _("您尚未登记竞买本场拍卖。"))
        return Response(selectors.registration_public(registration))


class BidsView(ListAPIView):
    """GET: the bids by ``seq``, bidders only as ``bidder_no``. POST: place a bid."""

    pagination_class = type("BidPage", (CursorPage,), {"ordering": ("seq",)})
    serializer_class = s.BidListItem

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    def get_queryset(self) -> Any:
        return selectors.bids_public(self.kwargs["pk"])

    @extend_schema(
        responses=cursor_page_schema(s.BidListItem, "BidPage"),
        parameters=[CURSOR_PARAMETER],
        summary="The bids, by seq, with their chain hashes",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        get_object_or_404(Auction, pk=kwargs["pk"])
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(
            [selectors.bid_public(b, bidder_no=b.registration.bidder_no) for b in page]
        )

    @extend_schema(
        request=s.BidIn,
        parameters=[KEY_PARAM],
        responses={201: s.BidOut},
        summary="Place a bid",
        description=REFUSALS,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.BidIn(data=request.data)
        data.is_valid(raise_exception=True)
        placed = services.bid_place(
            auction_id=pk,
            user=request.user,
            amount=data.validated_data["amount"],
            key=request.headers.get(HEADER, ""),
        )
        body = {
            "seq": placed.bid.seq,
            "amount": money_format(placed.bid.amount),
            "bidder_no": placed.bidder_no,
            "placed_at": selectors.when(placed.bid.placed_at),
            "ends_at": selectors.when(placed.ends_at),
        }
        response = Response(body, status=status.HTTP_201_CREATED)
        if placed.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class ProxyBidView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.ProxyBidIn,
        responses=s.ProxyBidOut,
        summary="Set or raise the caller's secret proxy ceiling (代理出价)",
        description=(
            "The engine bids for the caller by whole increments up to `max_amount` (on the bid grid, "
            "at least the next acceptable bid; raising only: 422 `proxy_max_lowered`). At equal "
            "ceilings the earlier one wins. " + REFUSALS
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        data = s.ProxyBidIn(data=request.data)
        data.is_valid(raise_exception=True)
        proxy, _bids = services.proxy_bid_set(
            auction_id=pk, user=request.user, max_amount=data.validated_data["max_amount"]
        )
        auction = Auction.objects.get(pk=pk)
        return Response(
            {
                "max_amount": money_format(proxy.max_amount),
                "leading": auction.leader_id == proxy.registration_id,
                "current_price": money_format(auction.current_price),
            }
        )


class AuctionCancelView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        request=s.CancelIn,
        responses=s.AuctionOut,
        summary="Operator: cancel a scheduled or live auction, with a reason",
        description="Every deposit is released and the listing closed; the room hears `closed` with "
        "status `cancelled`. 409 `invalid_status_transition` once closed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        get_object_or_404(Auction, pk=pk)
        services.auction_cancel(auction_id=pk, actor=request.user, reason=data.validated_data["reason"])
        auction = selectors.auction_get(pk)
        return Response(selectors.auction_public(auction, show_reserve=True))
