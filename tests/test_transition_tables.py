"""Every transition table names every status of its model, and only those: a status missing from
its table would make a move from it a 500 instead of a 409 (it happened to withdrawn offers)."""

from __future__ import annotations

import pytest

from accounts.models import Organization
from accounts.services import ORGANIZATION_TRANSITIONS
from auctions.models import Auction
from auctions.services import AUCTION_TRANSITIONS
from conversion.models import UseFirstAgreement, UseFirstApplication
from conversion.services import AGREEMENT_TRANSITIONS, APPLICATION_TRANSITIONS
from listings.models import ConversionStatus, Listing
from listings.services.achievements import CONVERSION_TRANSITIONS
from listings.services.listings import LISTING_TRANSITIONS
from marketplace.models import Deal, Offer, Payable, PublicNotice
from marketplace.services.deals import DEAL_TRANSITIONS
from marketplace.services.negotiation import NOTICE_TRANSITIONS, OFFER_TRANSITIONS
from marketplace.services.payables import DEPOSIT_TRANSITIONS, PAYABLE_TRANSITIONS

TABLES = [
    ("organization", ORGANIZATION_TRANSITIONS, Organization.Status),
    ("listing", LISTING_TRANSITIONS, Listing.Status),
    ("conversion", CONVERSION_TRANSITIONS, ConversionStatus),
    ("deal", DEAL_TRANSITIONS, Deal.Status),
    ("offer", OFFER_TRANSITIONS, Offer.Status),
    ("notice", NOTICE_TRANSITIONS, PublicNotice.Status),
    ("payable", PAYABLE_TRANSITIONS, Payable.Status),
    ("deposit", DEPOSIT_TRANSITIONS, Payable.DepositStatus),
    ("use-first application", APPLICATION_TRANSITIONS, UseFirstApplication.Status),
    ("use-first agreement", AGREEMENT_TRANSITIONS, UseFirstAgreement.Status),
    ("auction", AUCTION_TRANSITIONS, Auction.Status),
]


@pytest.mark.parametrize(("name", "table", "statuses"), TABLES, ids=[t[0] for t in TABLES])
def test_the_table_covers_every_status_and_only_those(name, table, statuses):
    assert set(table) == set(statuses.values), f"{name}: statuses without a row"
    for source, targets in table.items():
        assert set(targets) <= set(statuses.values), f"{name}: {source} moves to an unknown status"
