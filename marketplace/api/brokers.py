"""Technology brokers (技术经理人): profiles and the ranking, mandates on listings, the buyer naming
the broker that brought it. Each endpoint's contract is in its own block."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import params
from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema
from core.serializers import ModelSerializer
from listings.models import Field, Listing
from listings.selectors import listing_get_visible

from .. import selectors
from ..models import BrokerProfile, Mandate
from ..services import brokers as broker_services
from .serializers import DealOutput

TAGS = ["brokers"]


class BrokerOutput(ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    fields = serializers.ListField(child=serializers.ChoiceField(choices=Field.choices))

    class Meta:
        model = BrokerProfile
        fields = [
            "id",
            "name",
            "organization",
            "organization_name",
            "certificate_no",
            "fields",
            "bio",
            "points",
            "deal_count",
        ]


class BrokerDealOutput(serializers.Serializer):
    deal = serializers.IntegerField(source="deal_id")
    listing_title = serializers.CharField(source="deal.listing.achievement.title")
    mode = serializers.CharField(source="deal.mode")
    price = serializers.DecimalField(source="deal.price", max_digits=14, decimal_places=2)
    seller = serializers.CharField(source="deal.seller.name")
    concluded_at = serializers.DateTimeField(source="deal.concluded_at")
    points = serializers.IntegerField()


class BrokerDetailOutput(BrokerOutput):
    deals = serializers.SerializerMethodField()

    class Meta(BrokerOutput.Meta):
        fields = [*BrokerOutput.Meta.fields, "deals"]

    @extend_schema_field(BrokerDealOutput(many=True))
    def get_deals(self, obj: BrokerProfile) -> list[dict[str, Any]]:
        return BrokerDealOutput(selectors.broker_deals(obj)[:100], many=True).data  # type: ignore[return-value]


class BrokersView(APIView):
    """The ranking, and a person's own profile."""

    class BrokersInput(serializers.Serializer):
        organization = serializers.IntegerField(
            help_text="The organization the broker acts for (paid through it)."
        )
        name = serializers.CharField(max_length=50)
        certificate_no = serializers.CharField(max_length=64, help_text="技术经理人证书编号")
        fields = serializers.ListField(child=serializers.ChoiceField(choices=Field.choices), min_length=1)
        bio = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def get_permissions(self):  # type: ignore[override]
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        operation_id="v1_brokers_list",
        parameters=[CURSOR_PARAMETER],
        responses=cursor_page_schema(BrokerOutput, "BrokerPage"),
        tags=TAGS,
        description="The brokers' ranking (anyone): most contribution points (贡献积分) first.",
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPage()
        paginator.ordering = ("-points", "id")
        page = paginator.paginate_queryset(selectors.brokers_ranking(), request, view=self)
        return paginator.get_paginated_response(BrokerOutput(page, many=True).data)

    @extend_schema(
        request=BrokersInput,
        responses={201: BrokerOutput, 200: BrokerOutput},
        tags=TAGS,
        description="The caller records its broker profile (201), or corrects it (200). It must be a broker "
        "or an admin of `organization`, which must be verified (403 `not_a_member`, `role_not_allowed`, "
        "`organization_not_verified`). 409 `certificate_taken`.",
    )
    def post(self, request: Request) -> Response:
        data = self.BrokersInput(data=request.data)
        data.is_valid(raise_exception=True)
        profile, created = broker_services.broker_profile_save(actor=request.user, **data.validated_data)
        return Response(
            BrokerOutput(profile).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class BrokerDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=BrokerDetailOutput,
        tags=TAGS,
        description="A broker's public profile: its certificate, fields, contribution points and the settled "
        "deals it brought (newest 100), each with the points it earned.",
    )
    def get(self, request: Request, pk: int) -> Response:
        profile = selectors.brokers_ranking().filter(pk=pk).first()
        if profile is None:
            raise Http404
        return Response(BrokerDetailOutput(profile).data)


