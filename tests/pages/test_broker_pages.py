"""Technology brokers in the browser (#16 part 5): a broker records its profile; the holder mandates it
on a listing; after the deal the buyer names it on the deal page; the deal is settled and the
broker's public profile and the ranking show its deal and contribution points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Organization
from marketplace.models import BrokerProfile
from marketplace.services import deal_conclude
from marketplace.services.settlement import deal_settle
from tests.factories import OrganizationFactory, make_listing, member_of
from tests.marketplace.conftest import bank_pays, both_sign

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_broker_is_mandated_named_and_ranked(browsing):
    listing = make_listing(mode="negotiated")
    agency = OrganizationFactory(name="杭州技术转移服务中心", kind=Organization.Kind.AGENCY)
    person = member_of(agency, Membership.Role.BROKER, first_name="周经理")

    b = browsing.page(person)
    b.goto("/brokers/")
    b.get_by_role("link", name="登记为技术经理人").click()
    b.get_by_label("姓名").fill("周明")
    b.get_by_label("技术经理人证书编号").fill("ZJJL-2026-0042")
    b.get_by_label("电子信息").check()
    b.get_by_role("button", name="保存").click()
    expect(b.locator(".messages")).to_contain_text("技术经理人信息已保存")
    expect(b.get_by_test_id("broker-points")).to_have_text("贡献积分 0")

    holder = browsing.page(member_of(listing.achievement.holder, Membership.Role.MEMBER))
    holder.goto(f"/listings/{listing.pk}/")
    holder.get_by_role("link", name="委托技术经理人").click()
    holder.get_by_label("技术经理人证书编号").fill("zjjl-2026-0042")
    holder.get_by_label("佣金比例（%）").fill("4")
    holder.get_by_label("委托截止日").fill((timezone.localdate() + dt.timedelta(days=60)).isoformat())
    holder.get_by_role("button", name="委托", exact=True).click()
    expect(holder.locator(".errors")).to_contain_text("不得低于 5%")
    holder.get_by_label("佣金比例（%）").fill("8")
    holder.get_by_role("button", name="委托", exact=True).click()
    expect(holder.get_by_test_id("mandates")).to_contain_text("周明")
    expect(holder.get_by_test_id("mandates")).to_contain_text("8%")
    browsing.shot(holder, "mandates")

    company = OrganizationFactory(name="宁波智能装备有限公司")
    buyer = browsing.page(member_of(company, Membership.Role.ADMIN))
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("650000.00"), mode="negotiated")
    buyer.goto(f"/my/deals/{deal.pk}/")
    buyer.get_by_label("促成本次成交的技术经理人").select_option(
        label="周明（杭州技术转移服务中心，证书 ZJJL-2026-0042）"
    )
    confirm(buyer, lambda: buyer.get_by_role("button", name="指定技术经理人").click())
    expect(buyer.locator(".messages")).to_contain_text("已指定技术经理人 周明")
    expect(buyer.get_by_test_id("deal-broker")).to_contain_text("8%")

    bank_pays(deal.payment)
    both_sign(deal)
    deal_settle(deal=deal)
    points = BrokerProfile.objects.get(user=person).points  # 10 + 6 whole 100,000s
    assert points == 16

    b.goto("/")
    b.get_by_role("link", name="技术经理人").first.click()
    expect(b.get_by_test_id("broker-ranking")).to_contain_text("周明")
    b.get_by_role("link", name="周明").click()
    expect(b.get_by_test_id("broker-points")).to_have_text("贡献积分 16")
    expect(b.get_by_test_id("broker-deals")).to_contain_text("¥650,000.00")
    browsing.shot(b, "broker-profile")
    b.goto("/accounts/notifications/")
    expect(b.locator("main")).to_contain_text("贡献积分 +16")
