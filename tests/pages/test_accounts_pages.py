"""A company signs up in the browser, registers its organization, and an operator verifies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Organization
from tests.factories import make_credit_code

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_register_organization_and_get_verified(browsing, operator):
    page = browsing.page(phone=True)
    page.goto("/accounts/signup/")
    page.get_by_label("用户名").fill("hz_robot")
    page.get_by_label("电子邮箱").fill("boss@robot.cn")
    page.get_by_label("密码").fill("12345678")
    page.get_by_role("button", name="注册").click()
    # The password rule is the service's; its message sits next to the field, the rest is kept.
    expect(page.locator(".has-error")).to_contain_text("密码")
    expect(page.get_by_label("用户名")).to_have_value("hz_robot")
    page.get_by_label("密码").fill("Robot-arm-2026")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="我的机构")).to_be_visible()

    code = make_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    page.get_by_label("机构名称").fill("杭州机器人科技有限公司")
    page.get_by_label("机构类型").select_option("enterprise")
    page.get_by_label("统一社会信用代码").fill(wrong)
    page.get_by_role("button", name="提交认证").click()
    expect(page.locator(".has-error")).to_contain_text("校验位")
    expect(page.get_by_label("机构名称")).to_have_value("杭州机器人科技有限公司")
    browsing.shot(page, "credit-code-refused-phone")
    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_role("button", name="提交认证").click()
    expect(page.get_by_test_id("org-status")).to_have_text("待审核")

    ops = browsing.page(operator)
    ops.goto("/console/")
    ops.get_by_role("link", name="机构认证").first.click()
    ops.get_by_role("link", name="审核 杭州机器人科技有限公司").click()
    ops.get_by_label("驳回").check()
    confirm(ops, lambda: ops.get_by_role("button", name="提交审核结论").click())
    expect(ops.locator(".has-error")).to_contain_text("驳回理由")  # a rejection needs a reason
    ops.get_by_label("通过认证").check()
    confirm(ops, lambda: ops.get_by_role("button", name="提交审核结论").click())
    expect(ops.locator(".messages")).to_contain_text("已认证")
    browsing.shot(ops, "console-verified")

    # Every console page renders without a JavaScript or server error.
    sections = ops.locator(".console-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for href in sections:
        if not href.startswith("/admin"):
            ops.goto(href)
            expect(ops.locator("h1")).to_be_visible()
    assert len(sections) >= 10

    page.reload()
    expect(page.get_by_test_id("org-status")).to_have_text("已认证")
    # And so do the public pages, at phone width.
    for path in ("/", "/catalogue/", "/auctions/", "/results/", "/use-first/", "/rankings/", "/my/auctions/"):
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        if path == "/":
            browsing.shot(page, "home-phone")
    assert Organization.objects.get(credit_code=code).status == Organization.Status.VERIFIED
    browsing.shot(page, "verified-phone")


def test_an_admin_invites_a_member_who_accepts_on_the_organization_page(browsing):
    from accounts.models import Membership
    from tests.factories import OrganizationFactory, UserFactory, member_of

    org = OrganizationFactory(name="浙江农林大学")
    admin = member_of(org, first_name="周老师")
    wang = UserFactory(username="wang_approver", first_name="王老师")
    page = browsing.page(admin, phone=True)
    page.goto("/accounts/organization/")
    members = page.get_by_test_id("members")
    expect(members).to_contain_text(admin.username)
    page.get_by_label("用户名").fill("wang_aprover")  # a typo: refused next to the field, kept
    page.get_by_label("角色").select_option("approver")
    page.get_by_role("button", name="邀请成员").click()
    expect(page.locator(".has-error")).to_contain_text("没有该用户")
    expect(page.get_by_label("用户名")).to_have_value("wang_aprover")
    page.get_by_label("用户名").fill("wang_approver")
    page.get_by_role("button", name="邀请成员").click()
    expect(page.locator(".messages")).to_contain_text("已邀请 wang_approver")
    expect(page.get_by_test_id("sent-invitations")).to_contain_text("wang_approver")
    expect(page.get_by_test_id("members")).not_to_contain_text("王老师")  # not before consent
    invited = browsing.page(wang, phone=True)
    invited.goto("/accounts/organization/")
    expect(invited.get_by_test_id("invitations")).to_contain_text("浙江农林大学")
    browsing.shot(invited, "invitation-phone")
    invited.get_by_role("button", name="接受").click()
    expect(invited.locator(".messages")).to_contain_text("已加入 浙江农林大学")
    assert Membership.objects.get(organization=org, user__username="wang_approver").role == "approver"
    page.goto("/accounts/organization/")
    expect(page.get_by_test_id("members")).to_contain_text("王老师")
    browsing.shot(page, "members-phone")
    confirm(page, lambda: page.get_by_role("button", name="移除 wang_approver").click())
    expect(page.locator(".messages")).to_contain_text("已移除成员 wang_approver")
    expect(page.get_by_test_id("members")).not_to_contain_text("wang_approver")
