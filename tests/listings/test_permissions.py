"""Every listings endpoint against every role: the allowed succeed, the rest get 401/403/404 and
change nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import Membership, Organization
from listings.models import Achievement, InternalApproval, Listing, ListingStatusChange
from tests.conftest import client_for, notification_links_that_lead_nowhere
from tests.factories import AchievementFactory, OrganizationFactory, listing_terms, make_listing, member_of

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "unverified", "company", "holder", "approver", "operator")


@pytest.fixture
def people(university, company, operator):
    pending = OrganizationFactory(status=Organization.Status.PENDING, kind="university")
    return {
        "anonymous": None,
        "unverified": member_of(pending, Membership.Role.ADMIN),
        "company": member_of(company, Membership.Role.ADMIN),
        "holder": member_of(university, Membership.Role.MEMBER),
        "approver": member_of(university, Membership.Role.APPROVER),
        "operator": operator,
    }


def _json_terms(mode):
    return {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in listing_terms(mode).items()}


def _achievement_body(university):
    return {
        "organization": university.pk,
        "title": "一种用于柑橘黄龙病早期诊断的荧光检测试剂盒",
        "summary": "基于环介导等温扩增技术，现场 40 分钟内完成检测。",
        "field": "agriculture",
        "kind": "applied",
        "maturity": 5,
        "fiscally_funded": False,
        "is_service_invention": True,
        "inventors": [{"name": "王五", "share": "100"}],
        "ip": [],
    }


# Each case: (method, path template, body, listing status to prepare or None, expected per role).
# Expected is the status code; a 2xx means the role is allowed.
CASES = {
    "achievement_create": (
        "post",
        "/api/v1/achievements/",
        "achievement",
        None,
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 201,
            "approver": 403,
            "operator": 403,
        },
    ),
    "achievement_detail": (
        "get",
        "/api/v1/achievements/{achievement}/",
        None,
        None,
        dict.fromkeys(ROLES, 200),
    ),
    "achievement_update": (
        "patch",
        "/api/v1/achievements/{achievement}/",
        {"title": "改过的标题"},
        None,
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 200,
            "approver": 403,
            "operator": 403,
        },
    ),
    "listing_create": (
        "post",
        "/api/v1/listings/",
        "listing",
        None,
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 201,
            "approver": 403,
            "operator": 403,
        },
    ),
    "catalogue": ("get", "/api/v1/listings/", None, "published", dict.fromkeys(ROLES, 200)),
    "detail_of_draft": (
        "get",
        "/api/v1/listings/{listing}/",
        None,
        "draft",
        {
            "anonymous": 404,
            "unverified": 404,
            "company": 404,
            "holder": 200,
            "approver": 200,
            "operator": 200,
        },
    ),
    "detail_of_published": (
        "get",
        "/api/v1/listings/{listing}/",
        None,
        "published",
        dict.fromkeys(ROLES, 200),
    ),
    "listing_update": (
        "patch",
        "/api/v1/listings/{listing}/",
        {"asking_price": "880000.00"},
        "draft",
        {
            "anonymous": 401,
            "unverified": 404,
            "company": 404,
            "holder": 200,
            "approver": 403,
            "operator": 403,
        },
    ),
    "submit": (
        "post",
        "/api/v1/listings/{listing}/submit/",
        {},
        "draft",
        {
            "anonymous": 401,
            "unverified": 404,
            "company": 404,
            "holder": 200,
            "approver": 403,
            "operator": 403,
        },
    ),
    "internal_approval": (
        "post",
        "/api/v1/listings/{listing}/internal-approval/",
        {"decision": "approve", "comment": "同意"},
        "pending_internal_approval",
        {
            "anonymous": 401,
            "unverified": 404,
            "company": 404,
            "holder": 403,
            "approver": 200,
            "operator": 403,
        },
    ),
    "review": (
        "post",
        "/api/v1/listings/{listing}/review/",
        {"decision": "approve", "reason": ""},
        "pending_review",
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 403,
            "approver": 403,
            "operator": 200,
        },
    ),
    "take_down": (
        "post",
        "/api/v1/listings/{listing}/take-down/",
        {"reason": "权属争议"},
        "published",
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 403,
            "approver": 403,
            "operator": 200,
        },
    ),
    "withdraw": (
        "post",
        "/api/v1/listings/{listing}/withdraw/",
        {},
        "published",
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 200,
            "approver": 403,
            "operator": 403,
        },
    ),
    "history": (
        "get",
        "/api/v1/listings/{listing}/history/",
        None,
        "draft",
        {
            "anonymous": 401,
            "unverified": 404,
            "company": 404,
            "holder": 200,
            "approver": 200,
            "operator": 200,
        },
    ),
    "history_of_published": (
        "get",
        "/api/v1/listings/{listing}/history/",
        None,
        "published",
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 200,
            "approver": 200,
            "operator": 200,
        },
    ),
    "review_queue": (
        "get",
        "/api/v1/listings/review-queue/",
        None,
        "pending_review",
        {
            "anonymous": 401,
            "unverified": 403,
            "company": 403,
            "holder": 403,
            "approver": 403,
            "operator": 200,
        },
    ),
    "internal_queue": (
        "get",
        "/api/v1/listings/internal-queue/",
        None,
        "pending_internal_approval",
        {
            "anonymous": 401,
            "unverified": 200,
            "company": 200,
            "holder": 200,
            "approver": 200,
            "operator": 200,
        },
    ),
    "mine": (
        "get",
        "/api/v1/listings/mine/",
        None,
        "draft",
        {
            "anonymous": 401,
            "unverified": 200,
            "company": 200,
            "holder": 200,
            "approver": 200,
            "operator": 200,
        },
    ),
}


def snapshot():
    return (
        list(Listing.objects.order_by("id").values_list("id", "status", "asking_price", "engaged_at")),
        list(Achievement.objects.order_by("id").values_list("id", "title")),
        ListingStatusChange.objects.count(),
        InternalApproval.objects.count(),
    )


@pytest.mark.parametrize("case", list(CASES))
def test_permission_table(case, people, university):
    """Every role meets the same state: each role's request runs in a savepoint rolled back after
    it (the people, the achievement and the listing are made once a case, not once a role)."""
    method, template, body, state, expected = CASES[case]
    if state == "pending_internal_approval":
        university.requires_internal_approval = True
        university.save()
    achievement = AchievementFactory(holder=university)
    listing = make_listing(achievement=achievement, status=state) if state else None
    if body == "achievement":
        body = _achievement_body(university)
    elif body == "listing":
        body = {
            "achievement": achievement.pk,
            "mode": "fixed_price",
            "rights": "transfer",
            **_json_terms("fixed_price"),
        }
    url = template.format(achievement=achievement.pk, listing=listing.pk if listing else 0)
    failures = []
    for role in ROLES:
        try:
            with transaction.atomic():
                _check_role(case, role, people[role], method, url, body, expected[role], listing)
                transaction.set_rollback(True)
        except AssertionError as failure:
            failures.append(f"{role}: {failure}")
    assert not failures, failures


def _check_role(case, role, user, method, url, body, want, listing):
    client = APIClient() if user is None else client_for(user)
    before = snapshot()
    response = (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )
    assert response.status_code == want, (case, role, response.content)
    if want >= 400:
        assert set(response.json()) >= {"code", "detail"}
        assert snapshot() == before
    if case == "internal_queue" and want == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([listing.pk] if role == "approver" else [])
    if case == "mine" and want == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([listing.pk] if role in ("holder", "approver") else [])
    assert not notification_links_that_lead_nowhere()
