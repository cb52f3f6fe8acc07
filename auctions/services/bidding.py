"""The bid engine: ``bid_place`` (manual bids, REST and WebSocket alike) and ``proxy_bid_set``.

A bid is decided in PostgreSQL (``auctions/sql/0004_bid_engine.sql``; ``auction_proxies_resolve``
as ``0006_proxies_leader_never_raises_itself.sql`` replaced it): ``auction_bid_place`` reads the
bidder's standing, takes the key's lock and finds its first outcome, locks the auction row,
reads the clock, refuses or appends the bid and the proxies' answers, and commits with the
statement. So a hot auction's lock is held for one function call and its commit, with no round trip
to this process, which on a busy machine would wait for a CPU between round trips while every
other bidder waits for it. Python does what comes before and after: the amount and the key, the
texts of refusals, the events after commit.

Setting a proxy ceiling (rarer: once or twice per bidder) decides in Python under the same lock,
with the engine's own SQL rules (``auction_bidder_standing``, ``auction_state_refusal``,
``auction_minimum_next_bid``, ``auction_proxies_resolve``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import DomainError, InvalidInput
from core.inputs import FieldErrors
from core.locks import auction_lock_at
from core.money import money_format, money_parse

from ..events import publish_after_commit
from ..models import Auction, Bid, ProxyBid, Registration
from ..selectors import when
from .lifecycle import auction_start
from .outbid import outbid_announce


class BidRejected(DomainError):
    """A bid the rules refuse (422); ``code`` is one of API.md's refusal codes."""


@dataclass(frozen=True)
class BidPlaced:
    """The accepted bid, the bids the engine placed for proxies in the same transaction, and
    whether the end moved. ``replayed``: the key was seen before and this is its first outcome."""

    bid: Bid
    bidder_no: str
    ends_at: datetime
    auto_bids: list[Bid] = field(default_factory=list)
    replayed: bool = False


REFUSAL_TEXTS = {
    "auction_not_live": gettext_lazy("拍卖尚未开始或已停止，暂不能出价。"),
    "auction_ended": gettext_lazy("拍卖已结束，出价无效。"),
    "not_registered": gettext_lazy("您尚未登记竞买本场拍卖。"),
    "deposit_not_frozen": gettext_lazy("保证金尚未到账冻结，暂不能出价。"),
    "related_party": gettext_lazy("您与成果持有单位存在关联关系，不能参与本场竞价。"),
    "already_leading": gettext_lazy("您已是当前最高出价者，不能自己加价。"),
    "below_minimum": gettext_lazy("出价低于当前最低可出价。"),
    "invalid_increment": gettext_lazy("出价须为起拍价加整数倍加价幅度。"),
    "organization_not_verified": gettext_lazy("机构尚未通过平台认证，暂不能出价。"),
    "idempotency_key_reused": gettext_lazy("该 Idempotency-Key 已用于另一个出价。"),
}


def _refusal_text(code: str) -> str:
    return str(REFUSAL_TEXTS[code])


def _parse_amount(amount: Any) -> Decimal:
    """A bid amount by the market's one money rule (``core.money.money_parse``: positive,
    at most two places, within the column), refused as ``invalid_amount``. The value is read from
    its text, so a JSON number from a program is taken at the digits it shows."""
    errors = FieldErrors()
    value = money_parse(str(amount), errors=errors, field="amount")
    if value is None:
        messages = errors.get("amount") or [_("无效的金额。")]
        raise InvalidInput(
            "invalid_amount", _("出价金额须为正数，最多两位小数。"), fields={"amount": messages}
        )
    return value


class _Placed(NamedTuple):
    """A row of ``auction_bid_place`` (and, with ``outcome`` 'accepted', of the proxies' answers)."""

    outcome: str  # accepted | replayed | refused | start_due
    code: str | None
    minimum: Decimal | None
    ends_at: datetime | None
    extended: bool
    bid_id: int | None
    seq: int | None
    registration_id: int | None
    bidder_no: str | None
    amount: Decimal | None
    placed_at: datetime | None
    is_proxy: bool | None
    hash: str | None

    def bid(self, *, auction_id: int, key: str = "") -> Bid:
        assert self.seq is not None and self.registration_id is not None and self.amount is not None
        assert self.placed_at is not None and self.hash is not None
        return Bid(
            pk=self.bid_id,
            auction_id=auction_id,
            registration_id=self.registration_id,
            seq=self.seq,
            amount=self.amount,
            placed_at=self.placed_at,
            key=key if not self.is_proxy else "",
            is_proxy=bool(self.is_proxy),
            hash=self.hash,
        )


