"""Every discovery endpoint against every role: the allowed succeed, the rest get 401/403/404
and change nothing; what must stay private (private questions, individual peer reviews, the
name of a company that hid it) never reaches a role that may not see it."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Organization
from accounts.services import expert_declare
from discovery.models import Demand, DemandResponse, PeerReview, Question
from discovery.services import question_ask, response_create, review_invite, review_submit
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, member_of

from .conftest import post_demand

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "unverified", "company", "other_company", "holder", "expert", "operator")
SECRETS = ("隐秘询价内容", "单份评议意见", "杭州测试科技有限公司")


@pytest.fixture
def world(university, company, operator, tea, buyer, indexed):
    demand = post_demand(buyer, public_name=False)
    from discovery.services import demand_review

    demand_review(demand=demand, actor=operator, decision="approve")
    holder = member_of(university, Membership.Role.MEMBER)
    response = response_create(demand=demand, actor=holder, achievement=tea.achievement, listing=tea)
    question = question_ask(listing=tea, actor=buyer, body="隐秘询价内容", private=True, kind="price")
    expert = UserFactory()
    expert_declare(user=expert, fields=["agriculture"])
    review = review_invite(achievement=tea.achievement, actor=operator, expert=expert)
    from decimal import Decimal

    review_submit(
        review=review,
        actor=expert,
        trl=6,
        novelty=3,
        value_low=Decimal("1.00"),
        value_high=Decimal("2.00"),
        comment="单份评议意见",
    )
    indexed()
    pending = OrganizationFactory(status=Organization.Status.PENDING, kind="enterprise")
    people = {
        "anonymous": None,
        "unverified": member_of(pending, Membership.Role.ADMIN),
        "company": buyer,
        "other_company": member_of(OrganizationFactory(name="宁波另一家公司"), Membership.Role.ADMIN),
        "holder": holder,
        "expert": expert,
        "operator": operator,
    }
    return {
        "demand": demand,
        "response": response,
        "question": question,
        "review": review,
        "tea": tea,
        "people": people,
    }


def _client(user):
    from rest_framework.test import APIClient

    return APIClient() if user is None else client_for(user)


# (method, path, body, expected status per role)
def _cases(w):
    d, t, a = w["demand"].pk, w["tea"].pk, w["tea"].achievement_id
    return {
        "demand_list": ("get", "/api/v1/demands/", None, dict.fromkeys(ROLES, 200)),
        "demand_matches": (
            "get",
            f"/api/v1/demands/{d}/matches/",
            None,
            {
                "anonymous": 401,
                "unverified": 403,
                "company": 200,
                "other_company": 403,
                "holder": 403,
                "expert": 403,
                "operator": 200,
            },
        ),
        "matching_demands": (
            "get",
            f"/api/v1/achievements/{a}/matching-demands/",
            None,
            {
                "anonymous": 401,
                "unverified": 403,
                "company": 403,
                "other_company": 403,
                "holder": 200,
                "expert": 403,
                "operator": 200,
            },
        ),
        "demand_review": (
            "post",
            f"/api/v1/demands/{d}/review/",
            {"decision": "approve"},
            {
                "anonymous": 401,
                "unverified": 403,
                "company": 403,
                "other_company": 403,
                "holder": 403,
                "expert": 403,
                "operator": 409,
            },
        ),
        "questions": ("get", f"/api/v1/listings/{t}/questions/", None, dict.fromkeys(ROLES, 200)),
        "ask": (
            "post",
            f"/api/v1/listings/{t}/questions/",
            {"body": "公开问题"},
            {
                "anonymous": 401,
                "unverified": 403,
                "company": 201,
                "other_company": 201,
                "holder": 403,
                "expert": 403,
                "operator": 403,
            },
        ),
        "answer": (
            "post",
            f"/api/v1/questions/{w['question'].pk}/answer/",
            {"body": "答复"},
            {
                "anonymous": 401,
                "unverified": 404,
                "company": 403,
                "other_company": 404,
                "holder": 200,
                "expert": 404,
                "operator": 403,
            },
        ),
        "invite": (
            "post",
            f"/api/v1/achievements/{a}/review-invitations/",
            {"expert": w["people"]["expert"].pk},
            {
                "anonymous": 401,
                "unverified": 403,
                "company": 403,
                "other_company": 403,
                "holder": 403,
                "expert": 403,
                "operator": 409,
            },
        ),
        "reviews_of": (
            "get",
            f"/api/v1/achievements/{a}/peer-reviews/",
            None,
            dict.fromkeys(ROLES, 200) | {"anonymous": 401},
        ),
        "feedback": (
            "post",
            f"/api/v1/demand-responses/{w['response'].pk}/feedback/",
            {"decision": "not_interested", "reason": "price"},
            {
                "anonymous": 401,
                "unverified": 404,
                "company": 200,
                "other_company": 404,
                "holder": 403,
                "expert": 404,
                "operator": 403,
            },
        ),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_it_may_and_nothing_leaks(world, role):
    user = world["people"][role]
    client = _client(user)
    for name, (method, path, body, expected) in _cases(world).items():
        before = (
            Demand.objects.count(),
            DemandResponse.objects.filter(status="sent").count(),
            Question.objects.count(),
            PeerReview.objects.count(),
        )
        response = (
            getattr(client, method)(path, body, format="json")
            if body is not None
            else getattr(client, method)(path)
        )
        assert response.status_code == expected[role], (name, role, response.content[:300])
        if response.status_code >= 400:
            after = (
                Demand.objects.count(),
                DemandResponse.objects.filter(status="sent").count(),
                Question.objects.count(),
                PeerReview.objects.count(),
            )
            assert before == after, (name, role)
            assert set(response.json()) <= {"code", "detail", "fields"}
    may_see = {
        "隐秘询价内容": role in ("company", "holder", "operator"),
        "单份评议意见": role in ("holder", "expert", "operator"),
        "杭州测试科技有限公司": role in ("company", "operator"),
    }
    demand_reads = [
        f"/api/v1/demands/{world['demand'].pk}/",
        "/api/v1/demands/",
        f"/demands/{world['demand'].pk}/",
        "/demands/",
    ]
    reads = [
        f"/api/v1/listings/{world['tea'].pk}/questions/",
        f"/api/v1/achievements/{world['tea'].achievement_id}/",
        f"/listings/{world['tea'].pk}/inquiry/",
    ]
    if user is not None:
        demand_reads.append(f"/api/v1/achievements/{world['tea'].achievement_id}/matching-demands/")
        reads += [
            f"/api/v1/achievements/{world['tea'].achievement_id}/peer-reviews/",
            "/api/v1/peer-reviews/",
        ]
    seen = {
        "杭州测试科技有限公司": " ".join(client.get(path).content.decode() for path in demand_reads),
    }
    everything = " ".join(client.get(path).content.decode() for path in reads + demand_reads)
    for secret, allowed in may_see.items():
        if not allowed:
            assert secret not in seen.get(secret, everything), (role, secret)
