#!/usr/bin/env python3
"""Verify a downloaded auction record offline (浙江拍 存证记录), with no server.

    curl -o record.json https://MARKET/api/v1/auctions/ID/record/
    curl -o keys.json   https://MARKET/api/v1/keys/
    python tools/verify_record.py record.json --keys keys.json

Needs Python 3.11 and the ``cryptography`` package only (``pip install cryptography``). It checks:

1. the bid chain: each bid's ``hash`` is sha256("prev_hash|auction|seq|amount|bidder_no|placed_at")
   over the previous bid's hash (the first over 64 zeros), amounts with two places, times in UTC to
   the microsecond, and ``seq`` runs 1, 2, 3... with no gap: a changed bid breaks its hash, a
   removed one breaks the sequence;
2. every checkpoint's Ed25519 signature over its payload's canonical JSON (sorted keys, no spaces,
   UTF-8), with the market's public key: from ``--keys`` (the published keys, fetched separately:
   trust comes from there) or, failing that, the key the record carries (then said so);
3. that the bids reach every checkpoint: the bid whose seq is the checkpoint's ``count`` has the
   checkpoint's ``head`` (0 bids: the 64 zeros). A record cut short after signing fails here.

Prints one line per finding and ``OK`` or ``FAILED``; exits 0 only when everything verifies.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def canonical_time(text: str) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("placed_at without offset")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bid_hash(prev: str, auction: int, bid: dict[str, Any]) -> str:
    amount = f"{Decimal(str(bid['amount'])):.2f}"
    text = f"{prev}|{auction}|{bid['seq']}|{amount}|{bid['bidder_no']}|{canonical_time(bid['placed_at'])}"
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def verify_signature(payload: dict[str, Any], signature: str, public_key: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(signature), canonical(payload))
    except (InvalidSignature, ValueError):
        return False
    return True


def load_keys(record: dict[str, Any], keys_path: str | None) -> tuple[dict[str, bytes], str]:
    if keys_path:
        with open(keys_path, encoding="utf-8") as fh:
            data = json.load(fh)
        keys = data.get("keys", [data]) if isinstance(data, dict) else data
        return {k["key_id"]: base64.b64decode(k["public_key"]) for k in keys}, "published keys file"
    carried = record.get("public_key") or {}
    if not carried:
        return {}, "no key"
    return {
        carried["key_id"]: base64.b64decode(carried["public_key"])
    }, "key carried by the record (unverified source)"


def verify(record: dict[str, Any], keys: dict[str, bytes]) -> list[str]:
    """The problems found, empty when the record verifies."""
    problems: list[str] = []
    auction = int(record["auction"])
    heads = {0: GENESIS}
    prev, expected = GENESIS, 1
    for bid in sorted(record.get("bids", []), key=lambda b: int(b["seq"])):
        seq = int(bid["seq"])
        if seq != expected:
            problems.append(f"bid seq {expected} is missing (next present is {seq})")
            break
        digest = bid_hash(prev, auction, bid)
        if digest != bid["hash"]:
            problems.append(f"bid seq {seq} does not match its hash (changed)")
            break
        heads[seq] = digest
        prev, expected = digest, expected + 1
    checkpoints = record.get("checkpoints", [])
    if not checkpoints:
        problems.append("the record carries no signed checkpoint")
    for number, checkpoint in enumerate(checkpoints, start=1):
        payload = checkpoint["payload"]
        key = keys.get(checkpoint.get("key_id", ""))
        if key is None:
            problems.append(f"checkpoint {number}: unknown key {checkpoint.get('key_id')}")
            continue
        if not verify_signature(payload, checkpoint["signature"], key):
            problems.append(f"checkpoint {number} ({payload.get('event')}): signature does not verify")
            continue
        if int(payload["auction"]) != auction:
            problems.append(f"checkpoint {number}: signed for auction {payload['auction']}, not {auction}")
        count, head = int(payload["count"]), payload["head"]
        if count not in heads:
            problems.append(
                f"checkpoint {number} ({payload.get('event')}): signed {count} bids, the record verifies "
                f"only {max(heads)} (truncated or broken)"
            )
        elif heads[count] != head:
            problems.append(
                f"checkpoint {number} ({payload.get('event')}): head of bid {count} differs from the signed head"
            )
    if checkpoints and not problems:
        last = max(int(c["payload"]["count"]) for c in checkpoints)
        if max(heads) != last:
            problems.append(f"the record has {max(heads)} bids, the checkpoints signed {last}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a downloaded auction record offline.")
    parser.add_argument("record", help="the JSON of GET /api/v1/auctions/{id}/record/")
    parser.add_argument("--keys", help="the JSON of GET /api/v1/keys/ (fetched separately)")
    args = parser.parse_args(argv)
    with open(args.record, encoding="utf-8") as fh:
        record = json.load(fh)
    keys, source = load_keys(record, args.keys)
    problems = verify(record, keys)
    bids = len(record.get("bids", []))
    print(
        f"auction {record.get('auction')}: {bids} bids, {len(record.get('checkpoints', []))} checkpoints; key: {source}"
    )
    for checkpoint in record.get("checkpoints", []):
        p = checkpoint["payload"]
        print(
            f"  checkpoint {p.get('event')}: outcome {p.get('outcome')}, count {p.get('count')}, head {p.get('head', '')[:16]}…, signed {p.get('signed_at')}"
        )
    for problem in problems:
        print(f"  FAIL {problem}")
    print("FAILED" if problems else "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
