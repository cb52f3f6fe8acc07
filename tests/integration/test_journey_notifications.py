"""Issue 14, items 5 and 6: every state change a party must act on or would want to know reaches
it in-app and by e-mail, with a working link, in Asia/Shanghai time and money as the pages write
it; e-mail can be switched off per kind; development mail is readable files.

Each test walks a real flow through the services and reads what people received."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Notification, Organization
from accounts.services import (
    notification_preference_set,
    organization_create,
    organization_review,
)
from auctions.models import Auction
from auctions.services import auction_close, bid_place
from auctions.services.outbid import auction_outbid_notify
from core.display import local_time
from listings.models import Listing
from listings.services import listing_submit
from marketplace.models import Payable
from marketplace.services import deal_conclude, payable_confirm
from marketplace.services.negotiation import objection_raise, offer_accept, offer_make
from marketplace.services.settlement import deal_release_for_settlement
from tests.conftest import client_for
from tests.factories import (
    OrganizationFactory,
    UserFactory,
    make_credit_code,
    member_of,
    open_auction,
    registered_bidder,
)
from tests.marketplace.conftest import bank_pays, both_sign, make_listing

pytestmark = pytest.mark.django_db


def browser_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def told(user, kind: str) -> Notification:
    return Notification.objects.get(user=user, kind=kind)


def link_works(user, notification: Notification) -> None:
    """The notification's link opens for the person it was sent to."""
    assert notification.link, notification.kind
    response = browser_of(user).get(notification.link)
    assert response.status_code == 200, (notification.kind, notification.link, response.status_code)


# 5. Local time and money as on the pages -------------------------------------------------------


def test_the_notice_notification_says_shanghai_time_and_yuan_as_the_page(university, company, buyer):
    holder = member_of(university)
    offer = offer_make(listing=make_listing(university), actor=buyer, amount=Decimal("1234567.50"))
    notice = offer_accept(offer=offer, actor=holder)
    body = told(buyer, "notice_opened").body
    # Shanghai is UTC+8 all year: the UTC wall time can never be the Shanghai one.
    assert local_time(notice.ends_at) in body
    assert notice.ends_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") not in body
    assert "¥1,234,567.50" in body and " 元" not in body
    page = Client().get(f"/notices/{notice.pk}/").content.decode()
    assert local_time(notice.ends_at) in page and "¥1,234,567.50" in page
    assert local_time(dt.datetime(2026, 12, 21, 2, 45, tzinfo=dt.UTC)) == "2026-12-21 10:45"


def test_the_deal_notification_gives_the_due_moment_in_shanghai_and_money_formatted(
    university, company, buyer
):
    deal = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("480000.00"), mode="negotiated"
    )
    body = told(buyer, "deal_concluded").body
    assert "¥480,000.00" in body and local_time(deal.payment_due_at) in body
    page = browser_of(buyer).get(f"/my/deals/{deal.pk}/").content.decode()
    assert local_time(deal.payment_due_at) in page and "¥480,000.00" in page


# 6. The missing notifications --------------------------------------------------------------


def test_an_organization_hears_it_was_verified_or_rejected_and_operators_what_waits(
    operator, django_capture_on_commit_callbacks
):
    admin = UserFactory(email="admin@example.cn")
    org = organization_create(
        actor=admin, name="杭州新创科技有限公司", kind="enterprise", credit_code=make_credit_code()
    )
    waiting = told(operator, "organization_pending")
    link_works(operator, waiting)
    organization_review(organization=org, actor=operator, decision="reject", reason="营业执照不清晰")
    rejected = told(admin, "organization_rejected")
    assert "营业执照不清晰" in rejected.body
    link_works(admin, rejected)
    org.refresh_from_db()
    from accounts.services import organization_resubmit

    organization_resubmit(organization=org, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        organization_review(organization=org, actor=operator, decision="approve")
    link_works(admin, told(admin, "organization_verified"))
    assert any("admin@example.cn" in m.to for m in mail.outbox)


def test_the_outbid_leader_is_told_with_the_price_now():
    auction = open_auction(deposit="10000.00")
    alice, a = registered_bidder(auction)
    bob, _b = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    assert auction_outbid_notify(auction_id=auction.pk, first_seq=2, last_seq=2) >= 1
    note = told(alice, "outbid")
    assert "¥1,100.00" in note.body and a.bidder_no in note.body
    link_works(alice, note)
    assert not Notification.objects.filter(user=bob, kind="outbid").exists()
    # the first bid outbids nobody
    assert auction_outbid_notify(auction_id=auction.pk, first_seq=1, last_seq=1) == 0


def test_a_loser_hears_its_deposit_is_released_and_when_the_refund_is_paid_then_that_it_was(operator):
    auction = open_auction(deposit="10000.00")
    alice, _a = registered_bidder(auction)
    bob, b = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - timedelta(milliseconds=1))
    auction_close(auction_id=auction.pk)
    lost = told(alice, "auction_lost")
    refund = Payable.objects.get(kind="refund", payer=alice.memberships.first().organization)
    assert refund.due_at is not None
    assert "¥10,000.00" in lost.body and timezone.localtime(refund.due_at).strftime("%Y-%m-%d") in lost.body
    link_works(alice, lost)
    assert not Notification.objects.filter(user=bob, kind="auction_lost").exists()
    payable_confirm(payable=refund, actor=operator, note="已退回", bank_transaction_id="REFUND-1")
    paid = told(alice, "refund_paid")
    assert "¥10,000.00" in paid.title
    link_works(alice, paid)


