"""The annual conversion report (JSON and CSV) and the public institution ranking."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from accounts.models import Organization
from conversion.selectors.agreements import period_bounds
from conversion.services import justification_decide, justification_file, use_first_run
from marketplace.services import deal_conclude
from tests.conftest import client_for
from tests.factories import AchievementFactory, OrganizationFactory, make_listing
from tests.marketplace.conftest import bank_pays

from .helpers import make_achievement

pytestmark = pytest.mark.django_db
D = dt.date


def test_period_bounds():
    assert period_bounds("month", D(2024, 2, 29)) == (D(2024, 2, 1), D(2024, 3, 1))
    assert period_bounds("quarter", D(2024, 11, 21)) == (D(2024, 10, 1), D(2025, 1, 1))
    assert period_bounds("year", D(2024, 11, 21)) == (D(2024, 1, 1), D(2025, 1, 1))


@pytest.fixture
def year_of_activity(university, company, holder_member, operator):
    """This year: two listings published (one an auction), one sold and paid for 300000.00 (so on
    the public board), one achievement on the use-first list, one justification accepted."""
    sold = make_listing(achievement=AchievementFactory(holder=university), mode="negotiated")
    make_listing(achievement=AchievementFactory(holder=university), mode="auction")
    bank_pays(
        deal_conclude(listing=sold, buyer=company, price=Decimal("300000.00"), mode="negotiated").payment
    )
    overdue = make_achievement(university, D(2022, 1, 1))
    use_first_run()
    other = make_achievement(university, D(2024, 1, 1))
    j = justification_file(achievement=other, actor=holder_member, reason="中试中", valid_until=D(2099, 1, 1))
    justification_decide(justification=j, actor=operator, decision="accept", reason="属实")
    return overdue


def test_annual_report_json_and_csv(year_of_activity, university, holder_member, buyer, operator):
    year = dt.date.today().year
    url = f"/api/v1/reports/conversion/?holder={university.pk}&year={year}"
    r = client_for(holder_member).get(url)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["listed"], body["auctioned"], body["deals"], body["converted"]) == (3, 1, 1, 1)
    assert body["income"] == "300000.00"
    assert (body["use_first_listed"], body["use_first_open"]) == (1, 1)
    assert (body["justifications_filed"], body["justifications_accepted"]) == (1, 1)
    assert client_for(operator).get(url).status_code == 200
    assert client_for(buyer).get(url).status_code == 403  # another organization's report
    r = client_for(holder_member).get(url + "&format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["单位ID", "单位名称", "年度"] and rows[1][7] == "300000.00"


def test_public_ranking(year_of_activity, university, api):
    quiet = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    make_listing(achievement=AchievementFactory(holder=quiet), mode="negotiated")
    r = api.get("/api/v1/reports/ranking/", {"period": "month"})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["holder"] for row in rows] == [university.pk, quiet.pk]
    assert rows[0]["rank"] == 1 and rows[0]["amount"] == "300000.00" and rows[0]["conversions"] == 1
    assert rows[0]["listings"] == 3 and rows[0]["auctions"] == 1
    by_listings = api.get("/api/v1/reports/ranking/", {"period": "quarter", "order": "listings"}).json()
    assert by_listings["results"][0]["holder"] == university.pk
    assert api.get("/api/v1/reports/ranking/", {"period": "week"}).status_code == 400


def test_a_deal_counts_in_the_ranking_and_report_exactly_when_the_board_shows_it(
    university, company, holder_member, api
):
    """One rule for what counts (issue #14, item 13): a concluded but unpaid deal is on neither
    the public board (成交公示) nor the ranking nor the annual report; once paid, it is on all
    three, at the same amount."""
    listing = make_listing(achievement=AchievementFactory(holder=university), mode="negotiated")
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("188000.00"), mode="negotiated")
    year = dt.date.today().year
    report_url = f"/api/v1/reports/conversion/?holder={university.pk}&year={year}"

    def seen() -> tuple[list[str], list[tuple[int, str]], tuple[int, str]]:
        board = [r["price"] for r in api.get("/api/v1/results/").json()["results"] if r["deal"] == deal.pk]
        ranking = [
            (row["conversions"], row["amount"])
            for row in api.get("/api/v1/reports/ranking/", {"period": "year"}).json()["results"]
            if row["holder"] == university.pk
        ]
        report = client_for(holder_member).get(report_url).json()
        return board, ranking, (report["deals"], report["income"])

    assert seen() == ([], [(0, "0.00")], (0, "0.00"))  # listed this year, nothing dealt yet
    bank_pays(deal.payment)
    assert seen() == (["188000.00"], [(1, "188000.00")], (1, "188000.00"))
