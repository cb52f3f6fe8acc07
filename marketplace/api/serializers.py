from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import params
from core.serializers import ModelSerializer
from listings.models import Listing, Rights

from ..models import Deal, Journal, LedgerEntry, Payable, Result, Settlement
from ..selectors import signer_name


class BankAccountOutput(serializers.Serializer):
    bank = serializers.CharField()
    account_name = serializers.CharField()
    account_no = serializers.CharField()


class PayableOutput(ModelSerializer):
    """A payable ("payment" in API.md) with the escrow account to pay into."""

    bank_account = serializers.SerializerMethodField()

    class Meta:
        model = Payable
        fields = [
            "id",
            "kind",
            "amount",
            "amount_paid",
            "status",
            "deposit_status",
            "payment_reference",
            "bank_account",
            "due_at",
            "paid_at",
        ]

    @extend_schema_field(BankAccountOutput)
    def get_bank_account(self, obj: Payable) -> dict[str, str]:
        return dict(settings.MARKET["ESCROW_BANK_ACCOUNT"])


class BankNotificationInput(serializers.Serializer):
    """The bank's credit notification (the body the signature covers)."""

    transaction_id = serializers.CharField(
        max_length=100, help_text="The bank's unique transaction id (流水号)."
    )
    reference = serializers.CharField(
        max_length=100, allow_blank=True, help_text="The memo the payer wrote: our `payment_reference`."
    )
    amount = params.MoneyField(min_value=Decimal("0.01"), help_text='Credited amount, e.g. "20000.00".')
    payer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    payer_account = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    occurred_at = params.DateTimeField(required=False, allow_null=True, default=None)


class BankNotificationOutput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["credited", "duplicate", "unallocated"],
        help_text="`duplicate`: this transaction id was recorded before, nothing new was recorded; "
        "`unallocated`: the reference matched no open payable, the money is booked for operators to trace.",
    )
    transfer = serializers.IntegerField()
    payment = serializers.IntegerField(allow_null=True)


class ConfirmInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="Why and on what evidence (on record).")
    bank_transaction_id = serializers.CharField(
        max_length=100,
        help_text="The bank's transaction id of the transfer, so the bank's own notification of it credits nothing twice.",
    )
    amount = params.MoneyField(
        min_value=Decimal("0.01"), required=False, help_text="Default: the whole outstanding amount."
    )


class DealOutput(ModelSerializer):
    """The fields of API.md, and ``mandate``: the broker's mandate once the buyer named its broker."""

    payment_reference = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        fields = [
            "id",
            "listing",
            "mode",
            "price",
            "buyer",
            "seller",
            "status",
            "payment",
            "payment_reference",
            "amount_due",
            "payment_due_at",
            "contract_registration_no",
            "mandate",
        ]

    def get_payment_reference(self, obj: Deal) -> str | None:
        return obj.payment.payment_reference if obj.payment_id else None


CONTRACT_REGISTRATION_NO_HELP = (
    "技术合同认定登记编号 as printed on the cover of the Ministry of Science and Technology's model "
    "contract texts: 16 digits, `YYYY` the registration year (not before the deal's conclusion, not "
    "after this year), `RRRR` the region code of the 技术合同登记表 (GB/T 2260 province + city, its "
    "first two digits a province-level code: `3301` 杭州市), `NN` the registration office (`01`-`99`), "
    "`SSSSSS` its serial number (not `000000`). Spaces or hyphens between the parts are accepted; "
    "the 16 digits are stored. Example: `2026330101000123`. Otherwise 400 "
    "`invalid_contract_registration_no`."
)


class ContractRegistrationInput(serializers.Serializer):
    contract_registration_no = serializers.CharField(max_length=64, help_text=CONTRACT_REGISTRATION_NO_HELP)