def _refused(code: str, *, auction_id: int, minimum: Decimal | None = None) -> BidRejected:
    """The refusal ``code`` with its text and fields, in the language of the request."""
    if code == "below_minimum" and minimum is not None:
        return BidRejected(
            code,
            _("出价低于当前最低可出价 %(minimum)s 元。") % {"minimum": money_format(minimum)},
            fields={"minimum": money_format(minimum)},
        )
    if code == "invalid_increment":
        terms = Auction.objects.values("increment", "start_price").get(pk=auction_id)
        return BidRejected(
            code,
            _refusal_text(code),
            fields={
                "increment": money_format(terms["increment"]),
                "start_price": money_format(terms["start_price"]),
            },
        )
    return BidRejected(code, _refusal_text(code))


def _announce(*, auction_id: int, rows: list[_Placed], ends_at: datetime, extended: bool) -> None:
    """After commit, the room hears of the bids (and of the end they moved)."""
    facts = [(r.seq, r.amount, r.bidder_no, r.placed_at, r.is_proxy, r.hash) for r in rows]

    def events() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [
            {
                "type": "bid",
                "seq": seq,
                "amount": money_format(amount),
                "bidder_no": bidder_no,
                "placed_at": when(placed_at),
                "ends_at": when(ends_at),
                "proxy": proxy,
                "hash": digest,
            }
            for seq, amount, bidder_no, placed_at, proxy, digest in facts
        ]
        if extended:
            out.append({"type": "extended", "seq": facts[-1][0], "ends_at": when(ends_at)})
        return out

    first, last = rows[0].seq, rows[-1].seq
    assert first is not None and last is not None
    publish_after_commit(auction_id=auction_id, first=first, last=last, events=events)


def _standing(*, auction_id: int, user: User) -> Registration:
    """The bidder's registration, or the refusal that does not depend on the auction's state
    (``auction_bidder_standing``, the rule ``auction_bid_place`` applies too)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM auction_bidder_standing(%s, %s)", [auction_id, user.pk])
        row = cursor.fetchone()
    if row is None:
        if not Auction.objects.filter(pk=auction_id).exists():
            raise Http404
        raise _refused("not_registered", auction_id=auction_id)
    pk, bidder_no, refusal = row
    if refusal is not None:
        raise _refused(refusal, auction_id=auction_id)
    return Registration(pk=pk, auction_id=auction_id, bidder_no=bidder_no)


def _decide(*, auction_id: int, user: User, amount: Decimal, key: str) -> list[_Placed]:
    """One call of ``auction_bid_place``: outside a transaction (as the views, the room and the
    tasks call it) its own, committed with it; inside the caller's, the auction stays locked until
    the caller commits, and a refusal's commit then waits for the WAL flush like the rest."""
    alone = connection.get_autocommit() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM auction_bid_place(%s, %s, %s, %s, %s)", [auction_id, user.pk, amount, key, alone]
        )
        return [_Placed(*row) for row in cursor.fetchall()]


def bid_place(*, auction_id: int, user: User, amount: Any, key: str = "") -> BidPlaced:
    """Place a bid for the user's registered organization (API.md, "Auctions"; DESIGN.md, "A bid").

    Refusals raise ``BidRejected`` with API.md's codes. With a ``key`` (the REST Idempotency-Key or
    the WebSocket message's ``key``), a retry gets the first outcome and never inserts twice: an
    accepted bid is found by its key; a refusal decided on the auction's state (not live, ended,
    already leading, below minimum, invalid increment) is recorded with its key and repeated. A
    refusal of the bidder's standing (not registered, deposit not frozen, related party) is not
    recorded: retrying after putting it right is the point; a key already seen gets its first
    outcome whatever its organization's standing is now (the winner retrying its last bid after
    the close, its deposit applied, gets that bid), as long as the user is still a member of the
    registered organization (the key is the registration's: a former member is ``not_registered``).
    The same key with another amount is ``idempotency_key_reused``."""
    value = _parse_amount(amount)
    key = (key or "").strip()
    if len(key) > 200:
        raise InvalidInput("invalid_key", _("Idempotency-Key 过长（最多 200 个字符）。"))
    rows = _decide(auction_id=auction_id, user=user, amount=value, key=key)
    if rows[0].outcome == "start_due":  # the start task is late: start it here, then decide
        auction_start(auction_id=auction_id)
        rows = _decide(auction_id=auction_id, user=user, amount=value, key=key)
    head = rows[0]
    if head.code == "not_found":
        raise Http404
    if head.outcome == "start_due":  # not started by now: cannot happen after auction_start, but
        raise _refused("auction_not_live", auction_id=auction_id)  # never a 500 if it did
    if head.outcome == "refused":
        assert head.code is not None
        raise _refused(head.code, auction_id=auction_id, minimum=head.minimum)
    assert head.ends_at is not None and head.bidder_no is not None
    if head.outcome == "accepted":
        _announce(auction_id=auction_id, rows=rows, ends_at=head.ends_at, extended=head.extended)
        assert head.seq is not None and rows[-1].seq is not None
        outbid_announce(auction_id=auction_id, first_seq=head.seq, last_seq=rows[-1].seq)
    return BidPlaced(
        bid=head.bid(auction_id=auction_id, key=key),
        bidder_no=head.bidder_no,
        ends_at=head.ends_at,
        auto_bids=[r.bid(auction_id=auction_id) for r in rows[1:]],
        replayed=head.outcome == "replayed",
    )


