"""The bulk publish of the platform's listings writes what the single-listing service writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from listings.models import Listing
from listings.services import listing_publish_by_platform, listings_index_missing, listings_publish_bulk
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

REASON = "成果列入先用后转实施清单，平台依规则公开挂牌"


def _written(listing: Listing) -> dict:
    listing.refresh_from_db()
    return {
        "mode": listing.mode,
        "rights": listing.rights,
        "status": listing.status,
        "asking_price": listing.asking_price,
        "notice_days": listing.notice_days,
        "created_by": listing.created_by_id,
        "has_published_at": listing.published_at is not None,
        "has_updated_at": listing.updated_at is not None,
        "indexed": listing.search_vector is not None,
        "moves": list(
            listing.status_changes.order_by("id").values_list("from_status", "to_status", "actor", "reason")
        ),
    }


def test_bulk_and_single_publish_write_the_same_rows():
    one = AchievementFactory(valuation=Decimal("800000.00"))
    two = AchievementFactory(valuation=Decimal("800000.00"))
    single = listing_publish_by_platform(
        achievement=one,
        mode="negotiated",
        rights="use_first",
        reason=REASON,
        asking_price=Decimal("800000.00"),
        notice_days=15,
    )
    assert (
        listings_publish_bulk(achievement_ids=[two.pk], rights="use_first", notice_days=15, reason=REASON)
        == 1
    )
    listings_index_missing()  # the task the bulk sends after commit
    assert _written(single) == _written(Listing.objects.get(achievement=two))


def test_bulk_publish_skips_an_achievement_already_on_offer():
    one = AchievementFactory()
    listings_publish_bulk(achievement_ids=[one.pk], rights="use_first", notice_days=15, reason=REASON)
    assert (
        listings_publish_bulk(achievement_ids=[one.pk], rights="use_first", notice_days=15, reason=REASON)
        == 0
    )
    assert Listing.objects.filter(achievement=one).count() == 1
