"""Demands (供需荟): posting, review, the public catalogue, matches with reasons, responses and
structured feedback; who sees the company's name."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Membership, Organization
from discovery.models import Demand, DemandResponse
from discovery.services import demand_close
from marketplace.models import Offer
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of

from .conftest import post_demand

pytestmark = pytest.mark.django_db


def _body(**overrides):
    body = {
        "title": "茶叶品质快速检测技术需求",
        "description": "需要一种快速无损的茶叶品质检测方法。",
        "field": "agriculture",
        "budget_min": "100000.00",
        "budget_max": "500000.00",
        "rights": "transfer",
        "deadline": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "public_name": False,
    }
    body.update(overrides)
    return body


def test_a_verified_company_posts_a_demand_and_it_waits_for_review(buyer, holder_member, api):
    response = client_for(buyer).post("/api/v1/demands/", _body(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending_review"
    assert response.json()["organization"]["name"] == "杭州测试科技有限公司"
    assert api.get("/api/v1/demands/").json()["results"] == []  # not public before review
    refused = client_for(holder_member).post("/api/v1/demands/", _body(), format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_company"
    assert api.post("/api/v1/demands/", _body(), format="json").status_code == 401


def test_bad_demands_are_refused_whole(buyer):
    client = client_for(buyer)
    bad = client.post("/api/v1/demands/", _body(budget_min="600000.00"), format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_demand"
    assert "budget_max" in bad.json()["fields"]
    past = client.post("/api/v1/demands/", _body(deadline="2020-01-01"), format="json")
    assert past.status_code == 400 and "deadline" in past.json()["fields"]
    unknown = client.post("/api/v1/demands/", _body(colour="red"), format="json")
    assert unknown.status_code == 400
    assert Demand.objects.count() == 0


def test_operators_publish_and_the_catalogue_finds_it_in_chinese(buyer, operator, api):
    demand = post_demand(buyer)
    op = client_for(operator)
    rejected = op.post(f"/api/v1/demands/{demand.pk}/review/", {"decision": "reject"}, format="json")
    assert rejected.status_code == 400 and rejected.json()["code"] == "reason_required"
    ok = op.post(f"/api/v1/demands/{demand.pk}/review/", {"decision": "approve"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "published"
    assert [d["id"] for d in api.get("/api/v1/demands/", {"q": "茶叶检测"}).json()["results"]] == [demand.pk]
    assert api.get("/api/v1/demands/", {"q": "锂电池"}).json()["results"] == []
    assert api.get("/api/v1/demands/", {"field": "electronics"}).json()["results"] == []
    again = op.post(f"/api/v1/demands/{demand.pk}/review/", {"decision": "approve"}, format="json")
    assert again.status_code == 409
    assert (
        client_for(buyer).post(f"/api/v1/demands/{demand.pk}/review/", {"decision": "approve"}).status_code
        == 403
    )


def test_a_private_demand_owner_never_leaks(buyer, operator, holder_member, api):
    demand = post_demand(buyer, public_name=False)
    client_for(operator).post(f"/api/v1/demands/{demand.pk}/review/", {"decision": "approve"}, format="json")
    for client in (api, client_for(holder_member)):
        listed = client.get("/api/v1/demands/").json()["results"][0]
        assert listed["organization"] is None
        assert client.get(f"/api/v1/demands/{demand.pk}/").json()["organization"] is None
        page = client.get(f"/demands/{demand.pk}/")
        assert page.status_code == 200 and "杭州测试科技有限公司" not in page.content.decode()
        assert "杭州测试科技有限公司" not in client.get("/demands/").content.decode()
    assert client_for(buyer).get(f"/api/v1/demands/{demand.pk}/").json()["organization"]["name"]
    assert client_for(operator).get(f"/api/v1/demands/{demand.pk}/").json()["organization"]["name"]


def test_matches_rank_the_fitting_achievement_first_with_reasons(
    published_demand, tea, battery, buyer, operator, holder_member, indexed
):
    indexed()
    response = client_for(buyer).get(f"/api/v1/demands/{published_demand.pk}/matches/")
    assert response.status_code == 200
    matches = response.json()
    assert matches[0]["achievement"] == tea.achievement_id and matches[0]["listing"] == tea.pk
    assert battery.pk not in [m["achievement"] for m in matches]
    reasons = " ".join(matches[0]["reasons"])
    assert "茶叶" in reasons and "领域相同" in reasons and "转化方式一致" in reasons and "在预算内" in reasons
    assert matches[0]["score"] > 70
    assert client_for(operator).get(f"/api/v1/demands/{published_demand.pk}/matches/").status_code == 200
    other = member_of(OrganizationFactory(), Membership.Role.ADMIN)
    refused = client_for(other).get(f"/api/v1/demands/{published_demand.pk}/matches/")
    assert refused.status_code == 403 and refused.json()["code"] == "not_demand_company"


def test_holders_see_matching_demands_of_their_achievements(
    published_demand, tea, holder_member, buyer, indexed
):
    response = client_for(holder_member).get(f"/api/v1/achievements/{tea.achievement_id}/matching-demands/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["demand"]["id"] == published_demand.pk and row["reasons"]
    assert (
        client_for(buyer).get(f"/api/v1/achievements/{tea.achievement_id}/matching-demands/").status_code
        == 403
    )


def test_a_response_gets_structured_feedback_and_interest_makes_an_offer(
    published_demand, tea, holder_member, buyer
):
    holder = client_for(holder_member)
    made = holder.post(
        f"/api/v1/demands/{published_demand.pk}/responses/",
        {"achievement": tea.achievement_id, "listing": tea.pk, "message": "可现场演示"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    twice = holder.post(
        f"/api/v1/demands/{published_demand.pk}/responses/",
        {"achievement": tea.achievement_id},
        format="json",
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_responded"
    company = client_for(buyer)
    bad = company.post(
        f"/api/v1/demand-responses/{made.json()['id']}/feedback/",
        {"decision": "interested", "reason": "cheap"},
        format="json",
    )
    assert bad.status_code == 400
    assert (
        holder.post(
            f"/api/v1/demand-responses/{made.json()['id']}/feedback/",
            {"decision": "interested", "reason": "price"},
            format="json",
        ).status_code
        == 403
    )
    ok = company.post(
        f"/api/v1/demand-responses/{made.json()['id']}/feedback/",
        {"decision": "interested", "reason": "field_fit", "comment": "希望洽谈", "amount": "280000.00"},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["status"] == "interested" and ok.json()["offer_id"]
    offer = Offer.objects.get(pk=ok.json()["offer_id"])
    assert offer.listing_id == tea.pk and str(offer.amount) == "280000.00"
    seen = holder.get("/api/v1/demand-responses/").json()["results"][0]
    assert seen["feedback_reason"] == "field_fit" and seen["feedback_comment"] == "希望洽谈"
    again = company.post(
        f"/api/v1/demand-responses/{made.json()['id']}/feedback/",
        {"decision": "not_interested", "reason": "price"},
        format="json",
    )
    assert again.status_code == 409


def test_interest_without_a_listing_asks_the_holder_to_list(published_demand, battery, buyer):
    from discovery.services import response_create, response_feedback

    holder = member_of(battery.holder, Membership.Role.MEMBER)
    response = response_create(demand=published_demand, actor=holder, achievement=battery, message="")
    response = response_feedback(response=response, actor=buyer, decision="interested", reason="other")
    assert response.listing_requested and response.offer_id is None
    assert response.status == DemandResponse.Status.INTERESTED


def test_a_closed_demand_leaves_the_catalogue_and_syncing_clients_learn_it(published_demand, buyer, api):
    stamp = "2020-01-01T00:00:00+08:00"  # one test transaction: every row has the same stamp
    demand_close(demand=published_demand, actor=buyer)
    assert api.get("/api/v1/demands/").json()["results"] == []
    synced = api.get("/api/v1/demands/", {"updated_since": stamp}).json()["results"]
    assert [(d["id"], d["status"]) for d in synced] == [(published_demand.pk, "closed")]


def test_a_university_cannot_respond_to_its_own_kind_of_demand_twice_or_unpublished(
    buyer, tea, holder_member
):
    demand = post_demand(buyer)
    response = client_for(holder_member).post(
        f"/api/v1/demands/{demand.pk}/responses/", {"achievement": tea.achievement_id}, format="json"
    )
    assert response.status_code == 404  # a pending demand does not exist for holders
    assert Organization.objects.filter(kind="university").exists()


def test_pages_of_demands(published_demand, tea, buyer, operator, holder_member, indexed, client):
    indexed()
    client.force_login(buyer)
    page = client.get(f"/demands/{published_demand.pk}/").content.decode()
    assert "匹配的科技成果" in page and tea.achievement.title in page
    client.force_login(holder_member)
    assert "以本单位成果响应" in client.get(f"/demands/{published_demand.pk}/").content.decode()
    assert published_demand.title in client.get("/my/demand-responses/").content.decode()
    client.force_login(operator)
    assert client.get("/console/demands/").status_code == 200
