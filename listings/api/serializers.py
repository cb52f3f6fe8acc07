from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import params, seams
from core.decisions import REVIEW
from core.fields import ChoiceLabelField
from core.serializers import ModelSerializer, StrictSerializer

from ..models import (
    Achievement,
    ConversionStatus,
    Field,
    IntellectualProperty,
    InternalApproval,
    Listing,
    ListingStatusChange,
    Rights,
)
from ..selectors import ORDERINGS, listing_auction_id


def money_field(**kwargs: Any) -> serializers.DecimalField:
    return params.MoneyField(**kwargs)


# Achievements ---------------------------------------------------------------------------------


class AchievementInventorInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=_("份额（%），合计不超过 100"))


class AchievementIpInput(serializers.Serializer):
    patent_no = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "专利申请号，如 202110123456.7；校验位会被验证，可带 ZL 或 CN 前缀。软著、品种权填登记号，技术秘密可空。"
        ),
    )
    ip_type = serializers.ChoiceField(choices=IntellectualProperty.IpType.choices)
    granted_on = params.DateField(required=False, allow_null=True, default=None)


class AchievementInput(StrictSerializer):
    organization = serializers.IntegerField(
        required=False, help_text=_("持有单位 id；缺省为调用者所属的第一个机构。")
    )
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=5000)
    field = serializers.ChoiceField(choices=Field.choices, help_text=_("技术领域（产业分类代码）"))
    kind = serializers.ChoiceField(choices=Achievement.Kind.choices)
    maturity = serializers.IntegerField(min_value=1, max_value=9, help_text=_("技术成熟度 TRL 1–9"))
    valuation = money_field(required=False, allow_null=True, default=None)
    fiscally_funded = serializers.BooleanField()
    funding_project_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    funding_project_ended_on = params.DateField(required=False, allow_null=True, default=None)
    is_service_invention = serializers.BooleanField()
    intended_conversion_method = serializers.ChoiceField(
        choices=Rights.choices, required=False, allow_blank=True, default=""
    )
    inventors = serializers.ListField(child=AchievementInventorInput(), max_length=50)
    ip = serializers.ListField(child=AchievementIpInput(), max_length=50)


class AchievementUpdateInput(StrictSerializer):
    """Every field optional; ``inventors`` and ``ip``, when given, replace the lists."""

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=5000, required=False)
    field = serializers.ChoiceField(choices=Field.choices, required=False)
    kind = serializers.ChoiceField(choices=Achievement.Kind.choices, required=False)
    maturity = serializers.IntegerField(min_value=1, max_value=9, required=False)
    valuation = money_field(required=False, allow_null=True)
    fiscally_funded = serializers.BooleanField(required=False)
    funding_project_no = serializers.CharField(max_length=100, required=False, allow_blank=True)
    funding_project_ended_on = params.DateField(required=False, allow_null=True)
    is_service_invention = serializers.BooleanField(required=False)
    intended_conversion_method = serializers.ChoiceField(
        choices=Rights.choices, required=False, allow_blank=True
    )
    application_status = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    conversion_benefit = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    inventors = serializers.ListField(child=AchievementInventorInput(), max_length=50, required=False)
    ip = serializers.ListField(child=AchievementIpInput(), max_length=50, required=False)


class AchievementHolderRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AchievementIpOutput(ModelSerializer):
    status = serializers.ChoiceField(source="legal_status", choices=IntellectualProperty.Status.choices)

    class Meta:
        model = IntellectualProperty
        fields = ("patent_no", "ip_type", "granted_on", "status")


class AchievementPublicInventorOutput(serializers.Serializer):
    name = serializers.CharField()


class AchievementInventorOutput(serializers.Serializer):
    name = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2)


