from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. What they may do comes from memberships and, for operators, permissions."""

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class Organization(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("高校")
        INSTITUTE = "institute", _("科研院所")
        HOSPITAL = "hospital", _("医疗卫生机构")
        STATE_ENTERPRISE = "state_enterprise", _("国有企业")
        ENTERPRISE = "enterprise", _("企业")
        AGENCY = "agency", _("服务机构")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")  # registered, waiting for an operator
        VERIFIED = "verified", _("已认证")  # may list and bid
        REJECTED = "rejected", _("未通过")  # refused with a reason; may be corrected and re-reviewed
        SUSPENDED = "suspended", _("已暂停")  # verified once, now barred by an operator

    # Holders bound by the conversion duties (DESIGN.md, "Conversion").
    OBLIGED_KINDS = (Kind.UNIVERSITY, Kind.INSTITUTE, Kind.HOSPITAL, Kind.STATE_ENTERPRISE)

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    # The contact phone as typed; ``phone_digits`` is what compares (risk alerts: two bidders, or a
    # bidder and the holder, sharing a phone): its digits, a mainland mobile's +86/0086 dropped.
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    phone_digits = models.GeneratedField(
        expression=Func(
            Func(F("phone"), Value("[^0-9]"), Value(""), Value("g"), function="regexp_replace"),
            Value(r"^(00)?86(1[0-9]{10})$"),
            Value(r"\2"),
            function="regexp_replace",
        ),
        output_field=models.CharField(max_length=30),
        db_persist=True,
    )
    status = models.CharField(_("认证状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requires_internal_approval = models.BooleanField(
        _("需要内部审批（安心屋）"),
        default=False,
        help_text=_("开启后，挂牌须先经本单位审批人同意再提交平台审核。"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        permissions = [
            ("moderate", _("平台运营：审核机构与挂牌")),
            ("finance", _("平台运营：确认付款与结算")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="organization_credit_code_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def is_obliged(self) -> bool:
        return self.kind in self.OBLIGED_KINDS


class OrganizationStatusChange(models.Model):
    """Every move of an organization's status: the operator's review with its reason, on record."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Organization.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Organization.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("机构审核记录")
        verbose_name_plural = _("机构审核记录")


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("管理员")  # manages members; acts for the organization
        MEMBER = "member", _("成员")  # acts for the organization
        APPROVER = "approver", _("内部审批人")  # decides internal approvals (安心屋)
        BROKER = "broker", _("技术经纪人")  # takes part in deals as intermediary

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class Invitation(models.Model):
    """An admin's invitation of a person into the organization. Membership starts only when the
    person accepts: nobody can be made a member, and so a party to a trade, without consent."""

    class Status(models.TextChoices):
        INVITED = "invited", _("待接受")  # waiting for the person's answer
        ACCEPTED = "accepted", _("已接受")  # the person joined: a Membership exists
        DECLINED = "declined", _("已谢绝")  # the person said no

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("角色"), max_length=16, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("成员邀请")
        verbose_name_plural = _("成员邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(status="invited"),
                name="invitation_one_open_per_person",
            )
        ]


class InvitationStatusChange(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Invitation.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Invitation.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")


class OrganizationRelation(models.Model):
    """A declared relation between two organizations (affiliate, shareholder...): related parties
    may not bid on each other's auctions. Stored once per pair with ``low_id < high_id``."""

    low = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("关联关系"), max_length=100)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("关联方")
        verbose_name_plural = _("关联方")
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="organization_relation_unique"),
            models.CheckConstraint(
                condition=Q(low__lt=models.F("high")), name="organization_relation_ordered"
            ),
        ]


class ApiToken(models.Model):
    """A key for programs. Only its SHA-256 is stored; the key is shown once, at creation.
    A read-only token may only make safe (GET/HEAD/OPTIONS) requests. It works until it expires
    or is revoked (by its owner, an operator, or the owner's password change)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (``api_token_resolve``), so a busy bidding tool costs no write
    # per request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key`` (API.md, Conventions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=200)  # the endpoint, with its object id
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique")]


class Notification(models.Model):
    """A message to one user, shown in the site's inbox (and mailed when the user has an address)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)  # stable, e.g. "use_first_listed", "deal_defaulted"
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]


class Expert(models.Model):
    """A person who reviews achievements for the market (评议专家, GLOSSARY ``expert``): the fields
    they declare, where they work and the organizations they declare a conflict with. Whether they
    may review one achievement is decided at each invitation (``conflict_of_interest``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert")
    # Technology field codes (listings' ``Field``; accounts cannot import it, the API checks the codes).
    fields = ArrayField(models.CharField(max_length=32), verbose_name=_("评议领域"), default=list)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="experts"
    )
    organization_name = models.CharField(_("工作单位"), max_length=200, blank=True)
    title = models.CharField(_("职称"), max_length=100, blank=True)
    # Organizations the expert declares a conflict with (a former employer, a company they advise).
    conflicts = models.ManyToManyField(
        Organization, related_name="+", blank=True, verbose_name=_("利益关联单位")
    )
    conflicts_note = models.TextField(_("利益关联说明"), blank=True)
    active = models.BooleanField(_("可受邀"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评议专家")
        verbose_name_plural = _("评议专家")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification (``accounts.notification_kinds``): e-mail on
    or off. In-app messages always arrive; without a row, e-mail is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    email = models.BooleanField(_("邮件通知"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]
