"""The live room's WebSocket adapter (API.md, "Live room"): parse, authorize, call ``bid_place``.

On connect: a ``snapshot``. Then the room's events (``bid``, ``extended``, ``closed``, or a fresh
``snapshot`` when a burst was coalesced). A signed-in registered bidder may send
``{"type": "bid", "amount", "key"}`` and gets ``bid.accepted`` or ``bid.rejected`` with API.md's codes,
plus ``rate_limited`` (too many bids a second, counted in Redis across processes),
``not_authenticated`` and ``invalid_message``. Every message carries ``server_time``.
Origins are checked by the ASGI stack (``config.asgi``: ``AllowedHostsOriginValidator``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Auction
from .room import Watcher, get_hub
from .services import bid_place

# Bids run on a pool of worker threads, each with its own database connection (borrowed from the
# pool and given back around every call, as ``database_sync_to_async`` does), not on the one thread
# that thread-sensitive calls of a WebSocket share in a process (Channels gives a socket no
# ThreadSensitiveContext, unlike Django's per-request one): there every bid of the process, on any
# auction, waited for the bid before it -- its wait for its auction's lock, its commit, its news.
_bid_place = DatabaseSyncToAsync(bid_place, thread_sensitive=False)


class AuctionRoomConsumer(AsyncWebsocketConsumer):
    # The room's news comes through ``auctions.room`` (one subscription per process), not through
    # per-socket channel-layer channels: an alias that names no layer gives the consumer none, which
    # spares Redis one blocking read per connected socket.
    channel_layer_alias = "auctions-room-uses-no-channel-layer"
    auction_id: int
    watcher: Watcher | None = None

    async def connect(self) -> None:
        self.auction_id = int(self.scope["url_route"]["kwargs"]["auction_id"])
        hub = get_hub()
        known = self.auction_id in hub.rooms  # a room here means the auction exists: no query
        if (
            not known
            and not await database_sync_to_async(Auction.objects.filter(pk=self.auction_id).exists)()
        ):
            await self.close(code=4404)
            return
        self.send_lock = asyncio.Lock()
        await self.accept()
        self.watcher = Watcher(self._send_frame)
        room = await hub.join(self.auction_id, self.watcher)
        await self._send_frame(room.snapshot_frame())

    async def disconnect(self, code: int) -> None:
        if self.watcher is not None:
            await get_hub().leave(self.auction_id, self.watcher)
            self.watcher = None

    async def _send_frame(self, text: str) -> None:
        async with self.send_lock:
            await self.send(text_data=text)

    async def _reply(self, message: dict[str, Any]) -> None:
        message["server_time"] = timezone.localtime().isoformat()
        await self._send_frame(json.dumps(message, ensure_ascii=False))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
        except ValueError:
            message = None
        if not isinstance(message, dict) or message.get("type") != "bid":
            await self._reply({"type": "error", "code": "invalid_message", "detail": _("无法识别的消息。")})
            return
        key = str(message.get("key") or "")
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._rejected("not_authenticated", _("请先登录后再出价。"), key)
            return
        if not await get_hub().allow_bid(auction_id=self.auction_id, user_id=user.pk):
            await self._rejected("rate_limited", _("出价过于频繁，请稍后再试。"), key)
            return
        try:
            placed = await _bid_place(
                auction_id=self.auction_id, user=user, amount=message.get("amount"), key=key
            )
        except DomainError as exc:
            await self._rejected(exc.code, exc.detail, key)
            return
        await self._reply({"type": "bid.accepted", "seq": placed.bid.seq, "key": key})

    async def _rejected(self, code: str, detail: str, key: str) -> None:
        await self._reply({"type": "bid.rejected", "code": code, "detail": str(detail), "key": key})
