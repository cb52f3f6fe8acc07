"""Overdue achievements go on the public use-first list. A company applies to use one first and
the holder agrees; for the other the holder files a justification (refused first for a date in
the past, keeping what was typed) and an operator accepts it. The conversion report and the
institution ranking render."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, Organization
from conversion.models import UseFirstEntry
from conversion.services import use_first_run
from listings.services import achievement_create
from tests.factories import OrganizationFactory, make_patent_no, member_of

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)


def overdue(researcher, title: str):
    granted = dt.date.today() - dt.timedelta(days=365 * 2 + 60)
    return achievement_create(
        actor=researcher,
        title=title,
        summary="选育高香绿茶新品种，配套揉捻与干燥工艺。",
        field="agriculture",
        kind="applied",
        maturity=7,
        fiscally_funded=True,
        is_service_invention=True,
        inventors=[{"name": "吴研究员", "share": "100"}],
        ip=[{"patent_no": make_patent_no(), "ip_type": "invention", "granted_on": granted}],
    )


def test_use_first_list_application_and_justification(browsing, operator):
    zaas = OrganizationFactory(name="浙江省农业科学院", kind=Organization.Kind.INSTITUTE)
    researcher = member_of(zaas, Membership.Role.ADMIN, first_name="吴研究员")
    achievement = overdue(researcher, "高香型绿茶品种选育及配套加工技术")
    overdue(researcher, "茶园病虫害绿色防控技术")
    tea = OrganizationFactory(name="浙江茶研科技有限公司", kind=Organization.Kind.ENTERPRISE)
    company = member_of(tea, Membership.Role.ADMIN, first_name="钱经理")
    use_first_run()
    assert UseFirstEntry.objects.filter(achievement=achievement, closed_on__isnull=True).exists()

    visitor = browsing.page(phone=True)
    visitor.goto("/")
    expect(visitor.locator("#usefirst-h")).to_be_visible()
    visitor.goto("/use-first/")
    expect(visitor.locator("table")).to_contain_text("高香型绿茶品种选育及配套加工技术")
    browsing.shot(visitor, "use-first-list-phone")

    # A company applies to use one first; the plan is required; the holder agrees to a trial.
    c = browsing.page(company)
    c.goto("/use-first/")
    c.get_by_role("link", name="申请先用后转 茶园病虫害绿色防控技术").click()
    confirm(c, lambda: c.get_by_role("button", name="提交申请").click())
    expect(c.locator("#id_plan_error")).to_contain_text("实施计划")
    c.get_by_label("实施计划").fill("在余杭茶园 200 亩试用一年，按成效决定是否受让。")
    confirm(c, lambda: c.get_by_role("button", name="提交申请").click())
    expect(c.locator(".messages")).to_contain_text("申请已提交")
    h = browsing.page(researcher)
    h.goto("/my/use-first/")
    card = h.get_by_role("region", name="申请 茶园病虫害绿色防控技术")
    card.get_by_label("试用结束日期").fill((dt.date.today() + dt.timedelta(days=365)).isoformat())
    card.get_by_label("转化价格（元）").fill("200000.00")
    confirm(h, lambda: card.get_by_role("button", name="同意申请").click())
    expect(h.locator("body")).to_contain_text("试用中")
    c.goto("/my/use-first/")
    expect(c.locator("body")).to_contain_text("¥200,000.00")

    holder = browsing.page(researcher)
    holder.goto(f"/my/achievements/{achievement.pk}/")
    expect(holder.locator("#duty-h + dl")).to_contain_text("已逾期")
    holder.get_by_text("提交未转化的正当理由").click()
    holder.get_by_label("未转化的正当理由").fill("该品种正在区域试验，需完成两年试验后方可推广。")
    holder.get_by_label("申请暂停转化义务至").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    confirm(holder, lambda: holder.get_by_role("button", name="提交正当理由").click())
    expect(holder.locator("#id_justification-valid_until_error")).to_contain_text("晚于今天")
    expect(holder.get_by_label("未转化的正当理由")).to_have_value(
        "该品种正在区域试验，需完成两年试验后方可推广。"
    )
    holder.get_by_label("申请暂停转化义务至").fill((dt.date.today() + dt.timedelta(days=365)).isoformat())
    confirm(holder, lambda: holder.get_by_role("button", name="提交正当理由").click())
    expect(holder.locator(".messages")).to_contain_text("正当理由已提交")

    ops = browsing.page(operator)
    ops.goto("/console/")
    ops.get_by_role("link", name="先用后转督办").first.click()
    ops.get_by_label("认可", exact=True).check()
    confirm(ops, lambda: ops.get_by_role("button", name="提交结论").click())
    expect(ops.locator(".has-error")).to_be_visible()  # a decision needs its reason on record
    ops.get_by_label("审核意见").fill("区域试验属正当理由，予以认可。")
    confirm(ops, lambda: ops.get_by_role("button", name="提交结论").click())
    expect(ops.locator(".messages")).to_contain_text("审核结论已提交")

    visitor.reload()
    expect(visitor.locator("table")).not_to_contain_text("高香型绿茶品种选育及配套加工技术")
    holder.reload()
    expect(holder.locator("#duty-h + dl")).to_contain_text("正当理由有效至")

    holder.goto("/my/report/")
    expect(holder.get_by_test_id("report")).to_contain_text("提交正当理由")
    expect(holder.get_by_test_id("bar-chart")).to_be_visible()  # the report's counts as bars
    visitor.goto("/rankings/")
    expect(visitor.locator("table")).to_contain_text("浙江省农业科学院")
    expect(visitor.get_by_test_id("bar-chart").locator("[data-bar]")).to_have_count(
        min(visitor.locator("tbody tr").count(), 10)
    )
    browsing.shot(visitor, "rankings-chart-phone")