class ContractRegistrationCorrectionInput(serializers.Serializer):
    contract_registration_no = serializers.CharField(max_length=64, help_text=CONTRACT_REGISTRATION_NO_HELP)
    reason = serializers.CharField(max_length=2000, help_text="Why the number is corrected; kept on record.")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class EntryOutput(ModelSerializer):
    account = serializers.CharField(source="account.kind")
    account_name = serializers.CharField(source="account.get_kind_display")
    organization = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["account", "account_name", "organization", "amount"]

    def get_organization(self, obj: LedgerEntry) -> str | None:
        return obj.account.organization.name if obj.account.organization_id else None


class JournalOutput(ModelSerializer):
    entries = EntryOutput(many=True)

    class Meta:
        model = Journal
        fields = ["id", "kind", "memo", "payable", "created_at", "entries"]


class SettlementPartsOutput(ModelSerializer):
    class Meta:
        model = Settlement
        fields = [
            "price",
            "platform_fee",
            "inventors_amount",
            "broker_amount",
            "holder_amount",
            "inventors_share",
            "broker_share",
            "fee_schedule",
            "created_at",
        ]


class SettlementOutput(serializers.Serializer):
    deal = serializers.IntegerField()
    status = serializers.CharField()
    settlement = SettlementPartsOutput(allow_null=True)
    journals = JournalOutput(many=True)


class ResultOutput(ModelSerializer):
    """Exactly the fields of API.md. ``seller`` and ``buyer`` are organization names."""

    deal = serializers.IntegerField(source="deal_id")
    achievement = serializers.IntegerField(source="achievement_id")
    url = serializers.SerializerMethodField(help_text="The result's public page (成交公示), absolute.")

    class Meta:
        model = Result
        fields = [
            "id",
            "deal",
            "listing_title",
            "achievement",
            "field",
            "mode",
            "rights",
            "price",
            "seller",
            "buyer",
            "concluded_at",
            "bid_count",
            "updated_at",
            "url",
        ]

    def get_url(self, obj: Result) -> str:
        return result_url(self.context.get("request"), obj.pk)


def result_url(request: Any, result_id: int) -> str:
    """The public page of a result, absolute when a request gives the host."""
    path = reverse("marketplace:result", args=[result_id])
    return request.build_absolute_uri(path) if request is not None else path


RESULT_COLUMNS = (
    "id",
    "deal_id",
    "listing_title",
    "achievement_id",
    "field",
    "mode",
    "rights",
    "price",
    "seller",
    "buyer",
    "concluded_at",
    "bid_count",
    "updated_at",
)


def result_rows(rows: Iterable[dict[str, Any]], *, base_url: str = "") -> list[dict[str, Any]]:
    """``ResultOutput``'s representation of each of ``rows`` (``.values(*RESULT_COLUMNS)``), built
    straight from the values: the public list is the hot path and a ModelSerializer costs more than
    the query (a test keeps the two equal). The time zone is looked up once for the page, not for
    every row (an ``asgiref`` local each time)."""
    tz = timezone.get_current_timezone()
    return [
        {
            "id": values["id"],
            "deal": values["deal_id"],
            "listing_title": values["listing_title"],
            "achievement": values["achievement_id"],
            "field": values["field"],
            "mode": values["mode"],
            "rights": values["rights"],
            "price": f"{values['price']:.2f}",
            "seller": values["seller"],
            "buyer": values["buyer"],
            "concluded_at": values["concluded_at"].astimezone(tz).isoformat(),
            "bid_count": values["bid_count"],
            "updated_at": values["updated_at"].astimezone(tz).isoformat(),
            "url": f"{base_url}{values['id']}/",
        }
        for values in rows
    ]


class ResultQuery(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Deal._meta.get_field("mode").choices, required=False)
    field = serializers.ChoiceField(choices=Result._meta.get_field("field").choices, required=False)
    concluded_after = params.DateTimeField(required=False, help_text="Inclusive.")
    concluded_before = params.DateTimeField(required=False, help_text="Exclusive.")
    updated_since = params.DateTimeField(
        required=False,
        help_text="Exclusive: pass the `updated_at` of the last result you stored at the end of a "
        "pass; the list resumes right after the transaction that wrote it (the results below the "
        "watermark are final, so syncing from there never misses or repeats one, even while deals "
        "are being concluded). Another moment: every result written by a transaction stamped at or "
        "after it.",
    )
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        required=False,
        help_text="`csv`: every matching result as one streamed UTF-8 file with a BOM and Chinese "
        "headers (opens directly in Excel/WPS); not paginated; adds the 技术合同认定登记号 column (validated numbers only) and, "
        "last, 公示页面: the address of each result's public page.",
    )

    def to_filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k != "format"}


