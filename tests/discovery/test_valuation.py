"""The valuation band (估值区间), its back-test, disclosure on the achievement, completeness and
the buyers' yearly use reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership
from accounts.services import expert_declare
from discovery.models import UseReport
from discovery.selectors.disclosure import use_reports_late
from discovery.selectors.valuation import valuation_backtest
from discovery.services import (
    achievement_index_refresh,
    review_invite,
    review_submit,
    use_reports_open,
)
from listings.models import Listing
from tests.conftest import client_for
from tests.factories import UserFactory, member_of

from .conftest import closed_deal

pytestmark = pytest.mark.django_db

TEA = "茶叶品质检测"


@pytest.fixture
def comparables(db):
    deals = [
        closed_deal(title=f"一种茶叶品质检测装置（{i}）", price=f"{p}.00", days_ago=30 * (i + 1))
        for i, p in enumerate([100000, 200000, 300000, 400000, 500000])
    ]
    closed_deal(title="茶叶品质检测许可", rights="license_general", price="9000000.00")  # other rights
    closed_deal(title="锂电池电解质", field="new_energy", price="9000000.00")  # a far field
    achievement_index_refresh()
    return deals


def test_the_band_comes_from_comparable_deals_with_the_method_stated(tea, comparables, api):
    achievement_index_refresh()
    body = api.get(f"/api/v1/listings/{tea.pk}/valuation/").json()
    band = body["band"]
    assert Decimal(band["low"]) <= Decimal(band["median"]) <= Decimal(band["high"])
    assert Decimal("100000.00") <= Decimal(band["low"]) and Decimal(band["high"]) <= Decimal("500000.00")
    assert len(body["comparables"]) == 5  # not the other rights, not the far field
    assert all(c["rights"] == "transfer" and c["field"] == "agriculture" for c in body["comparables"])
    assert max(c["similarity"] for c in body["comparables"]) > 0
    # Recency: the newest deal weighs most.
    newest = max(body["comparables"], key=lambda c: c["concluded_at"])
    assert newest["weight"] == max(c["weight"] for c in body["comparables"])
    assert "可比成交法" in body["method"] and body["peer_review"] is None
    assert body["price_flag"] is None  # the public never sees the holder's flag


def test_no_band_without_enough_comparables_then_the_peer_band(tea, operator, api):
    assert api.get(f"/api/v1/listings/{tea.pk}/valuation/").json()["band"] is None
    for _ in range(3):
        expert = UserFactory()
        expert_declare(user=expert, fields=["agriculture"])
        review = review_invite(achievement=tea.achievement, actor=operator, expert=expert)
        review_submit(
            review=review,
            actor=expert,
            trl=7,
            novelty=4,
            value_low=Decimal("200000.00"),
            value_high=Decimal("600000.00"),
        )
    body = api.get(f"/api/v1/listings/{tea.pk}/valuation/").json()
    assert body["band"] == {"low": "200000.00", "median": "400000.00", "high": "600000.00"}
    assert body["peer_review"]["count"] == 3
    record = api.get(f"/api/v1/achievements/{tea.achievement_id}/").json()
    assert record["peer_review"] == {
        "count": 3,
        "trl_median": 7.0,
        "value_low": "200000.00",
        "value_high": "600000.00",
    }


def test_a_price_far_outside_the_band_is_flagged_to_the_holder_only(
    tea, comparables, holder_member, api, client
):
    Listing.objects.filter(pk=tea.pk).update(asking_price=Decimal("5000000.00"))
    holder = client_for(holder_member).get(f"/api/v1/listings/{tea.pk}/valuation/").json()
    assert "远高于估值区间" in holder["price_flag"]
    assert api.get(f"/api/v1/listings/{tea.pk}/valuation/").json()["price_flag"] is None
    client.force_login(holder_member)
    assert "远高于估值区间" in client.get(f"/listings/{tea.pk}/inquiry/").content.decode()


def test_the_back_test_reports_how_often_the_price_fell_in_the_band(comparables, api):
    for i in range(3):  # three more, newest, around the same prices
        closed_deal(title=f"茶叶品质检测方法（新{i}）", price="300000.00", days_ago=i + 1)
    achievement_index_refresh()
    test = valuation_backtest()
    assert test.results == 10 and test.with_band >= 3
    assert 0 <= test.in_band <= test.with_band
    body = api.get("/api/v1/valuation/backtest/").json()
    assert body["results"] == 10 and body["in_band_rate"] == test.in_band_rate


def test_the_achievement_discloses_band_completeness_and_keeps_the_holders_figure(
    tea, comparables, holder_member, api
):
    from listings.models import Achievement

    Achievement.objects.filter(pk=tea.achievement_id).update(valuation=Decimal("350000.00"))
    public = api.get(f"/api/v1/achievements/{tea.achievement_id}/").json()
    assert public["holder_valuation"] == "350000.00"
    assert public["valuation"]["rights"] == "transfer" and public["valuation"]["low"]
    assert public["maturity"] == 7 and public["conversion_modes"] == ["transfer"]
    assert public["use_reports"] is None and "completeness_missing" not in public
    before = public["completeness"]
    holder = client_for(holder_member).get(f"/api/v1/achievements/{tea.achievement_id}/").json()
    missing = {m["item"] for m in holder["completeness_missing"]}
    assert {"problem", "advantage", "publications"} <= missing
    response = client_for(holder_member).put(
        f"/api/v1/achievements/{tea.achievement_id}/profile/",
        {
            "problem": "茶叶收购环节靠人工感官评审，分级慢且主观，企业急需快速客观的品质分级手段。",
            "advantage": "与感官评审相比一分钟出结果，与化学检测相比无损且成本低九成以上，已在三家企业试用。",
            "publications": [{"title": "近红外光谱茶叶分级研究", "url": "https://example.cn/paper"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["completeness"] == before + 50
    refused = client_for(member_of(tea.achievement.holder, Membership.Role.APPROVER)).put(
        f"/api/v1/achievements/{tea.achievement_id}/profile/", {"problem": "x"}, format="json"
    )
    assert refused.status_code == 403


def test_use_reports_open_yearly_remind_once_and_late_ones_reach_the_console(operator, client, api):
    from tests.factories import OrganizationFactory

    company = OrganizationFactory(kind="enterprise", name="绍兴茶业有限公司")
    buyer = member_of(company, Membership.Role.ADMIN)
    deal = closed_deal(title="茶叶品质检测成交", days_ago=380, buyer=company)
    assert use_reports_open() == 1
    assert use_reports_open() == 0  # idempotent: one report per deal and year
    report = UseReport.objects.get()
    anniversary = (
        timezone.localtime(deal.concluded_at)
        .date()
        .replace(year=timezone.localtime(deal.concluded_at).year + 1)
    )
    assert report.year_no == 1 and report.due_on == anniversary + dt.timedelta(days=30)
    assert buyer.notifications.filter(kind="use_report_due").count() == 1  # reminded once
    assert list(use_reports_late()) == []
    UseReport.objects.filter(pk=report.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert list(use_reports_late()) == [report]
    client.force_login(operator)
    assert "茶叶品质检测成交" in client.get("/console/use-reports/").content.decode()
    filed = client_for(buyer).post(
        f"/api/v1/use-reports/{report.pk}/file/",
        {"application_status": "in_production", "benefit": "新增产值 800 万元", "revenue": "8000000.00"},
        format="json",
    )
    assert filed.status_code == 200, filed.json()
    assert list(use_reports_late()) == []
    from listings.models import Achievement

    Achievement.objects.filter(pk=deal.listing.achievement_id).update(conversion_status="converted")
    record = api.get(f"/api/v1/achievements/{deal.listing.achievement_id}/").json()
    assert record["use_reports"][0]["application_status"] == "in_production"
    again = client_for(buyer).post(
        f"/api/v1/use-reports/{report.pk}/file/", {"application_status": "not_used"}, format="json"
    )
    assert again.status_code == 409
