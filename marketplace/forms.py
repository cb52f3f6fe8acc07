"""Page forms of the marketplace: they parse what was typed; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from listings.models import Field, Listing

DATE = forms.DateInput(attrs={"type": "date"})


class ResultFilterForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("交易方式"), choices=[("", _("全部")), *Listing.Mode.choices], required=False
    )
    field = forms.ChoiceField(label=_("技术领域"), choices=[("", _("全部")), *Field.choices], required=False)
    concluded_after = forms.DateField(label=_("成交日期从"), required=False, widget=DATE)
    concluded_before = forms.DateField(label=_("至"), required=False, widget=DATE)


class PaymentConfirmForm(forms.Form):
    bank_transaction_id = forms.CharField(label=_("银行流水号"), max_length=100)
    amount = forms.DecimalField(
        label=_("到账金额（元）"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("不填即为全部未付金额。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("确认说明"), max_length=500)