class UseFirstDutyOutput(serializers.Serializer):
    """Where the achievement stands today with the conversion duty (限时转化 / 先用后转), as
    the conversion app decides it for the daily job and the pages (the ``achievement_conversion_duty``
    seam: listings does not import the app above it)."""

    obliged = serializers.BooleanField(
        help_text=_("是否负有限时转化义务：高校、科研院所、医疗卫生机构、国有企业的应用类成果")
    )
    conversion_deadline = serializers.DateField(allow_null=True, help_text=_("限时转化截止日"))
    free_license_date = serializers.DateField(
        allow_null=True, help_text=_("可无偿实施之日：最早授权日 + 3 年的次日（无授权日时为 null）")
    )
    converted = serializers.BooleanField(help_text=_("已转化（成交或自行实施获认可）"))
    justified_until = serializers.DateField(
        allow_null=True, help_text=_("已获认可的正当理由有效至（期间暂停计时），无则为 null")
    )
    overdue = serializers.BooleanField(help_text=_("今日应在（或已在）先用后转清单上"))
    free_license_due = serializers.BooleanField(help_text=_("今日已可无偿实施"))


class ValuationBandOutput(serializers.Serializer):
    low = serializers.DecimalField(max_digits=14, decimal_places=2)
    median = serializers.DecimalField(max_digits=14, decimal_places=2)
    high = serializers.DecimalField(max_digits=14, decimal_places=2)
    rights = serializers.ChoiceField(choices=Rights.choices, help_text=_("区间对应的转化方式"))
    comparables = serializers.IntegerField(help_text=_("列示的可比成交数"))


class PeerReviewAggregateOutput(serializers.Serializer):
    count = serializers.IntegerField()
    trl_median = serializers.FloatField()
    value_low = serializers.DecimalField(max_digits=14, decimal_places=2)
    value_high = serializers.DecimalField(max_digits=14, decimal_places=2)


class UseReportPublicOutput(serializers.Serializer):
    year_no = serializers.IntegerField()
    application_status = serializers.CharField()
    benefit = serializers.CharField()
    filed_at = serializers.DateTimeField(allow_null=True)


class CompletenessHintOutput(serializers.Serializer):
    item = serializers.CharField()
    label = serializers.CharField()
    hint = serializers.CharField()
    points = serializers.IntegerField()


