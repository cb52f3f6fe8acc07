"""Peer review (垂直同行在线评议): experts with declared fields and conflicts, the conflict of
interest the system finds, scores, and an aggregate public only from 3 reviews on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Expert, Membership
from accounts.services import expert_declare, organization_relation_declare
from core.errors import Conflict
from discovery.models import PeerReview
from discovery.services import review_invite, review_submit
from marketplace.services import deal_conclude
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, make_listing, member_of

pytestmark = pytest.mark.django_db


def _expert(**kwargs):
    user = kwargs.pop("user", None) or UserFactory()
    expert_declare(user=user, fields=["agriculture"], **kwargs)
    return user


def test_a_person_declares_themselves_an_expert(api):
    user = UserFactory()
    client = client_for(user)
    response = client.put(
        "/api/v1/experts/me/",
        {"fields": ["agriculture", "biomedicine"], "organization_name": "浙江省农科院", "title": "研究员"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Expert.objects.get(user=user).fields == ["agriculture", "biomedicine"]
    bad = client.put("/api/v1/experts/me/", {"fields": ["astrology"]}, format="json")
    assert bad.status_code == 400
    assert client.put("/api/v1/experts/me/", {"fields": []}, format="json").status_code == 400


def test_conflicts_of_interest_are_refused_with_the_reason(tea, university, operator, company):
    achievement = tea.achievement
    op = client_for(operator)
    # A member of the holder.
    insider = _expert(user=member_of(university, Membership.Role.MEMBER))
    # Working at an organization related to the holder.
    affiliate = OrganizationFactory(name="浙大控股", kind="enterprise")
    organization_relation_declare(actor=operator, organization=university, other=affiliate, kind="全资子公司")
    related = _expert(organization=affiliate)
    # Declared a conflict with the holder.
    declared = _expert(conflicts=[university])
    # Works at a company that bought from the holder last year.
    deal_conclude(listing=make_listing(), buyer=company, price=Decimal("1000.00"), mode="negotiated")
    from marketplace.models import Deal

    Deal.objects.update(seller=university, concluded_at=timezone.now() - timezone.timedelta(days=300))
    trader = _expert(organization=company)
    for expert in (insider, related, declared, trader):
        response = op.post(
            f"/api/v1/achievements/{achievement.pk}/review-invitations/", {"expert": expert.pk}, format="json"
        )
        assert response.status_code == 409, (expert, response.json())
        assert response.json()["code"] == "conflict_of_interest"
    # A deal more than 3 years ago no longer conflicts.
    Deal.objects.update(concluded_at=timezone.now() - timezone.timedelta(days=365 * 3 + 10))
    ok = op.post(
        f"/api/v1/achievements/{achievement.pk}/review-invitations/", {"expert": trader.pk}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    assert PeerReview.objects.filter(expert=trader).count() == 1
    not_expert = op.post(
        f"/api/v1/achievements/{achievement.pk}/review-invitations/",
        {"expert": UserFactory().pk},
        format="json",
    )
    assert not_expert.status_code == 422 and not_expert.json()["code"] == "not_an_expert"


def test_scores_and_an_aggregate_from_three_reviews_individual_reviews_stay_private(
    tea, operator, holder_member, buyer, api
):
    achievement = tea.achievement
    experts = [_expert() for _ in range(3)]
    reviews = [review_invite(achievement=achievement, actor=operator, expert=e) for e in experts]
    stranger_submit = client_for(experts[1]).post(
        f"/api/v1/peer-reviews/{reviews[0].pk}/submit/",
        {"trl": 6, "novelty": 4, "value_low": "200000.00", "value_high": "400000.00"},
        format="json",
    )
    assert stranger_submit.status_code == 404  # not the invited expert: not even visible
    bad = client_for(experts[0]).post(
        f"/api/v1/peer-reviews/{reviews[0].pk}/submit/",
        {"trl": 10, "novelty": 4, "value_low": "200000.00", "value_high": "400000.00"},
        format="json",
    )
    assert bad.status_code == 400
    for expert, review, (trl, low, high) in zip(
        experts,
        reviews,
        [(6, "200000.00", "400000.00"), (7, "300000.00", "500000.00"), (5, "100000.00", "300000.00")],
        strict=True,
    ):
        if review is reviews[2]:
            body = api.get(f"/api/v1/achievements/{achievement.pk}/").json()
            assert body.get("peer_review") is None  # two reviews: not yet public
        response = client_for(expert).post(
            f"/api/v1/peer-reviews/{review.pk}/submit/",
            {"trl": trl, "novelty": 4, "value_low": low, "value_high": high, "comment": f"专家意见{trl}"},
            format="json",
        )
        assert response.status_code == 200, response.json()
    again = review_submit
    with pytest.raises(Conflict):
        again(
            review=reviews[0], actor=experts[0], trl=5, novelty=3, value_low=Decimal(1), value_high=Decimal(2)
        )
    from discovery.selectors.review import peer_review_aggregate

    aggregate = peer_review_aggregate(achievement_id=achievement.pk)
    assert aggregate == {
        "count": 3,
        "trl_median": 6.0,
        "value_low": Decimal("200000.00"),
        "value_high": Decimal("400000.00"),
    }
    # Individual reviews: the holder and operators; not the public, not another company.
    assert (
        len(
            client_for(holder_member)
            .get(f"/api/v1/achievements/{achievement.pk}/peer-reviews/")
            .json()["results"]
        )
        == 3
    )
    assert (
        len(
            client_for(operator).get(f"/api/v1/achievements/{achievement.pk}/peer-reviews/").json()["results"]
        )
        == 3
    )
    assert (
        client_for(buyer).get(f"/api/v1/achievements/{achievement.pk}/peer-reviews/").json()["results"] == []
    )
    assert api.get(f"/api/v1/achievements/{achievement.pk}/peer-reviews/").status_code == 401
    own = client_for(experts[0]).get(f"/api/v1/achievements/{achievement.pk}/peer-reviews/").json()["results"]
    assert [r["id"] for r in own] == [reviews[0].pk]


def test_review_pages(tea, operator, client):
    expert = _expert()
    client.force_login(operator)
    page = client.post(
        "/console/peer-reviews/", {"achievement": tea.achievement_id, "expert": expert.username}
    )
    assert page.status_code == 302
    client.force_login(expert)
    body = client.get("/my/peer-reviews/").content.decode()
    assert tea.achievement.title in body and "提交评议" in body
