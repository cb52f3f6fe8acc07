"""Forms of discovery's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.web import MoneyFormField
from listings.forms import DATE_INPUT
from listings.models import Field, Listing, Rights

from .models import FeedbackReason, Subscription, UseReport

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DemandForm(forms.Form):
    title = forms.CharField(label=_("需求名称"), max_length=200)
    description = forms.CharField(
        label=_("需要解决的问题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    field = forms.ChoiceField(label=_("技术领域"), choices=Field.choices)
    rights = forms.ChoiceField(label=_("期望转化方式"), choices=Rights.choices)
    budget_min = MoneyFormField(label=_("预算下限（元）"), required=False)
    budget_max = MoneyFormField(label=_("预算上限（元）"), required=False)
    deadline = forms.DateField(label=_("截止日期"), widget=DATE_INPUT)
    public_name = forms.BooleanField(
        label=_("公开企业名称"),
        required=False,
        initial=True,
        help_text=_("不公开时，其他用户看到“匿名企业”；平台运营人员仍可见。"),
    )


class DemandFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    field = forms.ChoiceField(
        label=_("技术领域"), required=False, choices=[("", _("全部"))] + list(Field.choices)
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("结论"), choices=[("approve", _("通过")), ("reject", _("驳回"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("驳回时必填，企业可见。"),
    )


class ResponseForm(forms.Form):
    achievement = forms.TypedChoiceField(label=_("响应成果"), coerce=int)
    message = forms.CharField(label=_("留言"), required=False, max_length=5000, widget=TEXTAREA)

    def __init__(self, *args, achievements=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["achievement"].choices = [  # type: ignore[attr-defined]
            (a.pk, a.title) for a in achievements
        ]


class FeedbackForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("意向"),
        choices=[("interested", _("有意向")), ("not_interested", _("无意向"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(label=_("原因"), choices=FeedbackReason.choices)
    comment = forms.CharField(
        label=_("说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = MoneyFormField(label=_("报价（协议定价挂牌，可选）"), required=False)


class QuestionForm(forms.Form):
    body = forms.CharField(label=_("问题或询价"), max_length=2000, widget=TEXTAREA)
    kind = forms.ChoiceField(label=_("类型"), choices=[("question", _("提问")), ("price", _("询价"))])
    private = forms.BooleanField(label=_("仅持有单位可见"), required=False)


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("回答"), max_length=5000, widget=TEXTAREA)


class InviteForm(forms.Form):
    achievement = forms.IntegerField(label=_("成果编号"), min_value=1)
    expert = forms.CharField(label=_("专家用户名"), max_length=150)


class PeerReviewForm(forms.Form):
    trl = forms.IntegerField(label=_("技术成熟度 TRL（1-9）"), min_value=1, max_value=9)
    novelty = forms.IntegerField(label=_("新颖性（1-5）"), min_value=1, max_value=5)
    value_low = MoneyFormField(label=_("估值下限（元）"))
    value_high = MoneyFormField(label=_("估值上限（元）"))
    comment = forms.CharField(label=_("评议意见"), required=False, max_length=5000, widget=TEXTAREA)


class SubscriptionForm(forms.Form):
    target = forms.ChoiceField(label=_("订阅对象"), choices=Subscription.Target.choices)
    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    field = forms.ChoiceField(
        label=_("技术领域"), required=False, choices=[("", _("全部"))] + list(Field.choices)
    )
    mode = forms.ChoiceField(
        label=_("交易方式"),
        required=False,
        choices=[("", _("全部"))] + list(Listing.Mode.choices),
        help_text=_("仅用于成果挂牌；订阅技术需求时请选“全部”。"),
    )
    rights = forms.ChoiceField(
        label=_("转化方式"), required=False, choices=[("", _("全部"))] + list(Rights.choices)
    )
    email = forms.BooleanField(label=_("同时发送邮件"), required=False, initial=True)


class UseReportForm(forms.Form):
    application_status = forms.ChoiceField(label=_("应用状况"), choices=UseReport.Application.choices)
    benefit = forms.CharField(label=_("转化效益"), required=False, max_length=5000, widget=TEXTAREA)
    revenue = MoneyFormField(label=_("新增销售额（元，可选）"), required=False)
