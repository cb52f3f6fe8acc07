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