def test_an_offer_that_lapsed_is_told_to_its_buyer(university, company, buyer):
    holder = member_of(university)
    other_company = OrganizationFactory(name="宁波另一家科技有限公司")
    other = member_of(other_company)
    listing = make_listing(university)
    winner = offer_make(listing=listing, actor=buyer, amount=Decimal("500000.00"))
    loser = offer_make(listing=listing, actor=other, amount=Decimal("450000.00"))
    offer_accept(offer=winner, actor=holder)
    note = told(other, "offer_lapsed")
    assert "¥450,000.00" in note.body and str(loser.pk) in note.link
    link_works(other, note)


def test_the_holder_hears_the_price_was_paid_and_then_the_payout(university, company, buyer, operator):
    holder = member_of(university)
    deal = deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("480000.00"), mode="negotiated"
    )
    bank_pays(deal.payment)
    paid = told(holder, "deal_paid")
    assert "¥480,000.00" in paid.body
    link_works(holder, paid)
    assert not Notification.objects.filter(user=buyer, kind="deal_paid").exists()
    both_sign(deal)
    deal_release_for_settlement(deal=deal, actor=operator, reason="测试")
    payout = Payable.objects.get(kind="payout", payout_account="holder_payable", deal=deal)
    payable_confirm(payable=payout, actor=operator, note="已付出", bank_transaction_id="OUT-1")
    note = told(holder, "payout_paid")
    assert "转让方所得" in note.title
    link_works(holder, note)


def test_both_parties_hear_of_an_objection_to_their_notice(university, company, buyer):
    holder = member_of(university)
    notice = offer_accept(
        offer=offer_make(listing=make_listing(university), actor=buyer, amount=Decimal("1000.00")),
        actor=holder,
    )
    objection_raise(notice=notice, actor=UserFactory(), reason="价格明显偏低")
    for person in (buyer, holder):
        note = told(person, "notice_objected")
        assert "价格明显偏低" in note.body
        link_works(person, note)


def test_an_approver_is_told_an_approval_waits_with_a_link_to_decide_it():
    holder = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, requires_internal_approval=True)
    editor = member_of(holder, Membership.Role.MEMBER)
    approver = member_of(holder, Membership.Role.APPROVER)
    listing = make_listing(holder, status=Listing.Status.DRAFT)
    listing_submit(listing=listing, actor=editor)
    note = told(approver, "listing_internal_approval")
    assert note.link == f"/my/approvals/{listing.pk}/"
    link_works(approver, note)


# E-mail: per-kind preferences, a working absolute link, readable development mail --------------


def test_email_follows_the_per_kind_preference_and_carries_an_absolute_link(
    university, company, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://market.example.cn"
    buyer = member_of(company, email="buyer@example.cn")
    notification_preference_set(user=buyer, kind="deal_concluded", email=False)
    deal_conclude(
        listing=make_listing(university), buyer=company, price=Decimal("1000.00"), mode="negotiated"
    )
    assert told(buyer, "deal_concluded")  # in-app always
    assert not [m for m in mail.outbox if "buyer@example.cn" in m.to]
    notification_preference_set(user=buyer, kind="deal_concluded", email=True)
    with django_capture_on_commit_callbacks(execute=True):
        deal = deal_conclude(
            listing=make_listing(university), buyer=company, price=Decimal("2000.00"), mode="negotiated"
        )
    (message,) = [m for m in mail.outbox if "buyer@example.cn" in m.to]
    assert f"https://market.example.cn/my/deals/{deal.pk}/" in message.body
    assert "https://market.example.cn/accounts/notifications/preferences/" in message.body


def test_the_preferences_page_and_api(buyer):
    page = browser_of(buyer)
    assert "出价被超越" in page.get("/accounts/notifications/preferences/").content.decode()
    response = page.post("/accounts/notifications/preferences/", {"email": ["deal_concluded"]})
    assert response.status_code == 302
    api = client_for(buyer)
    rows = {r["kind"]: r["email"] for r in api.get("/api/v1/notification-preferences/").json()["results"]}
    assert rows["deal_concluded"] is True and rows["outbid"] is False
    r = api.put("/api/v1/notification-preferences/outbid/", {"email": True}, format="json")
    assert r.status_code == 200 and r.json() == {"kind": "outbid", "label": "出价被超越", "email": True}
    r = api.put("/api/v1/notification-preferences/nonsense/", {"email": True}, format="json")
    assert (r.status_code, r.json()["code"]) == (404, "unknown_kind")


def test_every_kind_the_services_send_is_on_the_preferences_page():
    import re
    from pathlib import Path

    from accounts.notification_kinds import LABELS

    root = Path(__file__).resolve().parents[2]
    sent: set[str] = set()
    for app in ("accounts", "auctions", "conversion", "discovery", "listings", "marketplace", "portal"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "demo.py":
                continue
            text = path.read_text()
            if "notify" not in text:
                continue
            sent |= set(re.findall(r'kind="([a-z_]+)"', text))
            sent |= set(re.findall(r'tell\([^,]+, "([a-z_]+)"\)', text))
    not_notifications = {"applied", "deposit", "balance", "refund", "payout"}
    missing = sorted(sent - set(LABELS) - not_notifications)
    assert not missing, (
        f"add these kinds, with the words people read, to accounts/notification_kinds.py: {missing}"
    )


def test_development_mail_is_one_readable_file_per_message(tmp_path, settings):
    from django.core.mail import get_connection, send_mail

    settings.EMAIL_FILE_PATH = str(tmp_path)
    connection = get_connection("core.mail.MailboxBackend")
    send_mail("成交：茶叶检测", "成交价 ¥480,000.00", None, ["buyer@example.cn"], connection=connection)
    (path,) = tmp_path.iterdir()
    text = path.read_text(encoding="utf-8")
    assert "主题: 成交：茶叶检测" in text and "成交价 ¥480,000.00" in text and "buyer@example.cn" in text
