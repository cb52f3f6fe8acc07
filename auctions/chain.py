"""The tamper-evident bid record: each bid's hash covers the previous bid's hash.

``hash(seq) = sha256(prev_hash | auction | seq | amount | bidder_no | placed_at)`` with the first bid
chaining to ``GENESIS_HASH``. Anyone holding the public bid list (``GET /api/v1/auctions/{id}/bids/``)
can recompute it offline; this module has no Django dependency so it runs anywhere::

    python -m auctions.chain AUCTION_ID bids.json     # the API's pages, or a JSON list of bids

It prints ``ok <n> bids`` or the first seq that does not verify, and exits non-zero on a failure.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64


def _canonical_time(placed_at: datetime | str) -> str:
    if isinstance(placed_at, str):
        placed_at = datetime.fromisoformat(placed_at.replace("Z", "+00:00"))
    if placed_at.tzinfo is None:
        raise ValueError("placed_at must carry its offset")
    return placed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bid_hash(
    *,
    prev_hash: str,
    auction_id: int,
    seq: int,
    amount: Decimal | str,
    bidder_no: str,
    placed_at: datetime | str,
) -> str:
    amount_text = f"{Decimal(str(amount)):.2f}"
    message = f"{prev_hash}|{auction_id}|{seq}|{amount_text}|{bidder_no}|{_canonical_time(placed_at)}"
    return hashlib.sha256(message.encode()).hexdigest()


def verify_chain(auction_id: int, bids: Iterable[Mapping[str, Any]]) -> int | None:
    """The first ``seq`` whose hash (or place in the sequence) is wrong, or None if all verify.

    ``bids`` are dicts with ``seq, amount, bidder_no, placed_at, hash`` in seq order from 1."""
    prev = GENESIS_HASH
    expected_seq = 1
    for bid in bids:
        seq = int(bid["seq"])
        if seq != expected_seq:
            return expected_seq
        digest = bid_hash(
            prev_hash=prev,
            auction_id=auction_id,
            seq=seq,
            amount=bid["amount"],
            bidder_no=str(bid["bidder_no"]),
            placed_at=bid["placed_at"],
        )
        if digest != bid["hash"]:
            return seq
        prev = digest
        expected_seq += 1
    return None


def _load(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    pages = data if isinstance(data, list) else [data]
    bids: list[dict[str, Any]] = []
    for page in pages:
        bids.extend(page["results"] if isinstance(page, dict) and "results" in page else [page])
    return sorted(bids, key=lambda b: int(b["seq"]))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m auctions.chain AUCTION_ID bids.json", file=sys.stderr)
        return 2
    bids = _load(argv[1])
    bad = verify_chain(int(argv[0]), bids)
    if bad is None:
        print(f"ok {len(bids)} bids")
        return 0
    print(f"chain broken at seq {bad}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