class MandateOutput(ModelSerializer):
    broker_name = serializers.CharField(source="broker.name")

    class Meta:
        model = Mandate
        fields = [
            "id",
            "listing",
            "broker",
            "broker_name",
            "commission_rate",
            "ends_on",
            "status",
            "created_at",
            "revoked_at",
        ]


def _listing(request: Request, pk: int) -> Listing:
    listing = listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    return listing


def _broker(pk: int, field: str = "broker") -> BrokerProfile:
    broker = BrokerProfile.objects.select_related("organization", "user").filter(pk=pk).first()
    if broker is None:
        raise serializers.ValidationError({field: ["无此技术经理人。"]})
    return broker


class ListingMandatesView(APIView):
    class ListingMandatesInput(serializers.Serializer):
        broker = serializers.IntegerField(help_text="The broker profile's id.")
        commission_rate = serializers.DecimalField(
            max_digits=5,
            decimal_places=4,
            min_value=Decimal("0"),
            max_value=Decimal("1"),
            help_text="A fraction of the holder's net (after the platform fee), at least `BROKER_SHARE_MIN` (0.05).",
        )
        ends_on = params.DateField()

    def get_permissions(self):  # type: ignore[override]
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[CURSOR_PARAMETER],
        responses=cursor_page_schema(MandateOutput, "MandatePage"),
        tags=TAGS,
        description="A listing's mandates: the holder's members and operators see all, others the active ones.",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        paginator = CursorPage()
        page = paginator.paginate_queryset(
            selectors.mandates_of_listing(listing=listing, user=request.user), request, view=self
        )
        return paginator.get_paginated_response(MandateOutput(page, many=True).data)

    @extend_schema(
        request=ListingMandatesInput,
        responses={201: MandateOutput},
        tags=TAGS,
        description="A member of the holder mandates a broker on the listing (委托). 422 "
        "`broker_share_too_low` below the market's minimum broker share; 400 `invalid_shares` when it and "
        "the inventors' share exceed 1, `invalid_ends_on` before today; 409 `mandate_exists`, "
        "`listing_not_open`; 403 for anyone but the holder's admins and members.",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        data = self.ListingMandatesInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        mandate = broker_services.mandate_give(
            listing=listing,
            actor=request.user,
            broker=_broker(v["broker"]),
            commission_rate=v["commission_rate"],
            ends_on=v["ends_on"],
        )
        return Response(MandateOutput(mandate).data, status=status.HTTP_201_CREATED)


class MandateRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    class MandateRevokeInput(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        request=MandateRevokeInput,
        responses=MandateOutput,
        tags=TAGS,
        description="A member of the holder ends the mandate at once, with a reason. Deals concluded while it "
        "was in force keep their broker. 409 `invalid_status_transition` when already revoked.",
    )
    def post(self, request: Request, pk: int) -> Response:
        mandate = Mandate.objects.select_related("listing__achievement").filter(pk=pk).first()
        if mandate is None or listing_get_visible(user=request.user, listing_id=mandate.listing_id) is None:
            raise Http404
        data = self.MandateRevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        mandate = broker_services.mandate_revoke(
            mandate=mandate, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(MandateOutput(mandate).data)


class DealBrokerView(APIView):
    permission_classes = [IsAuthenticated]

    class DealBrokerInput(serializers.Serializer):
        broker = serializers.IntegerField(help_text="The broker profile's id.")

    @extend_schema(
        request=DealBrokerInput,
        responses=DealOutput,
        tags=TAGS,
        description="The buyer names the broker that brought it. The broker must have held a mandate on the "
        "listing when the deal was concluded (422 `no_mandate`) and not act for the buyer (422 "
        "`broker_is_buyer`); its commission becomes the settlement's broker line. 409 "
        "`broker_already_named`, `invalid_status_transition` once settled or defaulted; 403 for anyone but "
        "the buyer's admins and members.",
    )
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        data = self.DealBrokerInput(data=request.data)
        data.is_valid(raise_exception=True)
        deal = broker_services.deal_broker_name(
            deal=deal, actor=request.user, broker=_broker(data.validated_data["broker"])
        )
        return Response(DealOutput(selectors.deal_get_visible(user=request.user, deal_id=deal.pk)).data)