def _state(*, auction_id: int, now: datetime) -> tuple[str | None, Decimal]:
    """The engine's own rules on the locked auction at ``now``: ``auction_state_refusal`` and
    ``auction_minimum_next_bid`` (auctions/sql/0004_bid_engine.sql)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auction_state_refusal(a, %s), auction_minimum_next_bid(a) "
            f"FROM {Auction._meta.db_table} a WHERE a.id = %s",  # noqa: S608
            [now, auction_id],
        )
        refusal, minimum = cursor.fetchone()
    return refusal, minimum


def _proxies_resolve(*, auction_id: int, now: datetime) -> tuple[list[_Placed], datetime]:
    """``auction_proxies_resolve`` on the locked auction: the proxies' answers, as rows, and the
    auction's end after them (read by the next statement: the call's own does not see its writes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH placed AS MATERIALIZED (SELECT * FROM auction_proxies_resolve(%s, %s)) "
            "SELECT 'accepted', NULL, NULL, NULL, false, x.id, x.seq, x.registration_id, "
            "g.bidder_no, x.amount, x.placed_at, x.is_proxy, x.hash "
            f"FROM placed x JOIN {Registration._meta.db_table} g ON g.id = x.registration_id "  # noqa: S608
            "ORDER BY x.seq",
            [auction_id, now],
        )
        rows = [_Placed(*row) for row in cursor.fetchall()]
    return rows, Auction.objects.values_list("ends_at", flat=True).get(pk=auction_id)


@transaction.atomic
def proxy_bid_set(*, auction_id: int, user: User, max_amount: Any) -> tuple[ProxyBid, list[Bid]]:
    """Set or raise the user's organization's secret ceiling (代理出价) and let the engine bid.

    The ceiling must be on the bid grid and at least the next acceptable bid; it can only be raised
    (``proxy_max_lowered``). Raising it moves ``set_at`` (ties go to the earlier ceiling). The
    auction's own refusals and the proxies' answers are the engine's (``auction_state_refusal``,
    ``auction_proxies_resolve``)."""
    value = _parse_amount(max_amount)
    registration = _standing(auction_id=auction_id, user=user)
    auction, now = auction_lock_at(auction_id)
    refusal, next_minimum = _state(auction_id=auction_id, now=now)
    if refusal == "start_due":  # the start task is late: start it here (the lock is ours already)
        auction = auction_start(auction_id=auction_id)
        if auction.status != Auction.Status.LIVE:  # its end passed in the meantime
            raise _refused("auction_ended", auction_id=auction_id)
    elif refusal is not None:
        raise _refused(refusal, auction_id=auction_id)
    # The engine's least next bid (``auction_minimum_next_bid``) for everyone: the leader's own
    # ceiling must beat its own bid, which is that same amount.
    minimum = next_minimum
    if value < minimum:
        raise BidRejected(
            "below_minimum",
            _("代理出价上限不能低于 %(minimum)s 元。") % {"minimum": money_format(minimum)},
            fields={"minimum": money_format(minimum)},
        )
    if (value - auction.start_price) % auction.increment != 0:
        raise _refused("invalid_increment", auction_id=auction_id)
    proxy = ProxyBid.objects.filter(registration=registration).first()
    if proxy is not None and value < proxy.max_amount:
        raise BidRejected("proxy_max_lowered", _("代理出价上限只能提高，不能降低。"))
    if proxy is None:
        proxy = ProxyBid.objects.create(
            registration=registration, auction=auction, max_amount=value, set_at=now
        )
        Auction.objects.filter(pk=auction.pk).update(proxy_count=auction.proxy_count + 1)
    elif value > proxy.max_amount:
        proxy.max_amount = value
        proxy.set_at = now
        proxy.save(update_fields=["max_amount", "set_at"])
    rows, ends_at = _proxies_resolve(auction_id=auction_id, now=now)
    if rows:
        _announce(auction_id=auction_id, rows=rows, ends_at=ends_at, extended=ends_at != auction.ends_at)
        assert rows[0].seq is not None and rows[-1].seq is not None
        outbid_announce(auction_id=auction_id, first_seq=rows[0].seq, last_seq=rows[-1].seq)
    return proxy, [r.bid(auction_id=auction_id) for r in rows]
