"""Page forms of the marketplace: they parse what was typed; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.decisions import OBJECTION
from core.web import MoneyFormField
from listings.forms import DATE_INPUT as DATE
from listings.models import Field, Listing

from .validators import FORMAT_HELP


class ResultFilterForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("交易方式"), choices=[("", _("全部")), *Listing.Mode.choices], required=False
    )
    field = forms.ChoiceField(label=_("技术领域"), choices=[("", _("全部")), *Field.choices], required=False)
    concluded_after = forms.DateField(label=_("成交日期从"), required=False, widget=DATE)
    concluded_before = forms.DateField(label=_("至"), required=False, widget=DATE)


class PaymentConfirmForm(forms.Form):
    bank_transaction_id = forms.CharField(label=_("银行流水号"), max_length=100)
    amount = MoneyFormField(
        label=_("到账金额（元）"),
        required=False,
        help_text=_("不填即为全部未付金额。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("确认说明"), max_length=500)


MONEY_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "500000.00"})


class OfferForm(forms.Form):
    amount = MoneyFormField(label=_("报价（元）"), widget=MONEY_INPUT)
    message = forms.CharField(
        label=_("留言"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结论"),
        choices=OBJECTION.form_choices(yes=_("异议成立"), no=_("异议不成立")),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("处理意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(forms.Form):
    contract_registration_no = forms.CharField(
        label=_("技术合同认定登记号"), required=False, max_length=64, help_text=FORMAT_HELP
    )


class ContractCorrectionForm(forms.Form):
    contract_registration_no = forms.CharField(
        label=_("更正后的登记号"), required=False, max_length=64, help_text=FORMAT_HELP
    )
    reason = forms.CharField(
        label=_("更正理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# Brokers (技术经理人) -----------------------------------------------------------------------------


class BrokerProfileForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("所属机构"), coerce=int, choices=[])
    name = forms.CharField(label=_("姓名"), max_length=50)
    certificate_no = forms.CharField(label=_("技术经理人证书编号"), max_length=64)
    # Not ``fields``: that is the form's own dict of fields.
    field_codes = forms.MultipleChoiceField(
        label=_("服务领域"), choices=Field.choices, widget=forms.CheckboxSelectMultiple
    )
    bio = forms.CharField(
        label=_("简介"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organizations=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]  # type: ignore[attr-defined]


class MandateForm(forms.Form):
    certificate_no = forms.CharField(
        label=_("技术经理人证书编号"), max_length=64, help_text=_("在技术经理人榜单或其主页上可以查到。")
    )
    commission_percent = forms.DecimalField(
        label=_("佣金比例（%）"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=_("占持有单位所得（扣除平台服务费后）的比例，不低于平台规定的最低比例。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    ends_on = forms.DateField(label=_("委托截止日"), widget=DATE)


class MandateRevokeForm(forms.Form):
    mandate = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("撤销理由"), max_length=2000)


class DealBrokerForm(forms.Form):
    broker = forms.TypedChoiceField(label=_("促成本次成交的技术经理人"), coerce=int, choices=[])

    def __init__(self, *args, mandates=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["broker"].choices = [  # type: ignore[attr-defined]
            (m.broker_id, f"{m.broker.name}（{m.broker.organization.name}，证书 {m.broker.certificate_no}）")
            for m in mandates
        ]


class PaymentReceiptForm(forms.Form):
    """已付款: the bank receipt; the file is checked by the service (``core.files``)."""

    file = forms.FileField(
        label=_("银行回单"),
        help_text=_("网银电子回单（PDF）或纸质回单照片（PNG/JPEG/WebP），不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


# Data rooms (资料室) ----------------------------------------------------------------------------


class DataRoomFileForm(forms.Form):
    file = forms.FileField(
        label=_("选择文件"), help_text=_("PDF、Word、Excel、PowerPoint 或图片，不超过 50 MB。")
    )


class DataRoomSettingsForm(forms.Form):
    nda_text = forms.CharField(
        label=_("保密协议"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    requires_approval = forms.BooleanField(label=_("查阅须经本单位同意"), required=False)


class NdaAcceptForm(forms.Form):
    nda_version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(label=_("我已阅读并代表本单位接受上述保密协议"))
