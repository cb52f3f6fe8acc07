"""Forms of the conversion duty's pages: the holder's filings on an achievement's page, the
operators' decisions, use-first applications and agreements, and the ranking's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.web import MoneyFormField
from listings.forms import DATE_INPUT
from marketplace.forms import MONEY_INPUT

DATE = DATE_INPUT


class JustificationForm(forms.Form):
    reason = forms.CharField(
        label=_("未转化的正当理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    valid_until = forms.DateField(label=_("申请暂停转化义务至"), widget=DATE_INPUT)


class SelfImplementationForm(forms.Form):
    description = forms.CharField(
        label=_("自行实施情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    started_on = forms.DateField(label=_("实施开始日期"), widget=DATE_INPUT)


class RegistrationRecordForm(forms.Form):
    registration_no = forms.CharField(label=_("成果登记号"), max_length=64)
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE_INPUT)


class VolunteerForm(forms.Form):
    reason = forms.CharField(
        label=_("自愿列入先用后转清单的说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UseFirstDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("结论"), choices=[("accept", _("认可")), ("reject", _("不认可"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("审核意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("认可与不认可均须填写，存档备查。"),
    )


class ApplyForm(forms.Form):
    plan = forms.CharField(
        label=_("实施计划"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ApplicationAcceptForm(forms.Form):
    trial_ends_on = forms.DateField(label=_("试用结束日期"), required=False, widget=DATE)
    decision_on = forms.DateField(
        label=_("决定日期"), required=False, widget=DATE, help_text=_("不填即为试用结束日。")
    )
    conversion_price = MoneyFormField(label=_("转化价格（元）"), required=False, widget=MONEY_INPUT)
    price_formula = forms.CharField(label=_("或：定价公式"), required=False, max_length=2000)


class UseFirstReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConvertForm(forms.Form):
    price = MoneyFormField(
        label=_("转化价格（元）"),
        required=False,
        widget=MONEY_INPUT,
        help_text=_("约定按公式定价时填写按公式算得的金额。"),
    )


class DeclineReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("uphold", _("拒绝理由成立")), ("overturn", _("准予无偿实施"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RankingForm(forms.Form):
    period = forms.ChoiceField(
        label=_("统计周期"),
        choices=[("year", _("年度")), ("quarter", _("季度")), ("month", _("月度"))],
        required=False,
    )
    order = forms.ChoiceField(
        label=_("排序"),
        choices=[
            ("amount", _("成交金额")),
            ("conversions", _("转化项数")),
            ("listings", _("挂牌数")),
            ("auctions", _("拍卖数")),
        ],
        required=False,
    )
    day = forms.DateField(label=_("日期"), required=False, widget=DATE)
