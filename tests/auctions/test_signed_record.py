"""A record each party can verify offline (issue #16, part 7): checkpoints signed with the market's
Ed25519 key at the close and at each deal transition; the record and the key over the API; the
offline command detects a changed, removed or truncated bid."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from auctions.models import Auction, Checkpoint
from auctions.services import auction_cancel, auction_close, bid_place
from core import signing
from marketplace.models import Deal
from tests.auctions.fair_helpers import end_now, overdue
from tests.factories import open_auction, registered_bidder

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import verify_record  # noqa: E402


def sold_auction():
    auction = open_auction(deposit="100.00")
    alice, a = registered_bidder(auction)
    bob, _ = registered_bidder(auction)
    for user, amount in ((alice, "1000.00"), (bob, "1100.00"), (alice, "1200.00")):
        bid_place(auction_id=auction.pk, user=user, amount=amount)
    end_now(auction)
    return auction_close(auction_id=auction.pk), a


def keys(api) -> dict:
    return {
        k["key_id"]: __import__("base64").b64decode(k["public_key"])
        for k in api.get("/api/v1/keys/").json()["keys"]
    }


def test_the_record_is_refused_before_the_close_and_served_to_anyone_after(api):
    auction = open_auction()
    alice, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=alice, amount="1000.00")
    r = api.get(f"/api/v1/auctions/{auction.pk}/record/")
    assert r.status_code == 409 and r.json()["code"] == "auction_not_closed"
    end_now(auction)
    auction_close(auction_id=auction.pk)
    r = api.get(f"/api/v1/auctions/{auction.pk}/record/")
    assert r.status_code == 200
    body = r.json()
    assert [b["seq"] for b in body["bids"]] == [1] and body["checkpoints"][0]["payload"]["outcome"] == "sold"


def test_the_close_checkpoint_is_signed_with_the_published_key_and_carried_by_the_confirmation(api):
    auction, winner = sold_auction()
    record = api.get(f"/api/v1/auctions/{auction.pk}/record/").json()
    published = keys(api)
    assert verify_record.verify(record, published) == []
    close = record["checkpoints"][0]
    payload = close["payload"]
    assert (payload["event"], payload["outcome"], payload["count"]) == ("close", "sold", 3)
    assert payload["head"] == auction.last_hash and payload["price"] == "1200.00"
    assert payload["winner_bidder_no"] == winner.bidder_no
    deal = Deal.objects.get(listing=auction.listing)
    terms = deal.confirmation.terms
    assert terms["record_checkpoint"]["payload"] == payload
    assert signing.verify(payload, terms["record_checkpoint"]["signature"], published[close["key_id"]])


def test_every_deal_transition_adds_a_signed_checkpoint(api):
    auction, _ = sold_auction()  # the deposit does not cover the price: awaiting payment
    deal = Deal.objects.get(listing=auction.listing)
    from marketplace.services.defaults import deal_default

    overdue(deal)
    deal_default(deal=deal)
    events = list(
        Checkpoint.objects.filter(auction=auction).order_by("created_at", "id").values_list("event", "deal")
    )
    assert events == [("close", deal.pk), ("deal_defaulted", deal.pk)]
    record = api.get(f"/api/v1/auctions/{auction.pk}/record/").json()
    assert verify_record.verify(record, keys(api)) == []


def test_unsold_and_cancelled_closes_are_signed_too(api, operator):
    unsold = open_auction()
    end_now(unsold)
    auction_close(auction_id=unsold.pk)
    cancelled = open_auction()
    auction_cancel(auction_id=cancelled.pk, actor=operator, reason="权属争议")
    for auction, outcome in ((unsold, "unsold"), (cancelled, "cancelled")):
        record = api.get(f"/api/v1/auctions/{auction.pk}/record/").json()
        assert record["checkpoints"][0]["payload"]["outcome"] == outcome
        assert record["checkpoints"][0]["payload"]["count"] == 0
        assert verify_record.verify(record, keys(api)) == []


def test_the_offline_command_detects_a_changed_a_removed_and_a_truncated_bid(api, tmp_path):
    auction, _ = sold_auction()
    record = api.get(f"/api/v1/auctions/{auction.pk}/record/").json()
    (tmp_path / "keys.json").write_text(json.dumps(api.get("/api/v1/keys/").json()))

    def run(doc: dict) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "record.json"
        path.write_text(json.dumps(doc, ensure_ascii=False))
        return subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "verify_record.py"),
                str(path),
                "--keys",
                str(tmp_path / "keys.json"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )

    ok = run(record)
    assert ok.returncode == 0 and ok.stdout.strip().endswith("OK"), ok.stdout + ok.stderr
    changed = copy.deepcopy(record)
    changed["bids"][1]["amount"] = "1150.00"
    removed = copy.deepcopy(record)
    del removed["bids"][1]
    truncated = copy.deepcopy(record)
    del truncated["bids"][-1]
    forged = copy.deepcopy(record)
    forged["checkpoints"][0]["payload"]["price"] = "1.00"
    for doc, says in (
        (changed, "bid seq 2 does not match its hash"),
        (removed, "bid seq 2 is missing"),
        (truncated, "signed 3 bids, the record verifies only 2"),
        (forged, "signature does not verify"),
    ):
        done = run(doc)
        assert done.returncode == 1 and "FAILED" in done.stdout and says in done.stdout, done.stdout


def test_the_offline_chain_agrees_with_the_engine(api):
    """tools/verify_record.py hashes as the engine's SQL does (its own copy, so that it runs alone)."""
    auction, _ = sold_auction()
    record = api.get(f"/api/v1/auctions/{auction.pk}/record/").json()
    prev = verify_record.GENESIS
    for bid in record["bids"]:
        prev = verify_record.bid_hash(prev, auction.pk, bid)
        assert prev == bid["hash"]
    assert prev == Auction.objects.get(pk=auction.pk).last_hash


def test_the_keys_endpoint_publishes_one_ed25519_key(api):
    body = api.get("/api/v1/keys/").json()
    (key,) = body["keys"]
    assert key["algorithm"] == "Ed25519" and key["key_id"] == signing.key_id()
    assert "BEGIN PUBLIC KEY" in key["pem"]
