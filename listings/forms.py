"""Page forms for achievements and listings. They only parse what was typed; every rule (and
every refusal) is the listing services' (``listings.services``), shown next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.decisions import REVIEW
from core.web import MoneyFormField
from listings.models import Achievement, AchievementAttachment, Field, IntellectualProperty, Listing, Rights

# The browser's date picker takes and gives ISO dates whatever the page's language (the zh-hans
# input format would be 2023/05/10, which an <input type=date> shows as empty).
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]


def money_field(label: Any, help_text: Any = "") -> forms.DecimalField:
    return MoneyFormField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "150000.00"}),
    )


class AchievementForm(forms.Form):
    title = forms.CharField(label=_("成果名称"), max_length=200)
    summary = forms.CharField(label=_("成果简介"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    field = forms.ChoiceField(label=_("技术领域"), choices=Field.choices)
    kind = forms.ChoiceField(label=_("成果类型"), choices=Achievement.Kind.choices)
    maturity = forms.TypedChoiceField(
        label=_("技术成熟度 (TRL)"),
        coerce=int,
        choices=[(i, f"TRL {i}") for i in range(1, 10)],
        help_text=_("1 为原理提出，9 为已批量生产。"),
    )
    valuation = money_field(_("市场估值（元）"))
    fiscally_funded = forms.BooleanField(label=_("财政资金支持"), required=False)
    funding_project_no = forms.CharField(label=_("资助项目编号"), max_length=100, required=False)
    funding_project_ended_on = forms.DateField(label=_("资助项目结题日期"), required=False, widget=DATE_INPUT)
    is_service_invention = forms.BooleanField(label=_("职务科技成果"), required=False, initial=True)
    intended_conversion_method = forms.ChoiceField(
        label=_("拟转化方式"), choices=[("", "—"), *Rights.choices], required=False
    )


class InventorForm(forms.Form):
    name = forms.CharField(label=_("完成人姓名"), max_length=100)
    share = forms.DecimalField(
        label=_("份额（%）"),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class IpForm(forms.Form):
    # A blank first choice keeps an untouched extra row "unchanged", so it is left out.
    ip_type = forms.ChoiceField(label=_("类型"), choices=[("", "—"), *IntellectualProperty.IpType.choices])
    patent_no = forms.CharField(
        label=_("申请号/专利号"),
        max_length=40,
        required=False,
        help_text=_("如 202110123456.7，可带 ZL 或 CN 前缀。"),
    )
    granted_on = forms.DateField(label=_("授权日"), required=False, widget=DATE_INPUT)


InventorFormSet = forms.formset_factory(InventorForm, extra=2)
IpFormSet = forms.formset_factory(IpForm, extra=2)
# Editing: the rows start from what is stored; a row is dropped by ticking its 删除 box.
InventorEditFormSet = forms.formset_factory(InventorForm, extra=1, can_delete=True)
IpEditFormSet = forms.formset_factory(IpForm, extra=1, can_delete=True)


def _sent(formset: Any) -> list[Any]:
    """The forms whose rows go to the service, in order: filled extra rows and the stored rows the
    formset started from (kept even when untouched), less those ticked for deletion."""
    return [
        f
        for f in formset.forms
        if f.cleaned_data
        and (f.has_changed() or f.initial)
        and not (formset.can_delete and f.cleaned_data.get("DELETE"))
    ]


def formset_rows(formset: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in _sent(formset)]


def formset_apply_errors(formset: Any, errors: Any) -> bool:
    """Put a service's per-row errors (``[{field: [msg]}, ...]`` in row order) on the filled rows.
    Returns whether the errors could be placed; a plain message goes above the rows."""
    rows = _sent(formset)
    if not isinstance(errors, list):
        return False
    for form, row_errors in zip(rows, errors, strict=False):
        if isinstance(row_errors, dict):
            for name, messages in row_errors.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    form.add_error(name if name in form.fields else None, str(message))
        elif row_errors:
            form.add_error(None, str(row_errors))
    return True


class ListingForm(forms.Form):
    """The trade terms; only the chosen mode's are sent to the service."""

    achievement = forms.ModelChoiceField(label=_("科技成果"), queryset=Achievement.objects.none())
    mode = forms.ChoiceField(label=_("交易方式"), choices=Listing.Mode.choices, widget=forms.RadioSelect)
    rights = forms.ChoiceField(label=_("转化方式"), choices=Rights.choices)
    # negotiated
    asking_price = money_field(_("意向价格（元）"), _("可不填，由双方协商。"))
    notice_days = forms.IntegerField(
        label=_("公示天数"), required=False, help_text=_("财政资金支持的成果至少公示 15 天。")
    )
    # fixed price
    price = money_field(_("挂牌价格（元）"))
    listing_ends_at = forms.DateTimeField(
        label=_("挂牌截止时间"), required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    # auction
    start_price = money_field(_("起拍价（元）"))
    increment = money_field(_("加价幅度（元）"))
    reserve_price = money_field(_("保留价（元）"), _("可不填；成交前不向竞买人公开。"))
    deposit = money_field(_("保证金（元）"))
    starts_at = forms.DateTimeField(
        label=_("开拍时间"), required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    extension_seconds = forms.IntegerField(
        label=_("延时周期（秒）"),
        required=False,
        help_text=_("最后这段时间内有人出价，结束时间顺延；默认 300 秒。"),
    )

    TERMS: dict[str, tuple[str, ...]] = {
        Listing.Mode.NEGOTIATED: ("asking_price", "notice_days"),
        Listing.Mode.FIXED_PRICE: ("price", "listing_ends_at"),
        Listing.Mode.AUCTION: (
            "start_price",
            "increment",
            "reserve_price",
            "deposit",
            "starts_at",
            "ends_at",
            "extension_seconds",
        ),
    }

    def __init__(self, *args: Any, achievements: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if achievements is not None:
            self.fields["achievement"].queryset = achievements  # type: ignore[attr-defined]

    def terms(self) -> dict[str, Any]:
        """The chosen mode's terms as typed (None when left empty: the service applies defaults)."""
        names = self.TERMS.get(self.cleaned_data["mode"], ())
        return {
            name: self.cleaned_data.get(name) for name in names if self.cleaned_data.get(name) is not None
        }

    def groups(self) -> list[tuple[str, Any, list[Any]]]:
        """The term fields by mode, for one fieldset per mode in the template."""
        return [
            (mode, label, [self[name] for name in self.TERMS[mode]]) for mode, label in Listing.Mode.choices
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("结论"), choices=REVIEW.form_choices(yes=_("同意"), no=_("驳回")), widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("驳回时必须填写。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("如：人工智能 茶叶")}),
    )
    mode = forms.ChoiceField(
        label=_("交易方式"), choices=[("", _("全部")), *Listing.Mode.choices], required=False
    )
    field = forms.ChoiceField(label=_("技术领域"), choices=[("", _("全部")), *Field.choices], required=False)
    rights = forms.ChoiceField(
        label=_("转化方式"), choices=[("", _("全部")), *Rights.choices], required=False
    )
    ordering = forms.ChoiceField(
        label=_("排序"),
        choices=[
            ("", _("默认")),
            ("newest", _("最新挂牌")),
            ("ending", _("即将截止")),
            ("relevance", _("相关度")),
        ],
        required=False,
    )


class AttachmentForm(forms.Form):
    """One attachment: the file is checked by the service (``core.files``), not by the form."""

    role = forms.ChoiceField(label=_("类别"), choices=AchievementAttachment.Role.choices)
    caption = forms.CharField(label=_("说明"), required=False, max_length=100)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("图片 PNG/JPEG/WebP 不超过 5 MB；PDF 不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}),
    )
