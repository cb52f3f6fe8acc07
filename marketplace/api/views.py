from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import idempotent
from accounts.models import Organization
from accounts.permissions import IsFinanceOperator
from core.pagination import CURSOR_PARAMETER, CursorPage, SyncCursorPage, cursor_page_schema

from .. import selectors
from ..models import Payable
from ..services import confirmation as confirmation_services
from ..services import payments as payment_services
from ..services import settlement as settlement_services
from .serializers import (
    RESULT_COLUMNS,
    BankNotificationInput,
    BankNotificationOutput,
    ConfirmInput,
    ContractRegistrationCorrectionInput,
    ContractRegistrationInput,
    DealConfirmationOutput,
    DealOutput,
    JournalOutput,
    PayableOutput,
    ReasonInput,
    ResultOutput,
    ResultQuery,
    SettlementOutput,
    SettlementPartsOutput,
    result_rows,
)

TAGS = ["marketplace"]


# Payments ---------------------------------------------------------------------------------------


class BankNotificationView(APIView):
    """The bank's credit notifications. No user: the HMAC signature is the authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        request=BankNotificationInput,
        responses={
            200: BankNotificationOutput,
            401: OpenApiResponse(description="`invalid_signature` or `stale_timestamp`: nothing recorded."),
        },
        parameters=[
            OpenApiParameter(
                payment_services.TIMESTAMP_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Unix time (seconds) when the bank sent it; refused outside "
                "`BANK_WEBHOOK_WINDOW_SECONDS` (300) of our clock.",
            ),
            OpenApiParameter(
                payment_services.SIGNATURE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Hex HMAC-SHA256, under the shared secret, of the timestamp, a dot and "
                'the raw request body: `hmac(secret, f"{timestamp}." + body)`.',
            ),
        ],
        tags=TAGS,
        description="Credits the escrow for a `payment_reference`. Keyed by `transaction_id`: a replay "
        "records nothing and answers `duplicate`; two concurrent notifications of one transfer credit it "
        "once. A part payment leaves the payment `pending`; an overpayment opens a refund for the excess; "
        "a fully paid deposit becomes `frozen`, a fully paid balance makes its deal `paid`.",
    )
    def post(self, request: Request) -> Response:
        raw = request.body
        payment_services.bank_notification_verify(
            raw_body=raw,
            timestamp=request.headers.get(payment_services.TIMESTAMP_HEADER, ""),
            signature=request.headers.get(payment_services.SIGNATURE_HEADER, ""),
            now=time.time(),
        )
        data = BankNotificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        transfer, created = payment_services.payment_receive(
            bank_transaction_id=v["transaction_id"],
            reference=v["reference"],
            amount=v["amount"],
            payer_name=v["payer_name"],
            payer_account=v["payer_account"],
            occurred_at=v["occurred_at"],
            raw=request.data,
        )
        outcome = "duplicate" if not created else ("credited" if transfer.payable_id else "unallocated")
        return Response({"status": outcome, "transfer": transfer.pk, "payment": transfer.payable_id})


class PaymentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PayableOutput, tags=TAGS, description="The payer's members and operators.")
    def get(self, request: Request, pk: int) -> Response:
        payable = selectors.payable_get_visible(user=request.user, payable_id=pk)
        if payable is None:
            raise Http404
        return Response(PayableOutput(payable).data)


class PaymentConfirmView(APIView):
    permission_classes = [IsFinanceOperator]

    @extend_schema(
        request=ConfirmInput,
        responses=PayableOutput,
        tags=TAGS,
        description="A finance operator records an offline transfer with a note (on record): for a "
        "deposit or balance, money received (as the bank's notification would credit it); for a refund "
        "or payout, money paid out in full. 409 `payable_not_pending`, `bank_transaction_recorded`.",
    )
    @idempotent("payment_confirm:{pk}")
    def post(self, request: Request, pk: int) -> Response:
        payable = Payable.objects.filter(pk=pk).first()
        if payable is None:
            raise Http404
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment_services.payable_confirm(payable=payable, actor=request.user, **data.validated_data)
        payable.refresh_from_db()
        return Response(PayableOutput(payable).data)


# Deals ------------------------------------------------------------------------------------------


class DealsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR_PARAMETER],
        operation_id="v1_deals_list",
        responses=cursor_page_schema(DealOutput, "DealPage"),
        tags=TAGS,
        description="The deals the caller's organizations bought, sold or brokered (operators: all), by id.",
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPage()
        page = paginator.paginate_queryset(selectors.deals_visible_to(request.user), request, view=self)
        return paginator.get_paginated_response(DealOutput(page, many=True).data)


class DealDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DealOutput, tags=TAGS, description="The parties and operators; others 404.")
    def get(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        return Response(DealOutput(deal).data)


class DealConfirmationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=DealConfirmationOutput,
        tags=TAGS,
        description="The deal's 成交确认书: its fixed terms, their digest and both sides' signatures. "
        "Whoever may read the deal (its buyer, seller and broker, operators); others 404.",
    )
    def get(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        confirmation = selectors.deal_confirmation(deal)
        if confirmation is None:
            raise Http404
        return Response(DealConfirmationOutput(confirmation).data)


class DealConfirmationSignView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=DealConfirmationOutput,
        tags=TAGS,
        description="An admin or member of the buyer or the seller signs for its side. 403 `not_a_party`; "
        "409 `already_signed` (its side has signed), 409 `deal_defaulted`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        return Response(
            DealConfirmationOutput(
                confirmation_services.deal_confirmation_sign(deal=deal, actor=request.user)
            ).data
        )


class DealContractRegistrationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ContractRegistrationInput,
        responses=DealOutput,
        tags=TAGS,
        description="A member of the holder enters the 技术合同认定登记号 of a paid deal whose 成交确认书 "
        "both parties signed; the deal is then settled and the number published with its result. "
        "400 `invalid_contract_registration_no` (the format is on the field); 409 "
        "`invalid_status_transition` when the deal is not `paid`; 409 `confirmation_unsigned`.",
    )
    @idempotent("deal_contract_registration:{pk}")
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        data = ContractRegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        deal = settlement_services.deal_register_contract(
            deal=deal, actor=request.user, **data.validated_data
        )
        return Response(DealOutput(selectors.deal_get_visible(user=request.user, deal_id=deal.pk)).data)


class DealContractRegistrationCorrectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ContractRegistrationCorrectionInput,
        responses=DealOutput,
        tags=TAGS,
        description="An operator corrects the 技术合同认定登记号 of a deal that has one, with a reason kept "
        "on record; the published result follows. 403 `operator_only`; 400 `reason_required`, "
        "`invalid_contract_registration_no`; 409 `contract_not_registered`, "
        "`contract_registration_unchanged`.",
    )
    @idempotent("deal_contract_registration_correction:{pk}")
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        data = ContractRegistrationCorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        deal = settlement_services.deal_contract_registration_correct(
            deal=deal, actor=request.user, **data.validated_data
        )
        return Response(DealOutput(selectors.deal_get_visible(user=request.user, deal_id=deal.pk)).data)


class DealSettleView(APIView):
    permission_classes = [IsFinanceOperator]

    @extend_schema(
        request=ReasonInput,
        responses=SettlementPartsOutput,
        tags=TAGS,
        description="A finance operator releases a paid deal for settlement without its contract "
        "registration. 409 `deal_not_paid`; 409 `confirmation_unsigned` until both parties signed "
        "the 成交确认书.",
    )
    @idempotent("deal_settle:{pk}")
    def post(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        settlement = settlement_services.deal_release_for_settlement(
            deal=deal, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(SettlementPartsOutput(settlement).data)


class DealSettlementView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=SettlementOutput,
        tags=TAGS,
        description="The parties and operators: the deal's journals and their entries (debits positive, "
        "credits negative), and the split once settled.",
    )
    def get(self, request: Request, pk: int) -> Response:
        deal = selectors.deal_get_visible(user=request.user, deal_id=pk)
        if deal is None:
            raise Http404
        settlement = getattr(deal, "settlement", None)
        return Response(
            {
                "deal": deal.pk,
                "status": deal.status,
                "settlement": SettlementPartsOutput(settlement).data if settlement is not None else None,
                "journals": JournalOutput(selectors.deal_journals(deal=deal), many=True).data,
            }
        )


# Results ----------------------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` through DRF's content negotiation; the view streams the file itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return b"" if data is None else str(data).encode()


CSV_COLUMNS = [
    ("编号", lambda r: r.pk),
    ("成交编号", lambda r: r.deal_id),
    ("成果名称", lambda r: r.listing_title),
    ("成果编号", lambda r: r.achievement_id),
    ("技术领域", lambda r: r.get_field_display()),
    ("交易方式", lambda r: r.get_mode_display()),
    ("转化方式", lambda r: r.get_rights_display()),
    ("成交价（元）", lambda r: f"{r.price:.2f}"),
    ("转让方", lambda r: r.seller),
    ("受让方", lambda r: r.buyer),
    ("成交时间", lambda r: timezone.localtime(r.concluded_at).strftime("%Y-%m-%d %H:%M:%S")),
    ("出价次数", lambda r: r.bid_count),
    ("技术合同认定登记号", lambda r: r.contract_registration_no),
    ("更新时间", lambda r: r.updated_at.isoformat()),
]


def _csv_columns(base_url: str) -> list[tuple[str, Any]]:
    """The CSV's columns: the results' fields, then the address of each result's public page."""
    return [*CSV_COLUMNS, ("公示页面", lambda r: f"{base_url}{r.pk}/")]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(results: Any, *, base_url: str) -> Iterator[str]:
    columns = _csv_columns(base_url)
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([name for name, _get in columns])
    for result in results.iterator(chunk_size=2000):
        yield writer.writerow([get(result) for _name, get in columns])


