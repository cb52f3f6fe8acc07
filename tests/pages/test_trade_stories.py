"""The three ways to buy, each the whole story against a live server (uvicorn, a real Celery
worker, Chromium); time-dependent steps move time on the SERVER through the data.

The auction, two companies in two browsers:

A university member lists an auction; an operator approves it; two companies register, their
deposits are confirmed by finance; the auction is moved to its start on the SERVER (the data,
then the real start task on a real Celery worker); they bid against each other and each sees the
other's bid within a second; the first bid falls in the final window and extends the clock in
both rooms; the close (the real close task) shows the winner's bidder number in both; the winner
pays, finance confirms, and the results board shows the deal.

A negotiated sale through offer, counter-offer, public notice and an objection to the deal; a
listed-price sale with one intent.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Organization
from auctions.models import Auction, Bid, Registration
from auctions.tasks import auction_close_task, auction_start_task
from listings.models import Listing
from marketplace.models import Deal, PublicNotice
from marketplace.tasks import fixed_price_resolve_due, notices_conclude_due
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "基于柔性触觉传感的智能机器人灵巧手"


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


def register_and_show_reference(page, listing_id: int) -> tuple[str, str]:
    page.goto(f"/listings/{listing_id}/")
    # Through the room and out again: the room's subscription must survive a watcher leaving.
    page.get_by_role("link", name="进入拍卖会场").click()
    expect(page.locator("[data-live=conn]")).to_have_text("已连接，实时更新")
    page.get_by_role("link", name="竞买登记").click()
    confirm(page, lambda: page.get_by_role("button", name="确认登记竞买").click())
    expect(page.get_by_test_id("deposit-status")).to_have_text("待缴纳")
    return page.get_by_test_id("bidder-no").inner_text(), page.get_by_test_id(
        "payment-reference"
    ).inner_text()


def confirm_payment(ops, reference: str, bank_id: str) -> None:
    ops.goto("/console/payments/")
    card = ops.get_by_role(
        "region", name=re.compile(f"{reference}$")
    )  # labelled by what it is (保证金, 成交价款 ...)
    card.get_by_label("银行流水号").fill(bank_id)
    card.get_by_label("确认说明").fill("已核对银行回单")
    confirm(ops, lambda: card.get_by_role("button", name=f"确认到账 {reference}").click())
    expect(ops.locator(".messages")).to_contain_text(reference)


def bid(page, *, quick: str | None = None) -> None:
    if quick:
        page.get_by_role("button", name=quick).click()
    confirm(page, lambda: page.get_by_role("button", name="出价", exact=True).click())


def test_live_auction_two_companies(browsing, operator, celery_worker):
    zjut = OrganizationFactory(name="浙江工业大学", kind=Organization.Kind.UNIVERSITY)
    teacher = member_of(zjut, Membership.Role.MEMBER, first_name="周老师")
    achievement = AchievementFactory(holder=zjut, title=TITLE, field="advanced_manufacturing")
    hikon = OrganizationFactory(name="杭州海康智能科技有限公司", kind=Organization.Kind.ENTERPRISE)
    tea = OrganizationFactory(name="浙江茶研科技有限公司", kind=Organization.Kind.ENTERPRISE)
    buyer_a = member_of(hikon, Membership.Role.ADMIN, first_name="赵总")
    buyer_b = member_of(tea, Membership.Role.ADMIN, first_name="钱经理")

    # The university member lists the auction.
    lister = browsing.page(teacher)
    lister.goto(f"/my/listings/new/?achievement={achievement.pk}")
    lister.get_by_label("拍卖", exact=True).check()
    lister.get_by_label("转化方式").select_option("transfer")
    lister.get_by_label("起拍价（元）").fill("100000.00")
    lister.get_by_label("加价幅度（元）").fill("5000.00")
    lister.get_by_label("保证金（元）").fill("20000.00")
    now = timezone.now()
    lister.get_by_label("开拍时间").fill(local(now + dt.timedelta(hours=1)))
    lister.get_by_label("结束时间").fill(local(now + dt.timedelta(minutes=30)))  # before the start
    lister.get_by_label("延时周期（秒）").fill("60")
    lister.get_by_role("button", name="保存草稿").click()
    expect(lister.locator("#id_ends_at_error")).to_contain_text("晚于开拍时间")
    lister.get_by_label("结束时间").fill(local(now + dt.timedelta(hours=2)))
    lister.get_by_role("button", name="保存草稿").click()
    confirm(lister, lambda: lister.get_by_role("button", name="提交审核").click())
    expect(lister.get_by_test_id("listing-status")).to_have_text("待平台审核")
    listing_id = int(lister.url.rstrip("/").split("/")[-1])

    # The operator approves it: the auction opens.
    ops = browsing.page(operator)
    ops.goto("/console/listings/")
    ops.get_by_role("link", name=f"审核 {TITLE}").click()
    ops.get_by_label("同意").check()
    confirm(ops, lambda: ops.get_by_role("button", name="提交结论").click())
    expect(ops.locator(".messages")).to_contain_text("审核结论已提交")
    auction = Auction.objects.get(listing_id=listing_id)

    # Two companies register and get their deposits' payment instructions.
    a = browsing.page(buyer_a)
    b = browsing.page(buyer_b, phone=True)
    a_no, a_ref = register_and_show_reference(a, listing_id)
    b_no, b_ref = register_and_show_reference(b, listing_id)
    browsing.shot(b, "deposit-instructions-phone")
    confirm_payment(ops, a_ref, "ICBC-DEP-A")
    confirm_payment(ops, b_ref, "ICBC-DEP-B")
    a.reload()
    expect(a.get_by_test_id("deposit-status")).to_contain_text("已冻结")

    # Time moves on the server: the auction starts now and ends in 40 s, inside its 60 s window.
    a.goto(f"/auctions/{auction.pk}/")
    b.goto(f"/auctions/{auction.pk}/")
    for page in (a, b):
        expect(page.locator("[data-live=conn]")).to_have_text("已连接，实时更新")
        # who is here (issue 14 item 14): both companies registered, each room counts its sockets
        expect(page.get_by_test_id("registered")).to_have_text("2")
        expect(page.get_by_test_id("watchers")).to_have_text(re.compile(r"^[12]$"))
    now = timezone.now()
    Auction.objects.filter(pk=auction.pk).update(
        starts_at=now - dt.timedelta(seconds=1), ends_at=now + dt.timedelta(seconds=40)
    )
    auction_start_task.delay(auction.pk)
    for page in (a, b):
        expect(page.locator("[data-live=status]")).to_have_text("竞价中", timeout=10_000)
    ends_before = a.get_by_test_id("ends-at").inner_text()

    # A bids the proposed minimum: B sees it within a second, and the end moves in both rooms.
    expect(a.get_by_label("出价金额（元）")).to_have_value("100000.00")
    bid(a)
    expect(a.get_by_test_id("mine")).to_have_text("您已领先")
    expect(b.get_by_test_id("leader")).to_have_text(a_no, timeout=1_000)
    for page in (a, b):
        expect(page.get_by_test_id("extended")).to_contain_text("已延时", timeout=1_000)
        expect(page.get_by_test_id("ends-at")).not_to_have_text(ends_before)
        # the rules panel keeps the listed end, and says that the countdown above is the live one
        expect(page.locator(".terms")).to_contain_text("原定结束时间")
    browsing.shot(b, "extended-phone")

    # B outbids with a quick increment; A sees it within a second and is told.
    bid(b, quick="出价金额填为 ¥110,000.00")
    expect(b.get_by_test_id("mine")).to_have_text("您已领先")
    expect(a.get_by_test_id("leader")).to_have_text(b_no, timeout=1_000)
    expect(a.get_by_test_id("mine")).to_have_text("您已被超越")
    expect(a.locator("[data-live=price]")).to_have_text("¥110,000.00")

    # A answers with the minimum; a second bid while leading is refused with a clear reason.
    bid(a)
    expect(b.get_by_test_id("leader")).to_have_text(a_no, timeout=1_000)
    a.get_by_label("出价金额（元）").fill("130000.00")
    bid(a)
    expect(a.get_by_test_id("refusal")).to_contain_text("最高出价者")
    browsing.shot(a, "live-room-desktop")

    # The end is moved into the past on the server and the real close task runs on the worker.
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - dt.timedelta(milliseconds=100))
    auction_close_task.delay(auction.pk)
    for page in (a, b):
        expect(page.get_by_test_id("result")).to_contain_text(f"竞买号 {a_no}", timeout=10_000)
    expect(a.get_by_test_id("mine")).to_have_text("恭喜，您已竞得！")
    # Without a reload, the bid form gives way to each one's outcome (issue 14 item 7).
    expect(a.get_by_test_id("outcome")).to_have_attribute("data-role", "winner", timeout=10_000)
    expect(a.get_by_test_id("outcome-next")).to_contain_text("¥95,000.00")
    expect(b.get_by_test_id("outcome")).to_have_attribute("data-role", "loser", timeout=10_000)
    for page in (a, b):
        expect(page.get_by_role("button", name="出价", exact=True)).to_be_hidden()
    browsing.shot(b, "closed-phone")
    # The closed room draws the price over time: one point per bid (issue 14 item 14).
    b.reload()
    expect(b.get_by_test_id("line-chart").locator("[data-point]")).to_have_count(
        Bid.objects.filter(auction_id=auction.pk).count()
    )
    browsing.shot(b, "price-trend-phone")
    deal = Deal.objects.get(listing_id=listing_id)
    assert deal.price == Decimal("115000.00") and deal.buyer == hikon

    # The winner pays the balance (price less the deposit); finance confirms; the board shows it.
    a.goto("/my/deals/")
    a.get_by_role("link", name=TITLE).click()
    expect(a.locator("body")).to_contain_text("¥95,000.00")
    reference = a.get_by_test_id("payment-reference").inner_text()
    confirm_payment(ops, reference, "ICBC-BAL-A")
    visitor = browsing.page()
    visitor.goto("/results/")
    expect(visitor.get_by_test_id("results")).to_contain_text(TITLE)
    expect(visitor.get_by_test_id("results")).to_contain_text("¥115,000.00")
    expect(visitor.locator("[data-testid=deals-chart] rect[data-mode=auction]")).to_have_count(1)
    browsing.shot(visitor, "results-board")
    assert not Registration.objects.filter(auction=auction, payment__deposit_status="frozen").exists()


def test_negotiated_sale_through_notice_to_deal(browsing, operator, celery_worker):
    listing = make_listing(mode="negotiated", notice_days=1, asking_price=Decimal("500000.00"))
    title = listing.achievement.title
    holder_admin = member_of(listing.achievement.holder, Membership.Role.ADMIN, first_name="陈老师")
    medi = OrganizationFactory(name="宁波医械创新有限公司", kind=Organization.Kind.ENTERPRISE)
    buyer = member_of(medi, Membership.Role.ADMIN, first_name="孙总")
    bystander = member_of(OrganizationFactory(kind=Organization.Kind.ENTERPRISE), Membership.Role.ADMIN)

    b = browsing.page(buyer, phone=True)
    b.goto(f"/listings/{listing.pk}/")
    b.get_by_role("link", name="提出报价").click()
    b.get_by_label("留言").fill("希望尽快签约，可一次性付清。")
    confirm(b, lambda: b.get_by_role("button", name="提交报价").click())
    expect(b.locator("#id_amount_error")).to_be_visible()  # the price is required
    expect(b.get_by_label("留言")).to_have_value("希望尽快签约，可一次性付清。")
    b.get_by_label("报价（元）").fill("400000.00")
    confirm(b, lambda: b.get_by_role("button", name="提交报价").click())
    expect(b.get_by_test_id("offer-status")).to_have_text("待答复")

    h = browsing.page(holder_admin)
    h.goto("/my/trades/")
    h.get_by_role("link", name=f"答复 {title}").click()
    h.get_by_label("报价（元）").fill("450000.00")
    confirm(h, lambda: h.get_by_role("button", name="还价").click())
    expect(h.locator(".messages")).to_contain_text("已还价")

    b.goto("/my/trades/")
    b.get_by_role("link", name=f"答复 {title}").click()
    confirm(b, lambda: b.get_by_role("button", name="接受报价 ¥450,000.00").click())
    expect(b.get_by_test_id("notice-status")).to_have_text("公示中")
    notice_url = b.url

    # Anyone signed in may object during the notice; an operator decides, with a reason.
    x = browsing.page(bystander)
    x.goto(notice_url)
    confirm(x, lambda: x.get_by_role("button", name="提交异议").click())
    expect(x.locator(".has-error")).to_be_visible()
    x.get_by_label("异议理由").fill("该成果已许可他人使用，价格偏低。")
    confirm(x, lambda: x.get_by_role("button", name="提交异议").click())
    expect(x.locator(".messages")).to_contain_text("异议已提交")
    ops = browsing.page(operator)
    ops.goto("/console/notices/")
    ops.get_by_role("link", name=title).click()
    ops.get_by_label("异议不成立").check()
    ops.get_by_label("处理意见").fill("经核实，该许可为普通许可，不影响本次转让。")
    confirm(ops, lambda: ops.get_by_role("button", name="提交处理结论").click())
    expect(ops.locator(".messages")).to_contain_text("异议已处理")

    # The notice period ends on the server; the real job on the worker concludes the deal.
    notice = PublicNotice.objects.get(listing=listing)
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    notices_conclude_due.delay()
    deadline = time.monotonic() + 10
    while not Deal.objects.filter(listing=listing).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    b.goto(notice_url)
    expect(b.get_by_test_id("notice-status")).to_have_text("已成交")
    b.get_by_role("link", name="成交确认").click()
    expect(b.get_by_test_id("deal-price")).to_have_text("¥450,000.00")
    expect(b.get_by_test_id("payment-reference")).not_to_be_empty()
    browsing.shot(b, "negotiated-deal-phone")


def test_listed_price_sale_with_one_intent(browsing, celery_worker):
    listing = make_listing(mode="fixed_price", price=Decimal("300000.00"))
    title = listing.achievement.title
    tea = OrganizationFactory(name="浙江茶研科技有限公司", kind=Organization.Kind.ENTERPRISE)
    buyer = member_of(tea, Membership.Role.ADMIN, first_name="钱经理")

    b = browsing.page(buyer)
    b.goto("/catalogue/")
    b.get_by_label("交易方式").select_option("fixed_price")
    b.get_by_role("link", name=title).click()
    b.get_by_role("link", name="申报受让意向").click()
    confirm(b, lambda: b.get_by_role("button", name="确认登记意向").click())
    expect(b.locator(".messages")).to_contain_text("意向已登记")
    expect(b.locator("body")).to_contain_text(title)

    # The listing period ends on the server; the real job on the worker makes the one deal.
    Listing.objects.filter(pk=listing.pk).update(listing_ends_at=timezone.now() - dt.timedelta(seconds=1))
    fixed_price_resolve_due.delay()
    deadline = time.monotonic() + 10
    while not Deal.objects.filter(listing=listing).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    b.goto("/my/deals/")
    b.get_by_role("link", name=title).click()
    expect(b.get_by_test_id("deal-price")).to_have_text("¥300,000.00")
    expect(b.get_by_test_id("due")).not_to_be_empty()
    browsing.shot(b, "fixed-price-deal")
