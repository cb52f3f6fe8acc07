"""Negotiated offers, public notices and objections, fixed-price intents."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator, IsVerifiedMember
from core import params
from core.decisions import OBJECTION
from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema
from core.serializers import ModelSerializer
from listings.models import Listing

from ..models import Objection, Offer, PublicNotice, PurchaseIntent
from ..selectors import objections_visible_to, trades_visible_to
from ..services import intents as intent_services
from ..services import negotiation as negotiation_services

TAGS = ["marketplace"]


class OfferInput(serializers.Serializer):
    amount = params.MoneyField(min_value=Decimal("0.01"))
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    organization = serializers.IntegerField(
        required=False, help_text="The buying organization, when the caller belongs to several."
    )


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OfferOutput(ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name")
    notice = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "listing",
            "buyer",
            "buyer_name",
            "side",
            "parent",
            "amount",
            "message",
            "status",
            "created_at",
            "notice",
        ]

    def get_notice(self, obj: Offer) -> int | None:
        notice = getattr(obj, "notice", None) if obj.status == Offer.Status.ACCEPTED else None
        return notice.pk if notice is not None else None


class NoticeOutput(ModelSerializer):
    listing_title = serializers.CharField(source="listing.achievement.title")
    seller = serializers.CharField(source="listing.achievement.holder.name")
    buyer = serializers.CharField(source="buyer.name")
    rights = serializers.CharField(source="listing.rights")
    objection_count = serializers.SerializerMethodField()

    class Meta:
        model = PublicNotice
        fields = [
            "id",
            "listing",
            "listing_title",
            "seller",
            "buyer",
            "rights",
            "price",
            "starts_at",
            "ends_at",
            "status",
            "deal",
            "objection_count",
            "updated_at",
        ]

    def get_objection_count(self, obj: PublicNotice) -> int:
        return obj.objections.count()


class ObjectionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ObjectionDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=OBJECTION.api_choices)
    reason = serializers.CharField(max_length=2000)


class ObjectionOutput(ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "notice", "reason", "status", "decision_reason", "decided_at", "created_at"]


class IntentInput(serializers.Serializer):
    organization = serializers.IntegerField(required=False)


class IntentOutput(ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name")

    class Meta:
        model = PurchaseIntent
        fields = ["id", "listing", "buyer", "buyer_name", "declared_at"]


def _listing(pk: int) -> Listing:
    listing = Listing.objects.select_related("achievement__holder").filter(pk=pk).first()
    if listing is None:
        raise Http404
    return listing


def _offer(pk: int) -> Offer:
    offer = Offer.objects.select_related("listing__achievement__holder", "buyer").filter(pk=pk).first()
    if offer is None:
        raise Http404
    return offer


class ListingOffersView(APIView):
    def get_permissions(self):  # type: ignore[override]
        return [IsAuthenticated()] if self.request.method == "GET" else [IsVerifiedMember()]

    @extend_schema(
        responses=cursor_page_schema(OfferOutput, "OfferPage"),
        parameters=[CURSOR_PARAMETER],
        tags=TAGS,
        description="The holder's members and operators see every offer on the listing; a buyer its own.",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(pk)
        offers = trades_visible_to(
            request.user, Offer.objects.filter(listing=listing).select_related("buyer", "notice")
        )
        paginator = CursorPage()
        page = paginator.paginate_queryset(offers, request, view=self)
        return paginator.get_paginated_response(OfferOutput(page, many=True).data)

    @extend_schema(
        request=OfferInput,
        responses={201: OfferOutput},
        tags=TAGS,
        description="A verified buyer (not the holder, not a related party: 403 `related_party`) offers a "
        "price on a published negotiated listing. 409 `offer_open` (one open offer per buyer), "
        "`notice_in_progress`, `wrong_mode`, `listing_not_published`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = negotiation_services.offer_make(
            listing=_listing(pk), actor=request.user, **data.validated_data
        )
        return Response(OfferOutput(offer).data, status=status.HTTP_201_CREATED)


class OfferAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=NoticeOutput,
        tags=TAGS,
        description="The other side (the holder for a buyer's offer, the buyer for a counter-offer) accepts: "
        "the agreed price goes into a public notice for the listing's `notice_days`; the deal is made when "
        "it ends with no upheld objection.",
    )
    def post(self, request: Request, pk: int) -> Response:
        notice = negotiation_services.offer_accept(offer=_offer(pk), actor=request.user)
        return Response(NoticeOutput(notice).data)


class OfferRejectView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RejectInput, responses=OfferOutput, tags=TAGS, description="The other side refuses."
    )
    def post(self, request: Request, pk: int) -> Response:
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = negotiation_services.offer_reject(offer=_offer(pk), actor=request.user, **data.validated_data)
        return Response(OfferOutput(offer).data)


class OfferCounterView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=OfferInput,
        responses={201: OfferOutput},
        tags=TAGS,
        description="The other side answers with another price: a new open offer; this one becomes `countered`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        data.validated_data.pop("organization", None)
        counter = negotiation_services.offer_counter(
            offer=_offer(pk), actor=request.user, **data.validated_data
        )
        return Response(OfferOutput(counter).data, status=status.HTTP_201_CREATED)


def _notices() -> QuerySet[PublicNotice]:
    return PublicNotice.objects.select_related("listing__achievement__holder", "buyer")


class NoticePage(CursorPage):
    """Notices are not a synced list (no ``updated_since``): plain cursor pages by ``(updated_at, id)``."""

    ordering = ("updated_at", "id")


class NoticesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CURSOR_PARAMETER],
        operation_id="v1_notices_list",
        responses=cursor_page_schema(NoticeOutput, "NoticePage"),
        tags=TAGS,
        description="Public notices of negotiated prices, by `(updated_at, id)`; `status=open` for those running.",
    )
    def get(self, request: Request) -> Response:
        notices = _notices()
        wanted = request.query_params.get("status")
        if wanted in PublicNotice.Status.values:
            notices = notices.filter(status=wanted)
        paginator = NoticePage()
        page = paginator.paginate_queryset(notices, request, view=self)
        return paginator.get_paginated_response(NoticeOutput(page, many=True).data)


class NoticeDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=NoticeOutput, tags=TAGS, description="Anyone.")
    def get(self, request: Request, pk: int) -> Response:
        notice = _notices().filter(pk=pk).first()
        if notice is None:
            raise Http404
        return Response(NoticeOutput(notice).data)


class NoticeObjectionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=cursor_page_schema(ObjectionOutput, "ObjectionPage"),
        parameters=[CURSOR_PARAMETER],
        tags=TAGS,
        description="Operators and the parties see every objection; others their own.",
    )
    def get(self, request: Request, pk: int) -> Response:
        notice = _notices().filter(pk=pk).first()
        if notice is None:
            raise Http404
        objections = objections_visible_to(request.user, notice)
        paginator = CursorPage()
        page = paginator.paginate_queryset(objections, request, view=self)
        return paginator.get_paginated_response(ObjectionOutput(page, many=True).data)

    @extend_schema(
        request=ObjectionInput,
        responses={201: ObjectionOutput},
        tags=TAGS,
        description="Anyone signed in objects while the notice runs; 409 `notice_closed` after it.",
    )
    def post(self, request: Request, pk: int) -> Response:
        notice = PublicNotice.objects.filter(pk=pk).first()
        if notice is None:
            raise Http404
        data = ObjectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = negotiation_services.objection_raise(
            notice=notice, actor=request.user, **data.validated_data
        )
        return Response(ObjectionOutput(objection).data, status=status.HTTP_201_CREATED)


class ObjectionDecideView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        request=ObjectionDecisionInput,
        responses=ObjectionOutput,
        tags=TAGS,
        description="An operator upholds (the notice stops, the deal does not proceed) or dismisses an objection.",
    )
    def post(self, request: Request, pk: int) -> Response:
        objection = Objection.objects.filter(pk=pk).first()
        if objection is None:
            raise Http404
        data = ObjectionDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        decided = negotiation_services.objection_decide(
            objection=objection, actor=request.user, **data.validated_data
        )
        return Response(ObjectionOutput(decided).data)


class ListingIntentsView(APIView):
    def get_permissions(self):  # type: ignore[override]
        return [IsAuthenticated()] if self.request.method == "GET" else [IsVerifiedMember()]

    @extend_schema(
        responses=cursor_page_schema(IntentOutput, "IntentPage"),
        parameters=[CURSOR_PARAMETER],
        tags=TAGS,
        description="The holder's members and operators see every intent; a buyer its own.",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(pk)
        intents = trades_visible_to(
            request.user, PurchaseIntent.objects.filter(listing=listing).select_related("buyer")
        )
        paginator = CursorPage()
        page = paginator.paginate_queryset(intents, request, view=self)
        return paginator.get_paginated_response(IntentOutput(page, many=True).data)

    @extend_schema(
        request=IntentInput,
        responses={201: IntentOutput},
        tags=TAGS,
        description="A verified buyer declares intent to buy at the listed price before `listing_ends_at`. "
        "When the period ends: none -> the listing expires; one -> a deal at the listed price; two or more -> "
        "an auction among them. 409 `intent_exists`, `listing_not_published`, `wrong_mode`; 403 `related_party`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = IntentInput(data=request.data)
        data.is_valid(raise_exception=True)
        intent = intent_services.intent_declare(
            listing=_listing(pk), actor=request.user, **data.validated_data
        )
        return Response(IntentOutput(intent).data, status=status.HTTP_201_CREATED)
