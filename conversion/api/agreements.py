"""Use-first applications, agreements and the conversion reports over HTTP.

``POST /api/v1/use-first/{id}/applications/`` is API.md's; the rest is documented in the schema.
An agreement ends in a deal, made through marketplace's services; the list itself and the duty's
filings are ``conversion/api/duty.py``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import idempotent
from accounts.models import Organization
from accounts.permissions import IsOperator, IsVerifiedMember
from accounts.selectors import is_operator, membership_for_action
from core import params
from core.pagination import CursorPage
from core.serializers import ModelSerializer
from marketplace.api.views import CSVRenderer

from .. import services
from ..models import UseFirstAgreement, UseFirstApplication, UseFirstEntry
from ..selectors import agreements as selectors

TAG = ["use-first"]


class UseFirstApplyInput(serializers.Serializer):
    plan = serializers.CharField(max_length=5000, help_text="实施计划：用途、场景、规模与时间安排。")


class UseFirstAgreementOutput(ModelSerializer):
    conversion_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, allow_null=True
    )

    class Meta:
        model = UseFirstAgreement
        fields = [
            "id",
            "application",
            "entry",
            "listing",
            "holder",
            "company",
            "status",
            "trial_starts_on",
            "trial_ends_on",
            "conversion_price",
            "price_formula",
            "decision_on",
            "reminded_on",
            "deal",
            "return_reason",
            "updated_at",
        ]


class UseFirstApplicationOutput(ModelSerializer):
    achievement = serializers.IntegerField(source="entry.achievement_id", read_only=True)
    achievement_title = serializers.CharField(source="entry.achievement.title", read_only=True)
    holder = serializers.IntegerField(source="entry.holder_id", read_only=True)
    agreement = serializers.SerializerMethodField()

    class Meta:
        model = UseFirstApplication
        fields = [
            "id",
            "entry",
            "achievement",
            "achievement_title",
            "holder",
            "applicant",
            "kind",
            "plan",
            "status",
            "respond_by",
            "decline_reason",
            "agreement",
            "created_at",
            "updated_at",
        ]

    def get_agreement(self, application: UseFirstApplication) -> int | None:
        agreement = getattr(application, "agreement", None)
        return agreement.pk if agreement is not None else None


class UseFirstAcceptInput(serializers.Serializer):
    trial_ends_on = params.DateField(
        required=False, allow_null=True, help_text="试用期结束日（先用后转必填）。"
    )
    decision_on = params.DateField(
        required=False, allow_null=True, help_text="决定日期，默认为试用期结束日。"
    )
    conversion_price = params.MoneyField(
        required=False,
        allow_null=True,
        help_text="转化价格（元），与定价公式二选一。",
    )
    price_formula = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class UseFirstReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class UseFirstDeclineReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["uphold", "overturn"])
    reason = serializers.CharField(max_length=5000)


class UseFirstConvertInput(serializers.Serializer):
    price = params.MoneyField(
        required=False,
        allow_null=True,
        help_text="按定价公式确定的成交价；协议约定了固定价格时可省略（如填写须与之相同）。",
    )


class UseFirstDealOutput(serializers.Serializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    status = serializers.CharField()
    payment = serializers.IntegerField(source="payment_id", allow_null=True)
    payment_due_at = serializers.DateTimeField()


class UseFirstApplyView(APIView):
    permission_classes = [IsVerifiedMember]

    @extend_schema(
        tags=TAG,
        request=UseFirstApplyInput,
        responses={201: UseFirstApplicationOutput},
        summary="申请先用后转（或无偿实施）",
        description=(
            "A verified company (kind `enterprise` or `state_enterprise`) applies to use an entry's "
            "achievement first. When the entry is `free_license_eligible` the application is for a "
            "free licence (`kind = free_license`). The holder answers by `respond_by` "
            "(`USE_FIRST_RESPONSE_DAYS`, 15 days); after that the application is `escalated` to the "
            "operators. Refusals: 403 `company_only`, `related_party`; 409 `entry_closed`, "
            "`no_use_first_listing` (the achievement is on offer through its holder's own listing), "
            "`application_open`."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = get_object_or_404(UseFirstEntry, pk=pk)
        application = services.use_first_apply(entry=entry, actor=request.user, **data.validated_data)
        return Response(UseFirstApplicationOutput(application).data, status=status.HTTP_201_CREATED)


class ApplicationListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = UseFirstApplicationOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAG,
        summary="先用后转申请",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(UseFirstApplication.Status.values))
        ],
        description="Operators: all (`escalated` and `decline_review` are their queues); others: their "
        "organizations' applications, as applicant or holder.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.use_first_applications_for(
            user=self.request.user, status=self.request.query_params.get("status")
        )


class ApplicationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, responses=UseFirstApplicationOutput, summary="先用后转申请详情")
    def get(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(selectors.use_first_applications_for(user=request.user), pk=pk)
        return Response(UseFirstApplicationOutput(application).data)


class ApplicationAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=UseFirstAcceptInput,
        responses={201: UseFirstAgreementOutput},
        summary="同意申请，订立先用后转协议",
        description=(
            "The holder's member (or, once `escalated`, an operator) accepts. Use first: "
            "`trial_ends_on` (after today), `conversion_price` or `price_formula`, `decision_on` "
            "(default the trial's end, not before it); the agreement is `in_trial` and the achievement "
            "`converting`. One trial per entry at a time (409 `trial_in_progress`). Free licence: no "
            "terms; the agreement is `licensed`. A reminder goes to both parties "
            "`USE_FIRST_REMINDER_DAYS` (7) days before `decision_on`."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = get_object_or_404(UseFirstApplication, pk=pk)
        agreement = services.use_first_application_accept(
            application=application, actor=request.user, **data.validated_data
        )
        return Response(UseFirstAgreementOutput(agreement).data, status=status.HTTP_201_CREATED)


class ApplicationDeclineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=UseFirstReasonInput,
        responses=UseFirstApplicationOutput,
        summary="拒绝申请（须说明理由）",
        description="Use first: `declined`. Free licence: the holder may only decline with a reason "
        "that an operator reviews (`decline_review`), see `/review/`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = get_object_or_404(UseFirstApplication, pk=pk)
        moved = services.use_first_application_decline(
            application=application, actor=request.user, **data.validated_data
        )
        return Response(UseFirstApplicationOutput(moved).data)


class ApplicationReviewView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAG,
        request=UseFirstDeclineReviewInput,
        responses={200: UseFirstApplicationOutput, 201: UseFirstAgreementOutput},
        summary="审核持有单位拒绝无偿实施的理由",
        description="`uphold`: the application is `declined` (200, the application). `overturn`: the "
        "free licence is granted (201, the `licensed` agreement). 409 `not_under_review`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstDeclineReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = get_object_or_404(UseFirstApplication, pk=pk)
        result = services.use_first_decline_review(
            application=application, actor=request.user, **data.validated_data
        )
        if isinstance(result, UseFirstAgreement):
            return Response(UseFirstAgreementOutput(result).data, status=status.HTTP_201_CREATED)
        return Response(UseFirstApplicationOutput(result).data)


class AgreementDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, responses=UseFirstAgreementOutput, summary="先用后转协议")
    def get(self, request: Request, pk: int) -> Response:
        agreement = get_object_or_404(selectors.use_first_agreements_for(user=request.user), pk=pk)
        return Response(UseFirstAgreementOutput(agreement).data)


class AgreementConvertView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=UseFirstConvertInput,
        responses={201: UseFirstDealOutput},
        summary="决定转化：成交并通过资金监管付款",
        description=(
            "The company converts: a deal at the agreed price (for a formula, the `price` it gave), "
            "concluded through the marketplace's deal (balance payable into escrow, as every deal); "
            "the achievement becomes `converted` and leaves the use-first list. Accepts "
            "`Idempotency-Key`. 409 `invalid_status_transition`; 422 `price_mismatch`; 400 `price_required`."
        ),
    )
    @idempotent("use_first_convert:{pk}")
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstConvertInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = get_object_or_404(UseFirstAgreement, pk=pk)
        deal = services.use_first_agreement_convert(
            agreement=agreement, actor=request.user, **data.validated_data
        )
        return Response(UseFirstDealOutput(deal).data, status=status.HTTP_201_CREATED)


class AgreementReturnView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=UseFirstReasonInput,
        responses=UseFirstAgreementOutput,
        summary="决定退还",
        description="The company returns the rights with a reason; the achievement is `unconverted` "
        "again and stays on the list.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = get_object_or_404(UseFirstAgreement, pk=pk)
        moved = services.use_first_agreement_return(
            agreement=agreement, actor=request.user, **data.validated_data
        )
        return Response(UseFirstAgreementOutput(moved).data)


# --- reports -------------------------------------------------------------------------------------------


class ConversionReportOutput(serializers.Serializer):
    holder = serializers.IntegerField()
    holder_name = serializers.CharField()
    year = serializers.IntegerField()
    listed = serializers.IntegerField()
    auctioned = serializers.IntegerField()
    converted = serializers.IntegerField()
    deals = serializers.IntegerField()
    income = serializers.CharField(help_text="成交价合计，两位小数的字符串")
    self_implementations = serializers.IntegerField()
    use_first_listed = serializers.IntegerField()
    use_first_open = serializers.IntegerField()
    use_first_closed = serializers.IntegerField()
    justifications_filed = serializers.IntegerField()
    justifications_accepted = serializers.IntegerField()
    justifications_rejected = serializers.IntegerField()


class RankingRowOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    holder = serializers.IntegerField()
    holder_name = serializers.CharField()
    kind = serializers.CharField()
    listings = serializers.IntegerField()
    auctions = serializers.IntegerField()
    conversions = serializers.IntegerField()
    amount = serializers.CharField()


class RankingOutput(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="exclusive")
    order = serializers.CharField()
    results = RankingRowOutput(many=True)


def _int(
    request: Request, name: str, default: int | None = None, *, low: int = 1, high: int = 2**63 - 1
) -> int:
    value = params.query_int(request.query_params, name, default=default, low=low, high=high)
    if value is None:
        raise serializers.ValidationError({name: [_("必填。")]})
    return value


class AnnualReportView(APIView):
    permission_classes = [IsAuthenticated]
    # ``?format=csv`` passes DRF's content negotiation through the results' CSV renderer; the
    # view writes the file itself.
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        tags=["reports"],
        summary="科技成果转化年度报告",
        parameters=[
            OpenApiParameter("holder", OpenApiTypes.INT, required=True),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={
            (200, "application/json"): ConversionReportOutput,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="`format=csv`"),
        },
        description="A holder's year: listings published (of which auctions), achievements converted, "
        "deals concluded (not defaulted) and their income (sum of prices), accepted "
        "self-implementations, the use-first list (listed in the year, open at its end, taken off) and "
        "justifications (filed, accepted, rejected). The holder's members and operators. "
        "`format=csv` downloads it (UTF-8 with BOM, Chinese headers).",
    )
    def get(self, request: Request) -> Response | HttpResponse:
        holder = get_object_or_404(Organization, pk=_int(request, "holder"))
        if not is_operator(request.user):
            membership_for_action(user=request.user, organization=holder, verified=False)
        year = _int(
            request, "year", timezone.localdate().year, low=params.FIRST_DAY.year, high=params.LAST_DAY.year
        )
        report = selectors.conversion_annual_report(holder=holder, year=year)
        if request.query_params.get("format") == "csv":
            response = HttpResponse(
                selectors.conversion_annual_report_csv(report), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="conversion-report-{holder.pk}-{year}.csv"'
            )
            return response
        return Response(report.as_json())


class RankingView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["reports"],
        summary="单位科技成果转化绩效排名",
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=list(selectors.PERIODS)),
            OpenApiParameter("date", OpenApiTypes.DATE, description="any day in the period; default today"),
            OpenApiParameter("order", OpenApiTypes.STR, enum=list(selectors.RANKING_ORDERS)),
        ],
        responses=RankingOutput,
        description="Public. Universities, institutes, hospitals and state-owned enterprises ranked for "
        "the calendar month, quarter or year containing `date` by `amount` (default), `conversions`, "
        "`listings` or `auctions`; ties break on the other measures. The top 100.",
    )
    def get(self, request: Request) -> Response:
        period = request.query_params.get("period", "year")
        order = request.query_params.get("order", "amount")
        if period not in selectors.PERIODS:
            raise serializers.ValidationError({"period": [_("应为 month、quarter 或 year。")]})
        if order not in selectors.RANKING_ORDERS:
            raise serializers.ValidationError({"order": [_("无效的排序。")]})
        day = params.query_date(request.query_params, "date", default=timezone.localdate())
        (start, end), rows = selectors.institution_ranking(period=period, day=day, order=order)
        return Response(
            {
                "period": period,
                "start": start,
                "end": end,
                "order": order,
                "results": [r.as_json() for r in rows],
            }
        )


urlpatterns = [
    path("use-first/<int:pk>/applications/", UseFirstApplyView.as_view(), name="use-first-apply"),
    path("use-first/applications/", ApplicationListView.as_view(), name="use-first-application-list"),
    path("use-first/applications/<int:pk>/", ApplicationDetailView.as_view(), name="use-first-application"),
    path(
        "use-first/applications/<int:pk>/accept/",
        ApplicationAcceptView.as_view(),
        name="use-first-application-accept",
    ),
    path(
        "use-first/applications/<int:pk>/decline/",
        ApplicationDeclineView.as_view(),
        name="use-first-application-decline",
    ),
    path(
        "use-first/applications/<int:pk>/review/",
        ApplicationReviewView.as_view(),
        name="use-first-application-review",
    ),
    path("use-first/agreements/<int:pk>/", AgreementDetailView.as_view(), name="use-first-agreement"),
    path(
        "use-first/agreements/<int:pk>/convert/",
        AgreementConvertView.as_view(),
        name="use-first-agreement-convert",
    ),
    path(
        "use-first/agreements/<int:pk>/return/",
        AgreementReturnView.as_view(),
        name="use-first-agreement-return",
    ),
    path("reports/conversion/", AnnualReportView.as_view(), name="report-conversion"),
    path("reports/ranking/", RankingView.as_view(), name="report-ranking"),
]
