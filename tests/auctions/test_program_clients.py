"""Bidding programs connect to the live room with a token header and no Origin (as non-browser
WebSocket clients do); browsers' foreign origins stay refused (test_live_room.py)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from config.asgi import application
from tests.auctions.test_live_room import make_auction, token_header

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_program_without_origin_connects_and_bids_with_its_token():
    auction, alice, _bob, a, _b = await make_auction()
    headers = [await database_sync_to_async(token_header)(alice)]
    communicator = WebsocketCommunicator(application, f"/ws/auctions/{auction.pk}/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    snapshot = json.loads(await communicator.receive_from(timeout=5))
    assert snapshot["type"] == "snapshot"
    await communicator.send_to(text_data=json.dumps({"type": "bid", "amount": "1000.00", "key": "prog-1"}))
    for _ in range(5):
        message = json.loads(await communicator.receive_from(timeout=5))
        if message["type"].startswith("bid."):
            break
    assert message == {**message, "type": "bid.accepted", "key": "prog-1", "seq": 1}
    await communicator.disconnect()
