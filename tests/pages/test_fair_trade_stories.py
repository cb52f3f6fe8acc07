"""Fair trades in the browser (issue #16): the inventors' pre-emption recorded and used to register
in an auction; a 流拍 rescued by a best offer; a default rescued by the runner-up, and the signed
record downloaded. Setup that is not the story (bids, the close, a default) goes through services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Organization
from auctions.models import Auction, BestOfferWindow, RunnerUpOffer
from auctions.services import auction_close, bid_place
from listings.models import Inventor
from marketplace.models import Deal, Payable, Preemption
from marketplace.services.defaults import deal_default
from tests.factories import OrganizationFactory, member_of, open_auction, registered_bidder

from .conftest import confirm

pytestmark = pytest.mark.django_db(transaction=True)


def _end(auction: Auction) -> Auction:
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - dt.timedelta(milliseconds=1))
    return auction_close(auction_id=auction.pk)


def test_the_holder_records_pre_emption_and_the_inventors_company_registers_as_its_holder(browsing):
    auction = open_auction(ends_in=7200)
    achievement = auction.listing.achievement
    Inventor.objects.create(achievement=achievement, name="张明", share=Decimal("40"))
    Inventor.objects.create(achievement=achievement, name="李华", share=Decimal("30"))
    spin_off = OrganizationFactory(name="杭州明华科技有限公司", kind=Organization.Kind.ENTERPRISE)
    holder = member_of(auction.holder, Membership.Role.MEMBER, first_name="周老师")
    inventor_boss = member_of(spin_off, Membership.Role.ADMIN, first_name="张总")

    page = browsing.page(holder)
    page.goto(f"/my/achievements/{achievement.pk}/preemption/")
    rows = page.get_by_test_id("inventor-row")
    zhang, li = rows.nth(0), rows.nth(1)
    zhang.get_by_label("放弃", exact=True).check()
    zhang.get_by_label("放弃声明文件").set_input_files(
        files=[
            {
                "name": "张明放弃优先受让权声明.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            }
        ]
    )
    zhang.get_by_role("button", name="登记").click()
    expect(page.locator(".messages")).to_contain_text("已登记")
    li = page.get_by_test_id("inventor-row").nth(1)
    li.get_by_label("指定优先受让权人").check()
    li.get_by_label("优先受让权人（统一社会信用代码）").fill(spin_off.credit_code)
    li.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("inventor-row").nth(1)).to_contain_text("优先受让权人：杭州明华科技有限公司")
    expect(page.get_by_test_id("inventor-row").nth(0)).to_contain_text("已书面放弃")
    expect(page.get_by_test_id("waiver-document")).to_have_text("张明放弃优先受让权声明.pdf")
    browsing.shot(page, "preemption-recorded")
    assert Preemption.objects.filter(achievement=achievement, superseded_at=None).count() == 2

    company = browsing.page(inventor_boss)
    company.goto(f"/my/achievements/{achievement.pk}/preemption/")
    company.get_by_role("link", name="以优先购买权人身份登记竞买").click()
    company.get_by_test_id("preemptive").check()
    confirm(company, lambda: company.get_by_role("button", name="确认登记竞买").click())
    expect(company.get_by_test_id("bidder-no")).to_be_visible()
    other = browsing.page(member_of(OrganizationFactory()))
    other.goto(f"/auctions/{auction.pk}/")
    expect(other.get_by_test_id("preemptive-registered")).to_contain_text("已有优先购买权人登记竞买")
    expect(other.locator("body")).not_to_contain_text("杭州明华科技有限公司")
    browsing.shot(other, "room-shows-preemptive-registered")


def test_an_unsold_lot_is_rescued_by_a_sealed_best_offer(browsing):
    auction = open_auction(reserve_price="5000.00")
    alice, a = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    assert _end(auction).status == "unsold"
    holder = member_of(auction.holder, Membership.Role.MEMBER)

    hp = browsing.page(holder)
    hp.goto(f"/auctions/{auction.pk}/")
    hp.get_by_role("link", name="流拍与违约处置").click()
    confirm(hp, lambda: hp.get_by_role("button", name="开启择优报价").click())
    expect(hp.get_by_test_id("window-status")).to_contain_text("报价中")

    bp = browsing.page(alice)
    bp.goto(f"/auctions/{auction.pk}/rescue/")
    bp.get_by_label("密封报价（元）").fill("3800.00")
    confirm(bp, lambda: bp.get_by_role("button", name="提交密封报价").click())
    expect(bp.get_by_test_id("offer-row")).to_contain_text("3,800.00")
    # Sealed: the other bidder sees none of it.
    other = browsing.page(bob)
    other.goto(f"/auctions/{auction.pk}/rescue/")
    expect(other.locator("body")).not_to_contain_text("3,800.00")

    hp.reload()
    confirm(hp, lambda: hp.get_by_role("button", name="接受并成交").click())
    expect(hp.locator(".messages")).to_contain_text("已接受该报价，成交")
    browsing.shot(hp, "best-offer-accepted")
    window = BestOfferWindow.objects.get(auction=auction)
    assert window.status == "accepted"
    deal = Deal.objects.get(pk=window.deal_id)
    assert (deal.buyer_id, deal.price) == (a.organization_id, Decimal("3800.00"))


def test_after_a_default_the_runner_up_takes_the_lot_and_the_record_verifies(browsing):
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=bob, amount="1000.00")
    bid_place(auction_id=auction.pk, user=alice, amount="1100.00")
    _end(auction)
    deal = Deal.objects.get(listing=auction.listing)
    Deal.objects.filter(pk=deal.pk).update(
        concluded_at=deal.concluded_at - dt.timedelta(days=30),
        payment_due_at=deal.concluded_at - dt.timedelta(seconds=1),
    )
    Payable.objects.filter(pk=deal.payment_id).update(due_at=deal.concluded_at - dt.timedelta(seconds=1))
    deal_default(deal=deal)

    hp = browsing.page(member_of(auction.holder, Membership.Role.MEMBER))
    hp.goto(f"/auctions/{auction.pk}/rescue/")
    confirm(hp, lambda: hp.get_by_role("button", name="向顺位竞买人发出要约").click())
    expect(hp.get_by_test_id("runner-up")).to_contain_text(b.bidder_no)

    rp = browsing.page(bob)
    rp.goto(f"/auctions/{auction.pk}/rescue/")
    expect(rp.get_by_test_id("runner-up")).to_contain_text("1,000.00")
    confirm(rp, lambda: rp.get_by_role("button", name="接受受让").click())
    expect(rp.locator(".messages")).to_contain_text("已接受顺位受让，成交")
    browsing.shot(rp, "runner-up-accepted")
    offer = RunnerUpOffer.objects.get(auction=auction)
    assert offer.status == "accepted" and Deal.objects.get(pk=offer.deal_id).buyer_id == b.organization_id

    record = rp.request.get(f"/api/v1/auctions/{auction.pk}/record/").json()
    keys = rp.request.get("/api/v1/keys/").json()
    import base64
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    import verify_record

    published = {k["key_id"]: base64.b64decode(k["public_key"]) for k in keys["keys"]}
    assert verify_record.verify(record, published) == []
    assert [c["payload"]["event"] for c in record["checkpoints"]] == [
        "close",
        "deal_defaulted",
        "runner_up_accepted",
    ]
