"""Demo organizations and people. Found again by username / credit code, so loading twice adds nothing."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from .models import Membership, Organization, OrganizationStatusChange, User

PASSWORD = "demo-pass-2026"

ORGANIZATIONS = [
    # key, name, kind, credit code, region, requires internal approval
    ("zju", "浙江大学", Organization.Kind.UNIVERSITY, "12330000470003281H", "浙江省杭州市西湖区", True),
    ("zjut", "浙江工业大学", Organization.Kind.UNIVERSITY, "12330000470008016J", "浙江省杭州市拱墅区", False),
    (
        "zaas",
        "浙江省农业科学院",
        Organization.Kind.INSTITUTE,
        "12330000470001032M",
        "浙江省杭州市上城区",
        False,
    ),
    (
        "hikon",
        "杭州海康智能科技有限公司",
        Organization.Kind.ENTERPRISE,
        "91330106MA2AXK3P1Y",
        "浙江省杭州市滨江区",
        False,
    ),
    (
        "tea",
        "浙江茶研科技有限公司",
        Organization.Kind.ENTERPRISE,
        "91330100MA27W5D631",
        "浙江省杭州市余杭区",
        False,
    ),
    (
        "medi",
        "宁波医械创新有限公司",
        Organization.Kind.ENTERPRISE,
        "91330212MA2CL8QY4H",
        "浙江省宁波市鄞州区",
        False,
    ),
]

PEOPLE = [
    # username, organization key, role, name
    ("zju_admin", "zju", Membership.Role.ADMIN, "陈老师"),
    ("zju_approver", "zju", Membership.Role.APPROVER, "王处长"),
    ("zju_broker", "zju", Membership.Role.BROKER, "李经理"),
    ("zjut_admin", "zjut", Membership.Role.ADMIN, "周老师"),
    ("zaas_admin", "zaas", Membership.Role.ADMIN, "吴研究员"),
    ("hikon_buyer", "hikon", Membership.Role.ADMIN, "赵总"),
    ("tea_buyer", "tea", Membership.Role.ADMIN, "钱经理"),
    ("medi_buyer", "medi", Membership.Role.ADMIN, "孙总"),
]


def _password(context: dict) -> str:
    """The demo password hashed once for every demo user of this load: the hasher's cost (PBKDF2,
    about half a second a hash on this machine) slows the guessing of a secret password, and this
    one is printed on the start page. A second of a fresh start for each user otherwise."""
    if "password_hash" not in context:
        context["password_hash"] = make_password(PASSWORD)
    return context["password_hash"]


def _user(context: dict, username: str, **extra: object) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@demo.zjtm.cn", **extra}
    )
    if created:
        user.password = _password(context)
        user.save(update_fields=["password"])
    return user


def load(context: dict) -> None:
    operator = _user(context, "operator", is_staff=True, first_name="平台运营")
    for group_name in ("平台审核", "平台财务"):
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            operator.groups.add(group)
    context["operator"] = operator
    admin = _user(context, "admin", is_staff=True, is_superuser=True)
    context["admin"] = admin

    orgs: dict[str, Organization] = {}
    for key, name, kind, code, region, internal in ORGANIZATIONS:
        founder = next(p[0] for p in PEOPLE if p[1] == key)
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            org = Organization.objects.create(
                name=name,
                kind=kind,
                credit_code=code,
                region=region,
                requires_internal_approval=internal,
                status=Organization.Status.VERIFIED,
                created_by=_user(context, founder),
            )
            OrganizationStatusChange.objects.create(
                organization=org,
                from_status=Organization.Status.PENDING,
                to_status=Organization.Status.VERIFIED,
                actor=operator,
                reason="演示数据：资料齐全，予以认证。",
            )
        orgs[key] = org
    for username, key, role, first_name in PEOPLE:
        user = _user(context, username, first_name=first_name)
        Membership.objects.get_or_create(user=user, organization=orgs[key], defaults={"role": role})
    context["orgs"] = orgs
    context["users"] = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PEOPLE])}
    # A company still waiting for verification, for the operator's queue.
    if not Organization.objects.filter(credit_code="91330000MA27U00G1A").exists():
        pending_user = _user(context, "newco_admin", first_name="新公司")
        org = Organization.objects.create(
            name="温州新材料科技有限公司",
            kind=Organization.Kind.ENTERPRISE,
            credit_code="91330000MA27U00G1A",
            region="浙江省温州市",
            created_by=pending_user,
        )
        Membership.objects.create(user=pending_user, organization=org, role=Membership.Role.ADMIN)
        OrganizationStatusChange.objects.create(
            organization=org, from_status="", to_status=Organization.Status.PENDING, actor=pending_user
        )
