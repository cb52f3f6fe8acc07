"""The valuation band, the achievement's fuller description, use reports over HTTP."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from accounts.selectors import is_operator, member_organization_ids
from core import params
from core.pagination import CursorPage
from core.serializers import ModelSerializer, StrictSerializer
from listings.models import Achievement, Field, Rights
from listings.selectors import listing_get_visible

from ..models import AchievementProfile, UseReport
from ..selectors import disclosure as disclosure_selectors
from ..selectors import valuation as selectors
from ..services import disclosure as services
from .common import TAGS, found, parse


class BandOutput(serializers.Serializer):
    low = serializers.DecimalField(max_digits=14, decimal_places=2)
    median = serializers.DecimalField(max_digits=14, decimal_places=2)
    high = serializers.DecimalField(max_digits=14, decimal_places=2)


class ComparableOutput(serializers.Serializer):
    result = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    field = serializers.ChoiceField(choices=Field.choices)
    rights = serializers.ChoiceField(choices=Rights.choices)
    concluded_at = serializers.DateTimeField()
    similarity = serializers.FloatField(
        help_text="Share of the listing's words in the comparable's achievement, 0-1."
    )
    weight = serializers.FloatField()


class PeerAggregateOutput(serializers.Serializer):
    count = serializers.IntegerField()
    trl_median = serializers.FloatField()
    value_low = serializers.DecimalField(max_digits=14, decimal_places=2)
    value_high = serializers.DecimalField(max_digits=14, decimal_places=2)


class ValuationOutput(serializers.Serializer):
    band = BandOutput(allow_null=True)
    method = serializers.CharField()
    comparables = ComparableOutput(many=True)
    peer_review = PeerAggregateOutput(allow_null=True)
    price_flag = serializers.CharField(
        allow_null=True,
        help_text="The holder's and operators' only: the listed price lies far outside the band.",
    )


class BacktestOutput(serializers.Serializer):
    results = serializers.IntegerField()
    with_band = serializers.IntegerField()
    in_band = serializers.IntegerField()
    in_band_rate = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField(allow_null=True)


class ValuationView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="挂牌的估值区间",
        responses=ValuationOutput,
        description="Anyone, for published listings (the holder's members and operators for any of "
        "theirs): the band `{low, median, high}` from comparable closed deals (same rights, same or "
        "near field, recency-weighted, text similarity), blended with the peer-review band once 3 "
        "reviews are in; `null` with fewer than 3 comparables and no reviews. `method` states how; "
        "`comparables` lists the heaviest 10. Advice only: a price far outside the band is flagged "
        "to the holder (`price_flag`), never refused.",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = found(listing_get_visible(user=request.user, listing_id=pk))
        valuation = selectors.listing_valuation(listing=listing)
        own = is_operator(request.user) or listing.achievement.holder_id in member_organization_ids(
            request.user
        )
        body = {
            "band": valuation.band,
            "method": valuation.method,
            "comparables": valuation.comparables,
            "peer_review": valuation.peer_review,
            "price_flag": selectors.price_flag(listing=listing, band=valuation.band) if own else None,
        }
        return Response(ValuationOutput(body).data)


class BacktestView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="估值区间回测",
        responses=BacktestOutput,
        description="For each of the latest 500 results, the market band computed only from deals "
        "concluded before it: how often (`in_band_rate`) the price fell inside [low, high], and for "
        "how many a band could be computed (`coverage`).",
    )
    def get(self, request: Request) -> Response:
        test = selectors.valuation_backtest()
        return Response(
            BacktestOutput(
                {
                    "results": test.results,
                    "with_band": test.with_band,
                    "in_band": test.in_band,
                    "in_band_rate": test.in_band_rate,
                    "coverage": test.coverage,
                }
            ).data
        )


class LinkInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    title = serializers.CharField(max_length=200, required=False)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True)


class ProfileInput(StrictSerializer):
    problem = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    advantage = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    pictures = serializers.ListField(child=LinkInput(), required=False, default=list, max_length=20)
    publications = serializers.ListField(child=LinkInput(), required=False, default=list, max_length=20)


class ProfileOutput(ModelSerializer):
    completeness = serializers.IntegerField()
    completeness_missing = serializers.ListField(child=serializers.DictField())

    class Meta:
        model = AchievementProfile
        fields = (
            "achievement",
            "problem",
            "advantage",
            "pictures",
            "publications",
            "completeness",
            "completeness_missing",
        )


class ProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="补充成果信息（完整度）",
        request=ProfileInput,
        responses=ProfileOutput,
        description="A holder's member adds what the record lacks: the problem it solves, its "
        "advantage over what is in use, pictures `[{name, url}]` and publications `[{title, url}]`. "
        "Returns the new `completeness` (0-100) and what would still raise it.",
    )
    def put(self, request: Request, pk: int) -> Response:
        data = parse(ProfileInput, request.data)
        achievement = found(Achievement.objects.filter(pk=pk).first())
        profile = services.achievement_profile_update(achievement=achievement, actor=request.user, **data)
        from ..selectors.completeness import achievement_completeness

        score = achievement_completeness(achievement=achievement)
        profile.completeness = score.score  # type: ignore[attr-defined]
        profile.completeness_missing = score.missing  # type: ignore[attr-defined]
        return Response(ProfileOutput(profile).data)


class UseReportInput(StrictSerializer):
    application_status = serializers.ChoiceField(choices=UseReport.Application.choices)
    benefit = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    revenue = params.MoneyField(required=False, allow_null=True, default=None)


class UseReportOutput(ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title")

    class Meta:
        model = UseReport
        fields = (
            "id",
            "deal",
            "achievement",
            "achievement_title",
            "buyer",
            "year_no",
            "due_on",
            "status",
            "application_status",
            "benefit",
            "revenue",
            "filed_at",
        )


class UseReportListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = UseReportOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAGS,
        summary="使用报告",
        description="The yearly use reports of the caller's organizations (as buyer or holder); operators all.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return disclosure_selectors.use_reports_visible_to(self.request.user)


class UseReportFileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="填报使用报告",
        request=UseReportInput,
        responses=UseReportOutput,
        description="The buyer's member files the year's report; 409 `already_filed`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(UseReportInput, request.data)
        report = found(disclosure_selectors.use_reports_visible_to(request.user).filter(pk=pk).first())
        report = services.use_report_file(report=report, actor=request.user, **data)
        return Response(UseReportOutput(report).data)


class LateUseReportsView(ListAPIView):
    permission_classes = [IsOperator]
    serializer_class = UseReportOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAGS, summary="逾期未填报的使用报告", description="Operators: reports past their due day."
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return disclosure_selectors.use_reports_late()


urlpatterns = [
    path("listings/<int:pk>/valuation/", ValuationView.as_view(), name="listing-valuation"),
    path("valuation/backtest/", BacktestView.as_view(), name="valuation-backtest"),
    path("achievements/<int:pk>/profile/", ProfileView.as_view(), name="achievement-profile"),
    path("use-reports/", UseReportListView.as_view(), name="use-report-list"),
    path("use-reports/late/", LateUseReportsView.as_view(), name="use-report-late"),
    path("use-reports/<int:pk>/file/", UseReportFileView.as_view(), name="use-report-file"),
]