class ResultsView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="v1_results_list",
        parameters=[ResultQuery, CURSOR_PARAMETER],
        responses={
            200: cursor_page_schema(ResultOutput, "ResultPage"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="`format=csv`"),
        },
        tags=TAGS,
        description="Published transaction results (a deal is published when its price is paid). Anyone, "
        "including read-only API tokens. Cursor pages in sync order: by the id of the transaction that "
        "last wrote each result, then `id`, and only results whose transaction is older than the oldest "
        "one still running (the watermark, read by the first page and carried by `next`), so a result "
        "appears once everything before it in that order is final. `updated_at` is the writing "
        "transaction's stamp (shared by everything it wrote). Sync: follow `next` to the end, store "
        "the `updated_at` of the last result you saw and pass it as `updated_since` next time "
        "(exclusive: it resumes right after that result's transaction), which never misses or repeats "
        "one however deals commit; any other moment returns every result written by a transaction "
        "stamped at or after it. `seller` and `buyer` are organization names; `url` is the result's "
        "public page (the CSV's last column, 公示页面, too).",
    )
    def get(self, request: Request) -> Response | StreamingHttpResponse:
        query = ResultQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.results_list(**query.to_filters())
        if query.validated_data.get("format") == "csv":
            response = StreamingHttpResponse(
                _csv_rows(
                    results.order_by("sync_xid", "id"),
                    base_url=request.build_absolute_uri(reverse("marketplace:results")),
                ),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = (
                "attachment; filename=\"results.csv\"; filename*=UTF-8''%E6%88%90%E4%BA%A4%E7%BB%93%E6%9E%9C.csv"
            )
            return response
        paginator = SyncCursorPage()
        page: list[dict[str, Any]] | None = paginator.paginate_queryset(
            results.values(*RESULT_COLUMNS, "sync_xid"), request, view=self
        )
        # The page's URL as a prefix (``/results/{id}/``): the hot list builds it without reverse().
        base_url = request.build_absolute_uri(reverse("marketplace:results"))
        return paginator.get_paginated_response(result_rows(page or [], base_url=base_url))


# Settlement policy -----------------------------------------------------------------------------


class SettlementPolicyInput(serializers.Serializer):
    inventors_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1")
    )
    broker_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1")
    )


