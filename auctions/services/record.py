"""存证检查点: the market signs an auction record's state (the chain's head, the count, the outcome)
at the close and at every transition of its deal, with its Ed25519 key (``core.signing``).

A party downloads the record (``GET /api/v1/auctions/{id}/record/``: the bids with their hashes and
every checkpoint) and checks it with ``tools/verify_record.py`` and the published key
(``GET /api/v1/keys/``): a changed bid breaks its hash, a removed one breaks the sequence, and a
truncated list no longer reaches the signed head and count.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import signing
from core.dbclock import db_now
from core.money import money_format

from ..models import Auction, Checkpoint

FORMAT = "zjtm-auction-record/1"


def checkpoint_payload(
    *,
    auction: Auction,
    event: str,
    outcome: str,
    now: datetime,
    deal_id: int | None = None,
    price: Any = None,
    winner: str | None = None,
) -> dict[str, Any]:
    """What is signed: plain JSON values only, so the offline verifier recomputes the same bytes."""
    return {
        "format": FORMAT,
        "auction": auction.pk,
        "listing": auction.listing_id,
        "event": event,
        "count": auction.bid_count,
        "head": auction.last_hash,
        "outcome": outcome,
        "deal": deal_id,
        "price": money_format(price) if price is not None else None,
        "winner_bidder_no": winner,
        "signed_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def checkpoint_seal(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its signature: what the 成交确认书 carries and the record lists."""
    signature, key_id = signing.sign(payload)
    return {"payload": payload, "signature": signature, "key_id": key_id, "algorithm": signing.ALGORITHM}


def checkpoint_store(*, auction: Auction, sealed: dict[str, Any], deal_id: int | None = None) -> Checkpoint:
    payload = sealed["payload"]
    return Checkpoint.objects.create(
        auction=auction,
        deal_id=deal_id if deal_id is not None else payload["deal"],
        event=payload["event"],
        count=payload["count"],
        head=payload["head"],
        outcome=payload["outcome"],
        payload=payload,
        signature=sealed["signature"],
        key_id=sealed["key_id"],
        created_at=datetime.fromisoformat(payload["signed_at"].replace("Z", "+00:00")),
    )


def checkpoint_sign(
    *,
    auction: Auction,
    event: str,
    outcome: str,
    now: datetime | None = None,
    deal_id: int | None = None,
    price: Any = None,
    winner: str | None = None,
) -> Checkpoint:
    """Sign and keep a checkpoint of the auction as it is now. The caller holds the auction's lock
    or the auction is final (its bids no longer change)."""
    payload = checkpoint_payload(
        auction=auction,
        event=event,
        outcome=outcome,
        now=now or db_now(),
        deal_id=deal_id,
        price=price,
        winner=winner,
    )
    return checkpoint_store(auction=auction, sealed=checkpoint_seal(payload))


def deal_checkpoint(*, deal: Any, to_status: str) -> Checkpoint | None:
    """Answer the ``deal_moved`` seam: a deal of an auctioned listing moved to ``to_status``; sign
    the auction's record with the deal's new status. Other deals have no auction record: nothing."""
    auction = Auction.objects.filter(listing_id=deal.listing_id).select_related("leader").first()
    if auction is None:
        return None
    winner = deal.buyer_id
    bidder_no = (
        auction.registrations.filter(organization_id=winner).values_list("bidder_no", flat=True).first()
    )
    return checkpoint_sign(
        auction=auction,
        event=f"deal_{to_status}",
        outcome=f"deal_{to_status}",
        deal_id=deal.pk,
        price=deal.price,
        winner=bidder_no,
    )