class ConfirmationPartyOutput(serializers.Serializer):
    name = serializers.CharField()
    credit_code = serializers.CharField(help_text="统一社会信用代码")


class PreemptionInventorOutput(serializers.Serializer):
    name = serializers.CharField()
    waived = serializers.BooleanField()
    document = serializers.DictField(
        allow_null=True, help_text="The waiver's document as the server read it: {name, kind, size, sha256}."
    )
    holder = serializers.CharField(allow_null=True, help_text="The pre-emption holder's name")


class PreemptionStatementOutput(serializers.Serializer):
    handling = serializers.ChoiceField(
        choices=["not_applicable", "exercised", "waived", "not_exercised", "not_recorded"]
    )
    text = serializers.CharField()
    inventors = PreemptionInventorOutput(many=True)


class CheckpointOutput(serializers.Serializer):
    payload = serializers.DictField()
    signature = serializers.CharField()
    key_id = serializers.CharField()
    algorithm = serializers.CharField()


class DealConfirmationTermsOutput(serializers.Serializer):
    """The terms as concluded (money as strings with two places, times in Asia/Shanghai)."""

    number = serializers.CharField()
    deal = serializers.IntegerField()
    listing = serializers.IntegerField()
    achievement = serializers.CharField(help_text="The achievement's title")
    patents = serializers.ListField(child=serializers.CharField(), help_text="Patent (application) numbers")
    mode = serializers.ChoiceField(choices=Listing.Mode.choices)
    rights = serializers.ChoiceField(choices=Rights.choices)
    price = serializers.CharField()
    applied_deposit = serializers.CharField()
    amount_due = serializers.CharField()
    seller = ConfirmationPartyOutput()
    buyer = ConfirmationPartyOutput()
    broker = ConfirmationPartyOutput(allow_null=True)
    concluded_at = serializers.CharField()
    payment_due_at = serializers.CharField()
    payment_reference = serializers.CharField(allow_null=True)
    bid_count = serializers.IntegerField()
    bidder_count = serializers.IntegerField()
    preemption = PreemptionStatementOutput(
        required=False,
        help_text="How the inventors' pre-emption was handled (absent on confirmations before 1.1).",
    )
    record_checkpoint = CheckpointOutput(
        required=False,
        allow_null=True,
        help_text="Auctions: the market's signed checkpoint of the bid record at the conclusion; verify "
        "it with the key at /api/v1/keys/ (tools/verify_record.py). Null for other modes.",
    )


class DealConfirmationOutput(serializers.Serializer):
    """成交确认书. ``terms`` are fixed at the conclusion; ``digest`` is the SHA-256 of ``terms`` as
    canonical JSON (keys sorted, no spaces, UTF-8), which is what each side's signature stands
    for. A side's ``*_signed_by`` is the signer's name as the other party sees it (never a login
    name); null until that side signs."""

    number = serializers.CharField()
    deal = serializers.IntegerField(source="deal_id")
    terms = DealConfirmationTermsOutput()
    digest = serializers.CharField()
    issued_at = serializers.DateTimeField()
    buyer_signed_by = serializers.SerializerMethodField()
    buyer_signed_at = serializers.DateTimeField(allow_null=True)
    seller_signed_by = serializers.SerializerMethodField()
    seller_signed_at = serializers.DateTimeField(allow_null=True)
    signed_by_both = serializers.BooleanField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_buyer_signed_by(self, obj: Any) -> str | None:
        return signer_name(obj.buyer_signed_by, obj.deal.buyer) if obj.buyer_signed_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_seller_signed_by(self, obj: Any) -> str | None:
        return signer_name(obj.seller_signed_by, obj.deal.seller) if obj.seller_signed_by else None
