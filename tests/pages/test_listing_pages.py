"""A university lists an achievement: recorded with its patents, listed, approved in its own
安心屋 and by the platform, then found in the catalogue by a Chinese search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, Organization
from listings.models import Listing
from tests.factories import OrganizationFactory, make_patent_no, member_of

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)


def test_university_lists_through_internal_approval_and_review(browsing, operator):
    zju = OrganizationFactory(
        name="浙江大学", kind=Organization.Kind.UNIVERSITY, requires_internal_approval=True
    )
    teacher = member_of(zju, Membership.Role.MEMBER, first_name="陈老师")
    approver = member_of(zju, Membership.Role.APPROVER, first_name="王处长")

    page = browsing.page(teacher)
    page.goto("/")
    page.get_by_role("link", name="我的成果").click()
    page.get_by_role("link", name="登记新成果").click()
    page.get_by_label("成果名称").fill("基于机器视觉的茶叶嫩芽识别与采摘机器人")
    page.get_by_label("成果简介").fill("利用深度学习识别茶叶嫩芽，机械臂精准采摘，适用于名优茶产区。")
    page.get_by_label("技术领域").select_option("advanced_manufacturing")
    page.get_by_label("成果类型").select_option("applied")
    page.get_by_label("财政资金支持").check()
    page.locator("#id_inventors-0-name").fill("陈明")
    page.locator("#id_inventors-0-share").fill("60")
    page.locator("#id_ip-0-ip_type").select_option("invention")
    good = make_patent_no()
    page.locator("#id_ip-0-patent_no").fill(
        good[:-1] + ("0" if good[-1] != "0" else "1")
    )  # wrong check digit
    page.locator("#id_ip-0-granted_on").fill("2023-05-10")
    page.get_by_role("button", name="保存成果").click()
    # The service's refusal sits on the patent row; everything typed is still there.
    expect(page.locator("#id_ip-0-patent_no_error")).to_be_visible()
    expect(page.get_by_label("成果名称")).to_have_value("基于机器视觉的茶叶嫩芽识别与采摘机器人")
    expect(page.locator("#id_inventors-0-name")).to_have_value("陈明")
    browsing.shot(page, "patent-refused")
    page.locator("#id_ip-0-patent_no").fill(good)
    page.get_by_role("button", name="保存成果").click()
    expect(page.locator(".messages")).to_contain_text("已登记")

    page.get_by_role("link", name="挂牌交易").click()
    page.get_by_label("协议定价").check()
    page.get_by_label("转化方式").select_option("transfer")
    page.get_by_label("意向价格（元）").fill("800000")
    page.get_by_label("公示天数").fill("10")  # fiscally funded: at least 15, says the service
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#id_notice_days_error")).to_contain_text("15")
    expect(page.get_by_label("意向价格（元）")).to_have_value("800000")
    page.get_by_label("公示天数").fill("15")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("listing-status")).to_have_text("草稿")
    confirm(page, lambda: page.get_by_role("button", name="提交审核").click())
    expect(page.get_by_test_id("listing-status")).to_have_text("待内部审批")

    boss = browsing.page(approver)
    boss.goto("/my/approvals/")
    boss.get_by_role("link", name="审批 基于机器视觉的茶叶嫩芽识别与采摘机器人").click()
    boss.get_by_label("同意").check()
    confirm(boss, lambda: boss.get_by_role("button", name="提交结论").click())
    expect(boss.locator(".messages")).to_contain_text("审批意见已提交")

    ops = browsing.page(operator)
    ops.goto("/console/")
    ops.get_by_role("link", name="挂牌审核").first.click()
    ops.get_by_role("link", name="审核 基于机器视觉的茶叶嫩芽识别与采摘机器人").click()
    expect(ops.locator("body")).to_contain_text("王处长")  # the 安心屋 record, for due diligence
    ops.get_by_label("同意").check()
    confirm(ops, lambda: ops.get_by_role("button", name="提交结论").click())
    expect(ops.locator(".messages")).to_contain_text("审核结论已提交")

    assert Listing.objects.get().status == Listing.Status.PUBLISHED
    visitor = browsing.page(phone=True)
    visitor.goto("/catalogue/")
    visitor.get_by_label("搜索").fill("茶叶 采摘")
    visitor.get_by_role("button", name="搜索").click()
    expect(visitor.get_by_test_id("result-count")).to_contain_text("“茶叶 采摘”的挂牌")
    expect(visitor.locator(".grid .card")).to_have_count(1)
    visitor.get_by_role("link", name="基于机器视觉的茶叶嫩芽识别与采摘机器人").click()
    expect(visitor.locator("body")).to_contain_text("公示 15 天")
    expect(visitor.locator("body")).to_contain_text(good)
    browsing.shot(visitor, "listing-detail-phone")


def test_the_holder_edits_an_achievement_and_cannot_while_it_is_listed(browsing):
    import datetime as dt
    from decimal import Decimal

    from listings.models import Achievement
    from listings.services import achievement_create
    from tests.factories import make_listing

    zju = OrganizationFactory(name="浙江大学", kind=Organization.Kind.UNIVERSITY)
    teacher = member_of(zju, Membership.Role.MEMBER, first_name="陈老师")
    achievement = achievement_create(
        actor=teacher,
        organization=zju,
        title="一种茶叶品质检测方法",
        summary="近红外光谱快速检测茶多酚含量。",
        field="agriculture",
        kind="applied",
        maturity=5,
        fiscally_funded=False,
        is_service_invention=True,
        inventors=[{"name": "陈明", "share": Decimal("60")}, {"name": "李华", "share": Decimal("40")}],
        ip=[{"ip_type": "invention", "patent_no": make_patent_no(), "granted_on": dt.date(2023, 5, 10)}],
    )
    page = browsing.page(teacher, phone=True)
    page.goto(f"/my/achievements/{achievement.pk}/")
    page.get_by_role("link", name="编辑成果信息").click()
    expect(page.get_by_label("成果名称")).to_have_value("一种茶叶品质检测方法")
    expect(page.locator("#id_inventors-1-name")).to_have_value("李华")
    page.get_by_label("成果名称").fill("一种基于近红外光谱的茶叶品质快速检测方法")
    page.locator("#id_inventors-1-DELETE").check()
    page.get_by_role("button", name="保存成果").click()
    expect(page.locator(".messages")).to_contain_text("已更新")
    browsing.shot(page, "achievement-edited-phone")
    achievement = Achievement.objects.get(pk=achievement.pk)
    assert achievement.title == "一种基于近红外光谱的茶叶品质快速检测方法"
    assert list(achievement.inventors.values_list("name", flat=True)) == ["陈明"]
    # the untouched patent row is kept as it was, its grant date included
    assert list(achievement.ip.values_list("granted_on", flat=True)) == [dt.date(2023, 5, 10)]

    approver = browsing.page(member_of(zju, Membership.Role.APPROVER))  # approves; does not edit
    approver.goto(f"/my/achievements/{achievement.pk}/")
    expect(approver.get_by_role("heading", name=achievement.title)).to_be_visible()
    expect(approver.get_by_role("link", name="编辑成果信息")).to_have_count(0)

    make_listing(achievement=achievement, mode="negotiated")  # published: what buyers see stays
    page.goto(f"/my/achievements/{achievement.pk}/edit/")
    page.get_by_label("成果名称").fill("改名")
    page.get_by_role("button", name="保存成果").click()
    expect(page.locator(".errors, .form-errors, [role=alert]").first).to_contain_text("不能修改")
    assert Achievement.objects.get(pk=achievement.pk).title == "一种基于近红外光谱的茶叶品质快速检测方法"