class AchievementOutput(ModelSerializer):
    """The public record of an achievement (成果公开)."""

    holder = AchievementHolderRef()
    field_label = ChoiceLabelField(source="field", choices=Field.choices)
    inventors = AchievementPublicInventorOutput(many=True)
    ip = AchievementIpOutput(many=True)
    conversion_status = serializers.ChoiceField(choices=ConversionStatus.choices)
    conversion_deadline = serializers.DateField(
        allow_null=True, help_text=_("限时转化截止日：最早授权日 + 2 年（无授权日时为 null）")
    )
    free_license_date = serializers.DateField(
        allow_null=True, help_text=_("可无偿实施之日：最早授权日 + 3 年的次日（无授权日时为 null）")
    )
    use_first_duty = serializers.SerializerMethodField()
    # The holder's own estimate, written as ``valuation`` on input (API 1.0's output name; 1.1 gives
    # ``valuation`` to the market's band, API.md "Discovery").
    holder_valuation = serializers.DecimalField(
        source="valuation",
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        read_only=True,
        help_text=_("持有单位自报的市场估值（输入字段名仍为 valuation）"),
    )
    valuation = serializers.SerializerMethodField(
        help_text=_(
            "估值区间：可比成交（及 3 份以上同行评议）得出的 {low, median, high, rights, comparables}，不足时为 null"
        )
    )
    peer_review = serializers.SerializerMethodField(help_text=_("同行评议汇总（满 3 份后公开）"))
    completeness = serializers.SerializerMethodField(help_text=_("完整度 0-100"))
    conversion_modes = serializers.SerializerMethodField(help_text=_("正在提供的转化方式"))
    use_reports = serializers.SerializerMethodField(help_text=_("已转化成果：受让方的年度使用报告"))

    class Meta:
        model = Achievement
        fields = (
            "id",
            "holder",
            "title",
            "summary",
            "field",
            "field_label",
            "kind",
            "maturity",
            "holder_valuation",
            "valuation",
            "peer_review",
            "completeness",
            "conversion_modes",
            "use_reports",
            "fiscally_funded",
            "is_service_invention",
            "inventors",
            "ip",
            "first_granted_on",
            "conversion_status",
            "conversion_method",
            "conversion_deadline",
            "free_license_date",
            "use_first_duty",
            "converted_at",
            "intended_conversion_method",
            "application_status",
            "conversion_benefit",
            "created_at",
            "updated_at",
        )

    def _discovery(self, obj: Achievement) -> dict[str, Any]:
        """Disclosure from the discovery app, through the ``achievement_discovery`` seam (listings
        does not import the app above it); computed once per achievement."""
        cached = getattr(obj, "_discovery_cache", None)
        if cached is None:
            cached = seams.call("achievement_discovery", achievement=obj) or {}
            obj._discovery_cache = cached  # type: ignore[attr-defined]
        return cached

    @extend_schema_field(ValuationBandOutput(allow_null=True))
    def get_valuation(self, obj: Achievement) -> dict[str, Any] | None:
        band = self._discovery(obj).get("valuation")
        return None if band is None else dict(ValuationBandOutput(band).data)

    @extend_schema_field(PeerReviewAggregateOutput(allow_null=True))
    def get_peer_review(self, obj: Achievement) -> dict[str, Any] | None:
        review = self._discovery(obj).get("peer_review")
        return None if review is None else dict(PeerReviewAggregateOutput(review).data)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_completeness(self, obj: Achievement) -> int | None:
        return self._discovery(obj).get("completeness")

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Rights.choices)))
    def get_conversion_modes(self, obj: Achievement) -> list[str]:
        return list(self._discovery(obj).get("conversion_modes") or [])

    @extend_schema_field(UseReportPublicOutput(many=True, allow_null=True))
    def get_use_reports(self, obj: Achievement) -> list[dict[str, Any]] | None:
        reports = self._discovery(obj).get("use_reports")
        return None if reports is None else list(UseReportPublicOutput(reports, many=True).data)

    @extend_schema_field(UseFirstDutyOutput)
    def get_use_first_duty(self, obj: Achievement) -> dict[str, Any] | None:
        duty = seams.call("achievement_conversion_duty", achievement=obj)
        return None if duty is None else dict(UseFirstDutyOutput(duty).data)


class AchievementHolderOutput(AchievementOutput):
    """What the holder's members and operators see: the public record plus the funding project
    and the inventors' shares."""

    inventors = AchievementInventorOutput(many=True)  # type: ignore[assignment]

    completeness_missing = serializers.SerializerMethodField(help_text=_("完整度缺项：补充后可提高的分数"))

    class Meta(AchievementOutput.Meta):
        fields = (
            *AchievementOutput.Meta.fields,
            "funding_project_no",
            "funding_project_ended_on",
            "completeness_missing",
        )

    @extend_schema_field(CompletenessHintOutput(many=True))
    def get_completeness_missing(self, obj: Achievement) -> list[dict[str, Any]]:
        return list(
            CompletenessHintOutput(self._discovery(obj).get("completeness_missing") or [], many=True).data
        )


# Listings -------------------------------------------------------------------------------------


class ListingTermsInput(StrictSerializer):
    asking_price = money_field(required=False, allow_null=True, help_text=_("协议定价：意向价格（可选）"))
    notice_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("协议定价：公示天数；财政资金支持的成果至少 15 天，缺省 15"),
    )
    price = money_field(required=False, allow_null=True, help_text=_("挂牌交易：挂牌价格"))
    listing_ends_at = params.DateTimeField(required=False, allow_null=True, help_text=_("挂牌交易：截止时间"))
    start_price = money_field(required=False, allow_null=True, help_text=_("拍卖：起拍价"))
    increment = money_field(required=False, allow_null=True, help_text=_("拍卖：加价幅度"))
    reserve_price = money_field(
        required=False, allow_null=True, help_text=_("拍卖：保留价（可选，闭拍前只对持有单位与平台可见）")
    )
    deposit = money_field(required=False, allow_null=True, help_text=_("拍卖：保证金"))
    starts_at = params.DateTimeField(required=False, allow_null=True, help_text=_("拍卖：开拍时间"))
    ends_at = params.DateTimeField(required=False, allow_null=True, help_text=_("拍卖：结束时间"))
    extension_seconds = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("拍卖：延时周期（秒，60–1800，缺省 300）")
    )


