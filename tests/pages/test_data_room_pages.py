"""资料室 in the browser (#16 part 4): the holder uploads a document and asks to approve each request;
a company accepts the NDA and waits; the holder approves; the company opens the file by its link;
the holder sees who looked at what, revokes, and the company's link stops at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from tests.factories import OrganizationFactory, make_listing, member_of

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_company_reads_the_data_room_behind_the_nda(browsing):
    listing = make_listing(mode="negotiated")
    holder = browsing.page(member_of(listing.achievement.holder, Membership.Role.MEMBER, first_name="陈老师"))
    holder.goto(f"/listings/{listing.pk}/")
    holder.get_by_role("link", name="资料室").click()
    holder.get_by_label("查阅须经本单位同意").check()
    holder.get_by_role("button", name="保存设置").click()
    expect(holder.locator(".messages")).to_contain_text("保密协议与查阅设置已保存")
    expect(holder.locator("h1")).to_contain_text("保密协议第 1 版")  # the same text: the same version
    holder.get_by_label("选择文件").set_input_files(
        files=[{"name": "中试检测报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    holder.get_by_role("button", name="上传", exact=True).click()
    expect(holder.get_by_test_id("data-room-files")).to_contain_text("中试检测报告.pdf")

    company = OrganizationFactory(name="宁波新材料科技有限公司")
    buyer = browsing.page(member_of(company, Membership.Role.ADMIN, first_name="孙总"))
    buyer.goto(f"/listings/{listing.pk}/")
    buyer.get_by_role("link", name="资料室（须签署保密协议）").click()
    expect(buyer.get_by_test_id("nda-text")).to_contain_text("保密协议")
    buyer.get_by_label("我已阅读并代表本单位接受上述保密协议").check()
    buyer.get_by_role("button", name="接受并申请查阅").click()
    expect(buyer.get_by_test_id("access-status")).to_contain_text("待同意")
    expect(buyer.get_by_test_id("data-room-files")).to_have_count(0)

    holder.reload()
    accesses = holder.get_by_test_id("data-room-accesses")
    expect(accesses).to_contain_text("宁波新材料科技有限公司")
    accesses.get_by_role("button", name="同意", exact=True).click()
    expect(holder.locator(".messages")).to_contain_text("已处理查阅申请")

    buyer.reload()
    expect(buyer.get_by_test_id("access-status")).to_contain_text("可查阅")
    link = buyer.get_by_role("link", name="中试检测报告.pdf").get_attribute("href")
    response = buyer.request.get(link)
    assert response.status == 200 and response.body() == PDF

    holder.reload()
    log = holder.get_by_test_id("data-room-log")
    expect(log).to_contain_text("下载文件")
    expect(log).to_contain_text("中试检测报告.pdf")
    expect(log).to_contain_text("孙总")
    browsing.shot(holder, "data-room-holder")
    accesses = holder.get_by_test_id("data-room-accesses")
    accesses.get_by_label("撤销理由").fill("洽谈终止")
    confirm(holder, lambda: accesses.get_by_role("button", name="撤销", exact=True).click())
    expect(holder.locator(".messages")).to_contain_text("查阅权限已撤销")

    refused = buyer.request.get(link)  # the link handed out before the revocation
    assert refused.status == 403 and "查阅权限已被撤销" in refused.text()
    buyer.reload()
    expect(buyer.get_by_test_id("access-status")).to_contain_text("已撤销")
    expect(buyer.get_by_test_id("data-room-files")).to_have_count(0)