class SettlementPolicyOutput(serializers.Serializer):
    organization = serializers.IntegerField()
    inventors_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    broker_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    is_default = serializers.BooleanField()


class SettlementPolicyView(APIView):
    permission_classes = [IsAuthenticated]

    def _body(self, org_id: int) -> dict[str, Any]:
        from ..models import SettlementPolicy

        policy = SettlementPolicy.objects.filter(organization_id=org_id).first()
        if policy is not None:
            return {
                "organization": org_id,
                "inventors_share": policy.inventors_share,
                "broker_share": policy.broker_share,
                "is_default": False,
            }
        inventors, broker = selectors.settlement_policy_of(org_id)
        return {
            "organization": org_id,
            "inventors_share": inventors,
            "broker_share": broker,
            "is_default": True,
        }

    @extend_schema(
        responses=SettlementPolicyOutput,
        tags=TAGS,
        description="A holder's split of its net proceeds (fractions): the inventors' reward share and the "
        "broker's share when a broker took part (at least `BROKER_SHARE_MIN`, 5%); the rest is the holder's. "
        "Members of the organization and operators.",
    )
    def get(self, request: Request, pk: int) -> Response:
        if not selectors.organization_readable_by(request.user, pk):
            raise Http404
        return Response(SettlementPolicyOutput(self._body(pk)).data)

    @extend_schema(
        request=SettlementPolicyInput,
        responses=SettlementPolicyOutput,
        tags=TAGS,
        description="The organization's admin sets it. 422 `broker_share_too_low`; 400 `invalid_shares` "
        "when the shares add up to more than 1. Deals settled before keep the split they were settled with.",
    )
    def put(self, request: Request, pk: int) -> Response:
        organization = Organization.objects.filter(pk=pk).first()
        if organization is None:
            raise Http404
        data = SettlementPolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        settlement_services.settlement_policy_set(
            organization=organization, actor=request.user, **data.validated_data
        )
        return Response(SettlementPolicyOutput(self._body(pk)).data)
