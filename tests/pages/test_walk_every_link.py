"""Every user's pages, at 1366x900 and on a 390x844 phone, with every link on them followed
(no 4xx, no console error; tests/pages/links.py) and a screenshot of each (#14 "done when", item 15).

The stories' steps themselves are clicked through in test_trade_stories.py and the other page
tests; here each user reaches the end of its story (the holder's settled-to-be deal and its
attachments, the buyer's deposit receipt and deal, the operator's queues, the visitor's public
pages) and every page on the way is checked for dead links and for fitting a phone: nothing may
scroll sideways at 390 px.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from listings.services import attachment_add
from marketplace.models import Payable
from marketplace.services import deal_conclude, payment_receipt_submit
from marketplace.services.confirmation import deal_confirmation_sign
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of, open_auction

pytestmark = pytest.mark.django_db(transaction=True)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def market(settings, tmp_path):
    """A small market: a university's listed achievement with attachments, an auction a company
    registered for (receipt sent), and a concluded deal between them, signed by the buyer."""
    university = OrganizationFactory(name="浙江工业大学", kind="university")
    company = OrganizationFactory(name="杭州茶香科技有限公司", kind="enterprise")
    holder = member_of(university, Membership.Role.ADMIN, username="holder", first_name="明", last_name="李")
    buyer = member_of(company, Membership.Role.ADMIN, username="buyer", first_name="伟", last_name="王")
    achievement = AchievementFactory(holder=university, title="一种茶树扦插快速育苗方法")
    listing = make_listing(achievement=achievement)
    attachment_add(
        achievement=achievement,
        actor=holder,
        role="photo",
        caption="育苗基地",
        upload=SimpleUploadedFile("基地.png", PNG),
    )
    attachment_add(
        achievement=achievement,
        actor=holder,
        role="brochure",
        caption="成果手册",
        upload=SimpleUploadedFile("手册.pdf", PDF),
    )
    auction = open_auction(university, deposit="20000.00", starts_in=3600, ends_in=7200)
    from auctions.services import registration_create

    registration = registration_create(auction_id=auction.pk, actor=buyer)
    payment_receipt_submit(
        payable=registration.payment, actor=buyer, upload=SimpleUploadedFile("回单.pdf", PDF)
    )
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    deal_confirmation_sign(deal=deal, actor=buyer)
    return {
        "holder": holder,
        "buyer": buyer,
        "listing": listing,
        "achievement": achievement,
        "auction": auction,
        "deal": deal,
        "deposit": Payable.objects.get(pk=registration.payment_id),
    }


def _walk(browsing, walker, user, paths, label):
    for phone in (False, True):
        page = browsing.page(user, phone=phone)
        for name, path in paths:
            shot = f"{label}-{'phone' if phone else 'desktop'}-{name}"
            if phone:
                page.goto(path)
                page.wait_for_load_state("load")
                browsing.shot(page, shot)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 391, f"{path} scrolls sideways on a phone ({width}px wide)"
            else:
                walker.visit(page, path, shot=shot)


def test_the_visitor_walks_the_public_pages(browsing, link_walker, market):
    listing = market["listing"]
    paths = [
        ("home", "/"),
        ("catalogue", "/catalogue/"),
        ("listing", f"/listings/{listing.pk}/"),
        ("auctions", "/auctions/"),
        ("results", "/results/"),
        ("use-first", "/use-first/"),
        ("rankings", "/rankings/"),
        ("demands", "/demands/"),
        ("publications", "/publications/"),
        ("inquiry", f"/listings/{listing.pk}/inquiry/"),
    ]
    _walk(browsing, link_walker, None, paths, "visitor")


def test_the_university_holder_walks_to_its_deal(browsing, link_walker, market):
    a, deal = market["achievement"], market["deal"]
    paths = [
        ("todo", "/my/todo/"),
        ("achievements", "/my/achievements/"),
        ("achievement", f"/my/achievements/{a.pk}/"),
        ("attachments", f"/my/achievements/{a.pk}/attachments/"),
        ("listings", "/my/listings/"),
        ("deals", "/my/deals/"),
        ("deal", f"/my/deals/{deal.pk}/"),
        ("confirmation", f"/my/deals/{deal.pk}/confirmation/"),
        ("demand-responses", "/my/demand-responses/"),
        ("inquiry", f"/listings/{market['listing'].pk}/inquiry/"),
    ]
    _walk(browsing, link_walker, market["holder"], paths, "holder")


def test_the_company_buyer_walks_to_its_deposit_and_deal(browsing, link_walker, market):
    deal, auction, deposit = market["deal"], market["auction"], market["deposit"]
    paths = [
        ("todo", "/my/todo/"),
        ("mine", "/my/auctions/"),
        ("register", f"/auctions/{auction.pk}/register/"),
        ("receipt", f"/my/payments/{deposit.pk}/receipt/"),
        ("deals", "/my/deals/"),
        ("deal", f"/my/deals/{deal.pk}/"),
        ("confirmation", f"/my/deals/{deal.pk}/confirmation/"),
        ("demands", "/demands/"),
        ("subscriptions", "/my/subscriptions/"),
    ]
    _walk(browsing, link_walker, market["buyer"], paths, "buyer")


def test_the_operator_walks_its_console(browsing, link_walker, market, operator):
    deal = market["deal"]
    paths = [
        ("todo", "/my/todo/"),
        ("console", "/console/"),
        ("payments", "/console/payments/?state=receipt"),
        ("payments-all", "/console/payments/"),
        ("deals", "/console/deals/"),
        ("auctions", "/console/auctions/"),
        ("deal", f"/my/deals/{deal.pk}/"),
    ]
    _walk(browsing, link_walker, operator, paths, "operator")
