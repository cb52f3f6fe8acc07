"""Publishing transaction results, in an order a syncing client can trust: the results table's
trigger stamps every write with the writing transaction's id and stamp (``core.sync``: the rule,
why, and its guarantee are written there). No lock: deals published at once never wait for each
other.
"""

from __future__ import annotations

from core.sync import sync_stamp

from ..models import Deal, Result
from ..validators import contract_registration_no_valid


def result_publish(*, deal: Deal) -> Result:
    """Publish (or refresh) the public result of ``deal``. The caller holds the deal's row lock."""
    deal = Deal.objects.select_related("listing__achievement", "buyer", "seller").get(pk=deal.pk)
    achievement = deal.listing.achievement
    values = {
        "listing": deal.listing,
        "achievement": achievement,
        "listing_title": achievement.title,
        "field": achievement.field,
        "mode": deal.mode,
        "rights": deal.rights,
        "price": deal.price,
        "seller": deal.seller.name,
        "buyer": deal.buyer.name,
        "concluded_at": deal.concluded_at,
        "bid_count": deal.bid_count,
        # Only a number of the published shape is published: one entered before the format was
        # checked stays on the deal, for an operator to correct, until it is valid.
        "contract_registration_no": deal.contract_registration_no
        if contract_registration_no_valid(deal.contract_registration_no)
        else "",
    }
    stamp = sync_stamp()  # what the trigger writes into updated_at, for the returned instance
    result = Result.objects.filter(deal=deal).first()
    if result is None:
        return Result.objects.create(deal=deal, published_at=stamp, updated_at=stamp, **values)
    for name, value in values.items():
        setattr(result, name, value)
    result.updated_at = stamp
    result.save()
    return result
