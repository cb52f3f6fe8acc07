"""Publishing transaction results, in an order a syncing client can trust: every write stamps
``updated_at`` through ``core.syncstamp`` (the rule, why, and what it costs are written there).
The stamp is taken last in the publishing transaction, so the sync lock is held only for the final
writes and commit. Publishing is rare (a deal paid, a contract registered).
"""

from __future__ import annotations

from core.syncstamp import sync_stamp

from ..models import Deal, Result


def result_publish(*, deal: Deal) -> Result:
    """Publish (or refresh) the public result of ``deal``. The caller holds the deal's row lock
    and calls this as the last write of its transaction (see the module docstring)."""
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
        "contract_registration_no": deal.contract_registration_no,
    }
    stamp = sync_stamp("marketplace_result")
    result = Result.objects.filter(deal=deal).first()
    if result is None:
        return Result.objects.create(deal=deal, published_at=stamp, updated_at=stamp, **values)
    for name, value in values.items():
        setattr(result, name, value)
    result.updated_at = stamp
    result.save()
    return result
