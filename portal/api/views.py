"""风险预警 for operators: the list and a decision on one."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from core.decisions import RISK_ALERT
from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema
from core.serializers import ModelSerializer

from .. import risk, selectors
from ..models import RiskAlert

TAGS = ["risk alerts"]


class RiskAlertOutput(ModelSerializer):
    rule_label = serializers.CharField(source="get_rule_display")
    evidence = serializers.DictField(help_text="What the rule saw: auction, bidders, amounts, accounts...")

    class Meta:
        model = RiskAlert
        fields = ["id", "rule", "rule_label", "subject", "evidence", "status", "created_at", "updated_at"]


class RiskAlertsView(APIView):
    permission_classes = [IsOperator]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=RiskAlert.Status.choices, required=False)
        rule = serializers.ChoiceField(choices=RiskAlert.Rule.choices, required=False)

    @extend_schema(
        operation_id="v1_risk_alerts_list",
        parameters=[FilterSerializer, CURSOR_PARAMETER],
        responses=cursor_page_schema(RiskAlertOutput, "RiskAlertPage"),
        tags=TAGS,
        description="Operators: risk alerts, newest first, each naming the rule that fired (`rule`, its "
        "numbers are `MARKET['RISK_RULES']`) and its evidence; filters `status`, `rule`.",
    )
    def get(self, request: Request) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = CursorPage()
        paginator.ordering = ("-id",)
        page = paginator.paginate_queryset(selectors.risk_alerts(**query.validated_data), request, view=self)
        return paginator.get_paginated_response(RiskAlertOutput(page, many=True).data)


class RiskAlertDecideView(APIView):
    permission_classes = [IsOperator]

    class RiskAlertDecideInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=RISK_ALERT.api_choices)
        reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=RiskAlertDecideInput,
        responses=RiskAlertOutput,
        tags=TAGS,
        description="An operator decides: `acknowledge` (seen, nothing to do), `investigate` (a reason "
        "required; it stays under watch and may be decided again), `act` (a reason saying what was done). "
        "400 `reason_required`; 409 `invalid_status_transition` once acknowledged or acted on.",
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = RiskAlert.objects.filter(pk=pk).first()
        if alert is None:
            raise Http404
        data = self.RiskAlertDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = risk.risk_alert_decide(alert=alert, actor=request.user, **data.validated_data)
        return Response(RiskAlertOutput(alert).data)
