"""Issue 14 item 14: charts where people would rather look than read, drawn on the server as SVG
(marketplace.charts; CSP 'self' allows no inline script or style): the ranking, the annual report."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organization
from tests.factories import AchievementFactory, OrganizationFactory, make_listing

from .test_reports import year_of_activity  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _chart(html: str, testid: str) -> str:
    match = re.search(rf'<svg[^>]*data-testid="{testid}".*?</svg>', html, re.S)
    assert match, f"no {testid} svg"
    return match.group(0)


def test_ranking_page_draws_one_bar_per_institution(year_of_activity, university):  # noqa: F811
    quiet = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    make_listing(achievement=AchievementFactory(holder=quiet), mode="negotiated")
    html = Client().get(reverse("marketplace:rankings"), {"period": "month"}).content.decode()
    svg = _chart(html, "bar-chart")
    assert svg.count("data-bar") == 2
    assert university.name[:9] in svg and "30.00万" in svg  # its amount, as the chart labels it
    assert "<script" not in svg and "style=" not in svg


def test_annual_report_page_draws_its_counts(year_of_activity, holder_member):  # noqa: F811
    client = Client()
    client.force_login(holder_member)
    html = client.get(reverse("marketplace:annual_report")).content.decode()
    svg = _chart(html, "bar-chart")
    table_rows = re.search(r'data-testid="report">(.*?)</table>', html, re.S).group(1).count("<tr>")
    assert svg.count("data-bar") == table_rows - 1  # every count; the income stays in the table
    assert "<script" not in svg and "style=" not in svg