class ListingInput(ListingTermsInput):
    achievement = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Listing.Mode.choices)
    rights = serializers.ChoiceField(choices=Rights.choices)


class ListingUpdateInput(ListingTermsInput):
    """Draft or rejected listings only. Given terms replace the stored ones; a new ``mode`` starts
    from empty terms."""

    mode = serializers.ChoiceField(choices=Listing.Mode.choices, required=False)
    rights = serializers.ChoiceField(choices=Rights.choices, required=False)


class ListingReviewInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=REVIEW.api_choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ListingInternalDecisionInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=REVIEW.api_choices)
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text=_("驳回时必填")
    )


class ListingTakeDownInput(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class ListingWithdrawInput(StrictSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


PUBLIC_LISTING_FIELDS = (
    "id",
    "achievement",
    "title",
    "summary",
    "field",
    "field_label",
    "holder",
    "mode",
    "rights",
    "status",
    "asking_price",
    "notice_days",
    "price",
    "listing_ends_at",
    "start_price",
    "increment",
    "deposit",
    "starts_at",
    "ends_at",
    "extension_seconds",
    "closes_at",
    "auction",
    "published_at",
    "updated_at",
)


class ListingOutput(ModelSerializer):
    """A listing as the public and bidders see it. Never the reserve price."""

    title = serializers.CharField(source="achievement.title")
    summary = serializers.CharField(source="achievement.summary")
    field = serializers.ChoiceField(source="achievement.field", choices=Field.choices)
    field_label = ChoiceLabelField(source="achievement.field", choices=Field.choices)
    holder = AchievementHolderRef(source="achievement.holder")
    auction = serializers.SerializerMethodField(help_text=_("已发布的拍卖挂牌的拍卖 id，否则为 null"))
    # Generated in the database: the end of the listing period or of the auction, null otherwise.
    closes_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Listing
        fields = PUBLIC_LISTING_FIELDS

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_auction(self, obj: Listing) -> int | None:
        return listing_auction_id(obj)


class ListingFullOutput(ListingOutput):
    """A listing as the holder's members and operators see it: the reserve price included."""

    class Meta(ListingOutput.Meta):
        fields = (
            *PUBLIC_LISTING_FIELDS,
            "reserve_price",
            "created_at",
            "submitted_at",
            "engaged_at",
        )


class ListingStatusChangeOutput(ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = ListingStatusChange
        fields = ("from_status", "to_status", "actor", "reason", "created_at")


class InternalApprovalOutput(ModelSerializer):
    approver = serializers.CharField(source="approver.username")
    terms_snapshot = serializers.JSONField(help_text=_("审批人所见：成果与交易条款的快照"))

    class Meta:
        model = InternalApproval
        fields = ("approver", "decision", "comment", "terms_snapshot", "created_at")


class ListingHistoryOutput(serializers.Serializer):
    status_changes = ListingStatusChangeOutput(many=True)
    internal_approvals = InternalApprovalOutput(many=True)


class CatalogueQuery(StrictSerializer):
    mode = serializers.ChoiceField(choices=Listing.Mode.choices, required=False)
    field = serializers.ChoiceField(choices=Field.choices, required=False)
    rights = serializers.ChoiceField(choices=Rights.choices, required=False)
    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    updated_since = params.DateTimeField(
        required=False,
        help_text="Exclusive; switches to the sync order (see the description). The `updated_at` of "
        "the last listing you stored: resume right after its transaction, never missing or repeating "
        "a change. Another moment: every listing written by a transaction stamped at or after it.",
    )
    ordering = serializers.ChoiceField(choices=[(o, o) for o in ORDERINGS], required=False)
    cursor = serializers.CharField(max_length=500, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False)
