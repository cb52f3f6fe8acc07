from django import forms
from django.utils.translation import gettext_lazy as _

from core.decisions import REVIEW

from .models import Membership, Organization


class SignupForm(forms.Form):
    username = forms.RegexField(label=_("用户名"), regex=r"^[\w.@+-]+$", max_length=150)
    email = forms.EmailField(label=_("电子邮箱"))
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput, help_text=_("至少 8 位，不能全为数字。")
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput, help_text=_("至少 8 位，不能全为数字。")
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=200)
    kind = forms.ChoiceField(label=_("机构类型"), choices=Organization.Kind.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    region = forms.CharField(label=_("所在地区"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        help_text=_("选填，如 0571-88881234 或 138 0013 8000。"),
    )
    requires_internal_approval = forms.BooleanField(
        label=_("挂牌须经本单位内部审批（安心屋）"), required=False
    )


class MemberForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("请对方先在本平台注册，再告诉您用户名。")
    )
    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class OrganizationReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=REVIEW.form_choices(yes=_("通过认证"), no=_("驳回")),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("驳回时必须填写理由，申请人会看到。"),
    )
