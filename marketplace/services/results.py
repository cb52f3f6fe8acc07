"""Publishing transaction results, in an order a syncing client can trust.

The problem: ``updated_at = now()`` is taken when a transaction starts writing, not when it
commits. A reader that has served rows up to T can later see a row stamped before T that committed
after it read, and a cursor sync would skip it.

The rule: every write to ``Result`` takes one transaction-level advisory lock and then stamps the
row with ``greatest(clock_timestamp(), max(updated_at) + 1 µs)``. Writers are therefore serialized
and each one stamps after the previous one has committed (PostgreSQL makes a commit visible before
it releases the transaction's locks), so the committed rows are always a prefix of the
``updated_at`` order and every row has its own ``updated_at``. A reader can never see T2 without
every T1 < T2: ``updated_since`` (exclusive) plus cursor pages never miss or repeat a row. The lock
is taken last in the publishing transaction, so it is held only for the final writes and commit.
Publishing is rare (a deal paid, a contract registered), so the serialization costs nothing.
"""

from __future__ import annotations

from django.db import connection

from ..models import Deal, Result

# pg_advisory_xact_lock key for result writes ("RSLT").
RESULTS_LOCK_KEY = 0x52534C54


def _next_stamp():
    """Take the results write lock and return the next ``updated_at``. Holds the lock until commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RESULTS_LOCK_KEY])
        cursor.execute(
            "SELECT greatest(clock_timestamp(), "
            "(SELECT max(updated_at) FROM marketplace_result) + interval '1 microsecond')"
        )
        return cursor.fetchone()[0]


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
    stamp = _next_stamp()
    result = Result.objects.filter(deal=deal).first()
    if result is None:
        return Result.objects.create(deal=deal, published_at=stamp, updated_at=stamp, **values)
    for name, value in values.items():
        setattr(result, name, value)
    result.updated_at = stamp
    result.save()
    return result
