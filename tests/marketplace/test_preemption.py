"""Inventors' pre-emption (Civil Code Art. 847; issue #16, part 1): the holder records a waiver or a
pre-emption holder per inventor; the holder registers in an auction as such and its bid EQUAL to
the current price leads (the bid engine); it claims negotiated and fixed-price transfers at equal
terms; licences have no pre-emption; the 成交确认书 says how pre-emption was handled."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from auctions.models import Auction
from auctions.services import BidRejected, auction_close, bid_place
from listings.models import Inventor, Listing
from marketplace.models import Deal, Preemption, PreemptionClaim, PublicNotice
from marketplace.services import preemption_record
from marketplace.services.intents import fixed_price_resolve
from marketplace.services.negotiation import notice_conclude
from tests.auctions.fair_helpers import end_now
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of, open_auction, registered_bidder

from .conftest import make_listing

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _inventors(achievement, *names: str) -> list[Inventor]:
    return [Inventor.objects.create(achievement=achievement, name=n, share=Decimal("10")) for n in names]


def _record_holder(achievement, organization) -> Preemption:
    holder = member_of(achievement.holder)
    (inventor,) = _inventors(achievement, "张明")
    return preemption_record(
        achievement=achievement,
        actor=holder,
        inventor=inventor,
        waived=False,
        holder_organization=organization,
    )


def waiver(name: str = "张明放弃优先受让权声明.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_holder_records_a_waiver_with_its_document_or_a_holder_and_others_may_not(university, operator):
    listing = make_listing(university)
    achievement = listing.achievement
    zhang, li = _inventors(achievement, "张明", "李华")
    spin_off = OrganizationFactory()
    holder_user = member_of(university)
    holder, stranger = client_for(holder_user), client_for(member_of(OrganizationFactory()))
    url = f"/api/v1/achievements/{achievement.pk}/preemption/"
    r = holder.post(url, {"inventor": zhang.pk, "waived": True}, format="multipart")
    assert (
        r.status_code == 400 and r.json()["code"] == "document_required" and "document" in r.json()["fields"]
    )
    # A file that is not what its name says: core.files reads its content and refuses it.
    fake = waiver("声明.pdf", b"MZ\x90\x00 not a pdf")
    r = holder.post(url, {"inventor": zhang.pk, "waived": True, "document": fake}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "invalid_file"
    assert "文件类型不支持" in r.json()["fields"]["document"][0]
    r = holder.post(url, {"inventor": zhang.pk, "waived": True, "document": waiver()}, format="multipart")
    assert r.status_code == 201, r.content
    document = r.json()["document"]
    assert r.json()["waived"] is True and document["name"] == "张明放弃优先受让权声明.pdf"
    assert (document["kind"], document["size"]) == ("pdf", len(PDF))
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()  # computed by the server
    stored = Preemption.objects.get(pk=r.json()["id"]).document_file
    assert stored.name.startswith(f"preemptions/{achievement.pk}/") and stored.read() == PDF
    # The holder and operators open it; others do not.
    page = Client()
    page.force_login(holder_user)
    response = page.get(document["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    page.force_login(operator)
    assert page.get(document["url"]).status_code == 200
    page.force_login(member_of(OrganizationFactory()))
    assert page.get(document["url"]).status_code == 404
    # A pre-emption holder, recorded as JSON as before.
    r = holder.post(url, {"inventor": li.pk, "holder_organization": spin_off.pk}, format="json")
    assert r.status_code == 201 and r.json()["holder_organization"] == spin_off.pk
    assert (
        stranger.post(url, {"inventor": li.pk, "holder_organization": spin_off.pk}, format="json").status_code
        == 403
    )
    # Recording again supersedes, and the old record stays.
    r = holder.post(
        url, {"inventor": li.pk, "waived": True, "document": waiver("李华.pdf")}, format="multipart"
    )
    assert r.status_code == 201
    assert Preemption.objects.filter(achievement=achievement, inventor_name="李华").count() == 2
    assert Preemption.objects.filter(achievement=achievement, superseded_at=None).count() == 2


def test_the_page_takes_the_waiver_as_an_uploaded_file(university):
    listing = make_listing(university)
    achievement = listing.achievement
    (zhang,) = _inventors(achievement, "张明")
    page = Client()
    page.force_login(member_of(university))
    url = f"/my/achievements/{achievement.pk}/preemption/"
    body = page.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body
    r = page.post(url, {"action": "record", "inventor": zhang.pk, "choice": "waive"}, follow=True)
    assert "放弃优先受让权须附书面文件" in r.content.decode()
    png_named_pdf = waiver("声明.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    r = page.post(
        url, {"action": "record", "inventor": zhang.pk, "choice": "waive", "document": png_named_pdf}
    )
    assert not Preemption.objects.filter(achievement=achievement).exists()
    r = page.post(
        url, {"action": "record", "inventor": zhang.pk, "choice": "waive", "document": waiver()}, follow=True
    )
    record = Preemption.objects.get(achievement=achievement)
    assert record.document["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert f"/my/achievements/{achievement.pk}/preemption/{record.pk}/document/" in r.content.decode()


def test_no_pre_emption_on_an_invention_that_is_not_a_service_invention(university):
    listing = make_listing(university)
    achievement = listing.achievement
    achievement.is_service_invention = False
    achievement.save(update_fields=["is_service_invention"])
    (inventor,) = _inventors(achievement, "王强")
    r = client_for(member_of(university)).post(
        f"/api/v1/achievements/{achievement.pk}/preemption/",
        {"inventor": inventor.pk, "holder_organization": OrganizationFactory().pk},
        format="json",
    )
    assert r.status_code == 422 and r.json()["code"] == "not_a_service_invention"


def test_in_an_auction_the_pre_emption_holders_equal_bid_takes_the_lead(api):
    auction = open_auction(start_price="1000.00", increment="100.00")
    spin_off = OrganizationFactory()
    _record_holder(auction.listing.achievement, spin_off)
    p_user = member_of(spin_off)
    r = client_for(p_user).post(
        f"/api/v1/auctions/{auction.pk}/registrations/", {"preemptive": True}, format="json"
    )
    assert r.status_code == 201 and r.json()["preemptive"] is True, r.content
    assert r.json()["deposit_status"] == "frozen"  # a zero deposit, as everyone's here
    # Others see only that a pre-emption holder registered, never who.
    public = api.get(f"/api/v1/auctions/{auction.pk}/").json()
    assert public["preemptive_registered"] is True
    assert spin_off.name not in str(public)
    alice, _ = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    matched = bid_place(auction_id=auction.pk, user=p_user, amount="1000.00")
    assert (
        matched.bid.seq == 2
        and api.get(f"/api/v1/auctions/{auction.pk}/").json()["leader_bidder_no"] == matched.bidder_no
    )
    # Anyone else must still beat the price by the increment; an equal bid is below the minimum.
    with pytest.raises(BidRejected) as refused:
        bid_place(auction_id=auction.pk, user=bob, amount="1000.00")
    assert refused.value.code == "below_minimum"
    bid_place(auction_id=auction.pk, user=bob, amount="1100.00")
    bid_place(auction_id=auction.pk, user=p_user, amount="1100.00")  # matches again
    end_now(auction)
    closed = auction_close(auction_id=auction.pk)
    assert closed.status == Auction.Status.SOLD
    deal = Deal.objects.get(listing=auction.listing)
    assert deal.buyer_id == spin_off.pk and deal.price == Decimal("1100.00")
    assert deal.confirmation.terms["preemption"]["handling"] == "exercised"


def test_only_a_recorded_holder_registers_as_such_and_never_on_a_licence():
    auction = open_auction()
    other = member_of(OrganizationFactory())
    r = client_for(other).post(
        f"/api/v1/auctions/{auction.pk}/registrations/", {"preemptive": True}, format="json"
    )
    assert r.status_code == 422 and r.json()["code"] == "not_a_preemption_holder"
    licence = open_auction()
    Listing.objects.filter(pk=licence.listing_id).update(rights="license_general")
    spin_off = OrganizationFactory()
    _record_holder(licence.listing.achievement, spin_off)
    r = client_for(member_of(spin_off)).post(
        f"/api/v1/auctions/{licence.pk}/registrations/", {"preemptive": True}, format="json"
    )
    assert r.status_code == 422 and r.json()["code"] == "preemption_not_applicable"


def _end_notice(notice: PublicNotice) -> None:
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_at=notice.starts_at - dt.timedelta(days=16), ends_at=notice.starts_at - dt.timedelta(seconds=1)
    )


def test_negotiated_the_holder_claims_at_the_noticed_price_and_takes_the_deal(university, company, buyer):
    listing = make_listing(university)
    spin_off = OrganizationFactory()
    _record_holder(listing.achievement, spin_off)
    p = client_for(member_of(spin_off))
    url = f"/api/v1/listings/{listing.pk}/preemption-claim/"
    assert p.post(url).json()["code"] == "no_notice_open"  # no agreed price yet
    offer = client_for(buyer).post(f"/api/v1/listings/{listing.pk}/offers/", {"amount": "450000.00"}).json()
    client_for(member_of(university)).post(f"/api/v1/offers/{offer['id']}/accept/")
    r = p.post(url)
    assert r.status_code == 201 and r.json()["price"] == "450000.00", r.content
    assert p.post(url).json()["code"] == "claim_exists"
    notice = PublicNotice.objects.get(listing=listing)
    _end_notice(notice)
    notice_conclude(notice=notice)
    deal = Deal.objects.get(listing=listing)
    assert (deal.buyer_id, deal.price) == (spin_off.pk, Decimal("450000.00"))
    assert PreemptionClaim.objects.get(listing=listing).status == "exercised"
    assert deal.confirmation.terms["preemption"]["handling"] == "exercised"
    from accounts.models import Notification

    assert Notification.objects.filter(user=buyer, kind="preemption_exercised").exists()


def test_fixed_price_the_holder_claims_at_the_listed_price_within_the_period(university, buyer, company):
    listing = make_listing(university, mode=Listing.Mode.FIXED_PRICE)
    spin_off = OrganizationFactory()
    _record_holder(listing.achievement, spin_off)
    assert client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/").status_code == 201
    r = client_for(member_of(spin_off)).post(f"/api/v1/listings/{listing.pk}/preemption-claim/")
    assert r.status_code == 201 and r.json()["price"] == "300000.00"
    Listing.objects.filter(pk=listing.pk).update(
        listing_ends_at=listing.listing_ends_at - dt.timedelta(days=8)
    )
    fixed_price_resolve(listing=listing)
    deal = Deal.objects.get(listing=listing)
    assert (deal.buyer_id, deal.price, deal.mode) == (spin_off.pk, Decimal("300000.00"), "fixed_price")


def test_a_licence_has_no_pre_emption_and_its_confirmation_says_so(university, buyer):
    listing = make_listing(university, mode=Listing.Mode.FIXED_PRICE)
    Listing.objects.filter(pk=listing.pk).update(rights="license_exclusive")
    spin_off = OrganizationFactory()
    _record_holder(listing.achievement, spin_off)
    r = client_for(member_of(spin_off)).post(f"/api/v1/listings/{listing.pk}/preemption-claim/")
    assert r.status_code == 422 and r.json()["code"] == "preemption_not_applicable"
    client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/")
    Listing.objects.filter(pk=listing.pk).update(
        listing_ends_at=listing.listing_ends_at - dt.timedelta(days=8)
    )
    fixed_price_resolve(listing=Listing.objects.get(pk=listing.pk))
    terms = Deal.objects.get(listing=listing).confirmation.terms
    assert terms["preemption"]["handling"] == "not_applicable" and "不适用" in terms["preemption"]["text"]


def test_a_confirmation_records_that_every_inventor_waived(university, buyer):
    listing = make_listing(university, mode=Listing.Mode.FIXED_PRICE)
    holder = member_of(university)
    for inventor in _inventors(listing.achievement, "张明", "李华"):
        preemption_record(
            achievement=listing.achievement,
            actor=holder,
            inventor=inventor,
            waived=True,
            document=waiver(f"{inventor.name}.pdf"),
        )
    client_for(buyer).post(f"/api/v1/listings/{listing.pk}/intents/")
    Listing.objects.filter(pk=listing.pk).update(
        listing_ends_at=listing.listing_ends_at - dt.timedelta(days=8)
    )
    fixed_price_resolve(listing=Listing.objects.get(pk=listing.pk))
    statement = Deal.objects.get(listing=listing).confirmation.terms["preemption"]
    assert statement["handling"] == "waived" and [i["name"] for i in statement["inventors"]] == [
        "张明",
        "李华",
    ]


def test_the_confirmation_page_states_the_pre_emption_and_the_signed_checkpoint(client):
    auction = open_auction()
    spin_off = OrganizationFactory()
    _record_holder(auction.listing.achievement, spin_off)
    alice, a = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    end_now(auction)
    auction_close(auction_id=auction.pk)
    deal = Deal.objects.get(listing=auction.listing)
    client.force_login(alice)
    page = client.get(f"/my/deals/{deal.pk}/confirmation/").content.decode()
    assert "已登记的优先受让权人未以同等条件受让" in page
    assert deal.confirmation.terms["record_checkpoint"]["signature"] in page
    assert "共 1 次出价" in page
