from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.decisions import REVIEW
from core.serializers import ModelSerializer

from ..models import Invitation, Membership, Organization, OrganizationStatusChange, User


class RegisterInput(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)
    email = serializers.EmailField()


class UserOutput(ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username", "email", "date_joined")


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)
    read_only = serializers.BooleanField(
        default=False, help_text=_("只读令牌：只能读取成交结果、目录和先用后转清单。")
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    read_only = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class ApiTokenCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        required=False, help_text=_("有效天数，1 到 365，默认 90。"), min_value=1, max_value=365
    )
    read_only = serializers.BooleanField(default=False)


class ApiTokenCreatedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    token = serializers.CharField(help_text=_("令牌本身，只在创建时显示一次。"))
    read_only = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class ApiTokenOutput(serializers.Serializer):
    """A token as its owner (or an operator) sees it: never the key."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    read_only = serializers.BooleanField()
    user = serializers.CharField(
        source="user.username", help_text=_("令牌所属用户（运营人员查看全部时有用）。")
    )
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()


class OrganizationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Organization.Kind.choices)
    credit_code = serializers.CharField(
        max_length=40, help_text=_("18 位统一社会信用代码，校验位按 GB 32100-2015 验证。")
    )
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("联系电话（选填）：7–15 位数字，可含空格、短横线、括号和开头的 +；比对时只看数字。"),
    )
    requires_internal_approval = serializers.BooleanField(required=False, default=False)


class StatusChangeOutput(ModelSerializer):
    actor = serializers.CharField(source="actor.username")

    class Meta:
        model = OrganizationStatusChange
        fields = ("from_status", "to_status", "reason", "actor", "created_at")


class OrganizationOutput(ModelSerializer):
    reviews = StatusChangeOutput(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = (
            "id",
            "name",
            "kind",
            "credit_code",
            "region",
            "phone",
            "status",
            "requires_internal_approval",
            "created_at",
            "updated_at",
            "reviews",
        )


class ReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=REVIEW.api_choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MemberInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)


class InvitationOutput(ModelSerializer):
    username = serializers.CharField(source="user.username")
    organization_name = serializers.CharField(source="organization.name")
    status = serializers.ChoiceField(
        choices=Invitation.Status.choices,
        help_text=_("invited：待接受；accepted：已加入；declined：已谢绝。"),
    )

    class Meta:
        model = Invitation
        fields = ("id", "organization", "organization_name", "username", "role", "status", "created_at")


class LeaveInput(serializers.Serializer):
    successor = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("最后一位管理员退出前，指定接任管理员的本机构成员的用户名。"),
    )


class MembershipOutput(ModelSerializer):
    username = serializers.CharField(source="user.username")
    organization_name = serializers.CharField(source="organization.name")
    organization_status = serializers.CharField(source="organization.status")

    class Meta:
        model = Membership
        fields = (
            "id",
            "user",
            "username",
            "organization",
            "organization_name",
            "organization_status",
            "role",
        )


class MeOutput(ModelSerializer):
    memberships = MembershipOutput(many=True, read_only=True)
    is_operator = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ("id", "username", "email", "is_operator", "memberships")

    def get_is_operator(self, obj: User) -> bool:
        from ..selectors import is_operator

        return is_operator(obj)


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, write_only=True)
    new_password = serializers.CharField(max_length=128, write_only=True)
