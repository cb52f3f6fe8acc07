"""The hash chain is computed in two places that must agree: the engine's ``auction_bid_hash`` in
PostgreSQL, which writes it, and ``auctions.chain.bid_hash``, which anyone runs offline to check it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection

from auctions.chain import GENESIS_HASH, bid_hash

pytestmark = pytest.mark.django_db

SHANGHAI = timezone(timedelta(hours=8))

CASES = [
    (GENESIS_HASH, 1, 1, Decimal("1000"), "100000", datetime(2026, 11, 21, 3, 4, 5, 0, tzinfo=UTC)),
    ("ab" * 32, 7, 42, Decimal("1234.5"), "987654", datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=SHANGHAI)),
    (
        "cd" * 32,
        123456789,
        99999,
        Decimal("999999999999.99"),
        "555555",
        datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(("prev", "auction_id", "seq", "amount", "bidder_no", "placed_at"), CASES)
def test_database_and_offline_hash_agree(prev, auction_id, seq, amount, bidder_no, placed_at):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auction_bid_hash(%s, %s, %s, %s, %s, %s)",
            [prev, auction_id, seq, amount, bidder_no, placed_at],
        )
        in_database = cursor.fetchone()[0]
    offline = bid_hash(
        prev_hash=prev,
        auction_id=auction_id,
        seq=seq,
        amount=amount,
        bidder_no=bidder_no,
        placed_at=placed_at,
    )
    assert in_database == offline


def test_any_field_changes_the_hash():
    fields = dict(
        zip(("prev_hash", "auction_id", "seq", "amount", "bidder_no", "placed_at"), CASES[0], strict=True)
    )
    changes = {
        "prev_hash": "1" * 64,
        "auction_id": fields["auction_id"] + 1,
        "seq": fields["seq"] + 1,
        "amount": fields["amount"] + Decimal("0.01"),
        "bidder_no": "100001",
        "placed_at": fields["placed_at"] + timedelta(microseconds=1),
    }
    base = bid_hash(**fields)
    changed = [bid_hash(**{**fields, name: value}) for name, value in changes.items()]
    assert base not in changed and len(set(changed)) == len(changed)
