"""The bid engine: ``bid_place`` (manual bids, REST and WebSocket alike) and ``proxy_bid_set``.

One transaction per bid. What does not depend on the auction's moving state (who the bidder is, its
deposit, related parties, an earlier outcome for the same key) is read *before* the auction row is
locked, so the lock is held only for three round trips: lock and read the clock (one statement),
write the bids and the auction (one statement) or remember the refusal, commit. Every rule about
the auction itself is read from the locked row. Events go out after commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Organization, User
from accounts.selectors import related_sql
from config.errors import DomainError, InvalidInput
from listings.services.common import FieldErrors
from listings.services.common import money as money_value
from marketplace.models import Payable

from ..chain import bid_hash
from ..events import publish_after_commit
from ..locks import auction_lock_at
from ..models import Auction, Bid, BidRefusal, ProxyBid, Registration
from ..selectors import minimum_next_bid, money, when
from .lifecycle import auction_transition
from .registration import deposit_status_frozen


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


@dataclass(frozen=True)
class _Refusal:
    code: str
    detail: str
    fields: dict[str, Any] | None = None


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
    """A bid amount by the market's one money rule (``listings.services.common.money``: positive,
    at most two places, within the column), refused as ``invalid_amount``. The value is read from
    its text, so a JSON number from a program is taken at the digits it shows."""
    errors = FieldErrors()
    value = money_value(str(amount), errors=errors, field="amount")
    if value is None:
        messages = errors.get("amount") or [_("无效的金额。")]
        raise InvalidInput(
            "invalid_amount", _("出价金额须为正数，最多两位小数。"), fields={"amount": messages}
        )
    return value


def _first_outcome(
    *, auction_id: int, registration: Registration, key: str, amount: Decimal
) -> BidPlaced | _Refusal | None:
    """What this key got the first time, if it was seen before (one query: bids, then refusals).

    The caller holds the key's advisory lock (taken in ``_standing``), so a concurrent request
    with the same key has committed its outcome before this reads."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'bid', id, amount, '', '' FROM {Bid._meta.db_table} "  # noqa: S608
            "WHERE auction_id = %s AND registration_id = %s AND key = %s "
            f"UNION ALL SELECT 'refusal', id, amount, code, detail FROM {BidRefusal._meta.db_table} "
            "WHERE auction_id = %s AND registration_id = %s AND key = %s LIMIT 1",
            [auction_id, registration.pk, key] * 2,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    kind, pk, first_amount, code, detail = row
    if first_amount != amount:
        raise BidRejected("idempotency_key_reused", _refusal_text("idempotency_key_reused"))
    if kind == "refusal":
        return _Refusal(code, detail)
    bid = Bid.objects.get(pk=pk)
    ends_at = Auction.objects.values_list("ends_at", flat=True).get(pk=auction_id)
    return BidPlaced(bid=bid, bidder_no=registration.bidder_no, ends_at=ends_at, replayed=True)


def _judge(
    *, auction: Auction, registration: Registration, amount: Decimal, now: datetime
) -> _Refusal | None:
    """The refusal for this bid on the locked auction at ``now``, or None to accept it.

    The caller holds the auction lock. A scheduled auction whose start has passed is started here:
    a late start task must not refuse an on-time bid."""
    if auction.status == Auction.Status.SCHEDULED and auction.starts_at <= now < auction.ends_at:
        auction_transition(auction=auction, to_status=Auction.Status.LIVE, now=now)
    if auction.status in (Auction.Status.SOLD, Auction.Status.UNSOLD) or (
        auction.status != Auction.Status.CANCELLED and now >= auction.ends_at
    ):
        return _Refusal("auction_ended", _refusal_text("auction_ended"))
    if auction.status != Auction.Status.LIVE:
        return _Refusal("auction_not_live", _refusal_text("auction_not_live"))
    if auction.leader_id == registration.pk:
        return _Refusal("already_leading", _refusal_text("already_leading"))
    minimum = minimum_next_bid(auction)
    if amount < minimum:
        return _Refusal(
            "below_minimum",
            _("出价低于当前最低可出价 %(minimum)s 元。") % {"minimum": money(minimum)},
            {"minimum": money(minimum)},
        )
    if (amount - auction.start_price) % auction.increment != 0:
        return _Refusal(
            "invalid_increment",
            _refusal_text("invalid_increment"),
            {"increment": money(auction.increment), "start_price": money(auction.start_price)},
        )
    return None


def _append(
    *,
    auction: Auction,
    registration: Registration,
    amount: Decimal,
    now: datetime,
    key: str = "",
    proxy: bool,
) -> Bid:
    """Move the locked auction's state by one accepted bid and build (not save) the bid row."""
    seq = auction.bid_count + 1
    digest = bid_hash(
        prev_hash=auction.last_hash,
        auction_id=auction.pk,
        seq=seq,
        amount=amount,
        bidder_no=registration.bidder_no,
        placed_at=now,
    )
    auction.bid_count = seq
    auction.current_price = amount
    auction.leader = registration
    auction.last_hash = digest
    return Bid(
        auction=auction,
        registration=registration,
        seq=seq,
        amount=amount,
        placed_at=now,
        key=key,
        is_proxy=proxy,
        hash=digest,
    )


def _proxy_plan(*, auction: Auction, proxies: list[ProxyBid]) -> list[tuple[ProxyBid, Decimal]]:
    """The bids the engine places for proxies after the auction's state changed, in order.

    eBay-style: among the contenders (the leader, with its own ceiling if it has one, and every other
    proxy that can still outbid the current price) the highest ceiling wins, the earlier ``set_at``
    at equal ceilings. The runner-up's proxy (when it is not the leader) bids its ceiling first, or
    one increment below it when it loses a tie; then the winner bids one increment over the
    runner-up's ceiling, capped at its own (at a tie: the ceiling itself). The engine never bids for
    the current leader against itself. Ceilings are on the bid grid, so every bid is valid."""
    inc = auction.increment
    minimum = minimum_next_bid(auction)
    challengers = [p for p in proxies if p.registration_id != auction.leader_id and p.max_amount >= minimum]
    if not challengers:
        return []
    # (ceiling, set_at, proxy or None for a leader without a usable proxy)
    contenders: list[tuple[Decimal, datetime | None, ProxyBid | None]] = [
        (p.max_amount, p.set_at, p) for p in challengers
    ]
    if auction.leader_id is not None:
        assert auction.current_price is not None
        own = next((p for p in proxies if p.registration_id == auction.leader_id), None)
        if own is not None and own.max_amount > auction.current_price:
            contenders.append((own.max_amount, own.set_at, own))
        else:
            contenders.append((auction.current_price, None, None))
    contenders.sort(
        key=lambda c: (
            -c[0],
            c[1] or datetime.min.replace(tzinfo=auction.ends_at.tzinfo),
            c[2].pk if c[2] else 0,
        )
    )
    (w_ceiling, _w_at, winner) = contenders[0]
    if len(contenders) == 1:
        assert winner is not None
        return [(winner, minimum)]
    (r_ceiling, _r_at, runner) = contenders[1]
    winner_leads = winner is None or winner.registration_id == auction.leader_id
    runner_leads = runner is None or runner.registration_id == auction.leader_id
    tie = w_ceiling == r_ceiling
    plan: list[tuple[ProxyBid, Decimal]] = []
    if not runner_leads:
        assert runner is not None
        r_amount = r_ceiling - inc if tie else r_ceiling
        if r_amount >= minimum:
            plan.append((runner, r_amount))
    if winner_leads and not plan:
        return []
    assert winner is not None
    plan.append((winner, r_ceiling if tie else min(w_ceiling, r_ceiling + inc)))
    return plan


def _resolve_proxies(*, auction: Auction, now: datetime) -> list[Bid]:
    """Place the proxies' bids on the locked auction (caller holds the lock)."""
    if auction.proxy_count == 0:
        return []
    proxies = list(ProxyBid.objects.filter(auction=auction).select_related("registration"))
    return [
        _append(auction=auction, registration=proxy.registration, amount=amount, now=now, proxy=True)
        for proxy, amount in _proxy_plan(auction=auction, proxies=proxies)
    ]


def _commit_bids(*, auction: Auction, bids: list[Bid], now: datetime) -> bool:
    """Insert the bids, extend the end if they fell in the window, save the auction, and announce
    it after commit. Returns whether the end moved. The caller holds the lock.

    The bids and the auction's new state are written in ONE statement (two data-modifying CTEs,
    each executed exactly once): every round trip here is time the auction's other bidders wait.

    A moved end needs no new close task: the scheduled one finds the end moved and re-schedules
    itself for the new one (``auction_close_due``)."""
    extended = False
    if bids and auction.ends_at - now < timedelta(seconds=auction.extension_seconds):
        auction.ends_at = now + timedelta(seconds=auction.extension_seconds)
        extended = True
    auction.updated_at = now
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(bids))
    params: list[Any] = []
    for b in bids:
        params += [auction.pk, b.registration.pk, b.seq, b.amount, b.placed_at, b.key, b.is_proxy, b.hash]
    params += [
        auction.current_price,
        auction.leader.pk if auction.leader else None,
        auction.bid_count,
        auction.last_hash,
        auction.updated_at,
        auction.ends_at,
        auction.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH inserted AS (INSERT INTO {Bid._meta.db_table} "  # noqa: S608
            "(auction_id, registration_id, seq, amount, placed_at, key, is_proxy, hash) "
            f"VALUES {values} RETURNING id, seq), "
            f"moved AS (UPDATE {Auction._meta.db_table} SET current_price = %s, leader_id = %s, "
            "bid_count = %s, last_hash = %s, updated_at = %s, ends_at = %s WHERE id = %s RETURNING 1) "
            "SELECT inserted.id FROM inserted, moved ORDER BY inserted.seq",
            params,
        )
        for b, (pk,) in zip(bids, cursor.fetchall(), strict=True):
            b.pk = b.id = pk
    ends_at = auction.ends_at
    facts = [(b.seq, b.amount, b.registration.bidder_no, b.placed_at, b.is_proxy, b.hash) for b in bids]

    def events() -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [
            {
                "type": "bid",
                "seq": seq,
                "amount": money(amount),
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

    publish_after_commit(auction_id=auction.pk, first=bids[0].seq, last=auction.bid_count, events=events)
    return extended


_STANDING_SQL = """
SELECT r.id, r.bidder_no, r.organization_id, o.status, p.deposit_status, {related}, {key_lock}
FROM {registration} r
JOIN {membership} m ON m.organization_id = r.organization_id AND m.user_id = %s
JOIN {organization} o ON o.id = r.organization_id
JOIN {auction} a ON a.id = r.auction_id
LEFT JOIN {payable} p ON p.id = r.payment_id
WHERE r.auction_id = %s
ORDER BY r.id
LIMIT 1
"""


def _key_digest(auction_id: int, user_id: int, key: str) -> int:
    digest = hashlib.blake2b(f"bid:{auction_id}:{user_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _standing(*, auction_id: int, user: User, key: str) -> Registration:
    """The bidder's registration, or the refusal that does not depend on the auction's state.

    One statement reads the registration (through the user's memberships), its organization's
    status, its deposit's status and whether it is related to the holder (accounts' rule), and -- with a key -- takes a transaction-scoped advisory lock on
    (auction, user, key): a concurrent request with the same key waits there until this one
    commits, then finds its outcome. Outside the auction lock, so it costs the auction's other
    bidders nothing."""
    sql = _STANDING_SQL.format(
        key_lock="pg_advisory_xact_lock(%s)" if key else "NULL",
        registration=Registration._meta.db_table,
        membership=Membership._meta.db_table,
        organization=Organization._meta.db_table,
        auction=Auction._meta.db_table,
        payable=Payable._meta.db_table,
        related=related_sql("a.holder_id", "r.organization_id"),
    )
    params = ([_key_digest(auction_id, user.pk, key)] if key else []) + [user.pk, auction_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        if not Auction.objects.filter(pk=auction_id).exists():
            raise Http404
        raise BidRejected("not_registered", _refusal_text("not_registered"))
    pk, bidder_no, organization_id, organization_status, deposit_status, related, _lock = row
    registration = Registration(
        pk=pk, auction_id=auction_id, bidder_no=bidder_no, organization_id=organization_id
    )
    if organization_status != Organization.Status.VERIFIED:
        raise BidRejected("organization_not_verified", _refusal_text("organization_not_verified"))
    if not deposit_status_frozen(deposit_status):
        raise BidRejected("deposit_not_frozen", _refusal_text("deposit_not_frozen"))
    if related:
        raise BidRejected("related_party", _refusal_text("related_party"))
    return registration


def _remember_refusal(
    *,
    auction_id: int,
    registration: Registration,
    key: str,
    amount: Decimal,
    refusal: _Refusal,
    now: datetime,
) -> None:
    """Record a refusal under its key, committed without waiting for the WAL flush. The caller
    holds the auction lock; the commit that releases it is then not held up by a disk flush.

    Most attempts in a hot auction are refusals (someone was faster). What a crash of the database
    in the next fraction of a second could lose is only the memory of a refusal: a retry with that
    key would then be judged afresh. Accepted bids are always committed durably."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL synchronous_commit TO OFF; "
            f"INSERT INTO {BidRefusal._meta.db_table} "  # noqa: S608
            "(auction_id, registration_id, key, amount, code, detail, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [auction_id, registration.pk, key, amount, refusal.code, refusal.detail[:500], now],
        )


@transaction.atomic
def _bid_place(*, auction_id: int, user: User, amount: Decimal, key: str) -> BidPlaced | _Refusal:
    """Before the lock: the bidder's standing (one statement) and the key's first outcome. Under
    the auction lock: lock and clock (one statement), decide in memory, then either write the bids and the
    auction (one statement) or remember the refusal (one statement, committed without waiting for
    the WAL flush); the commit releases the lock. Nothing else waits in it."""
    registration = _standing(auction_id=auction_id, user=user, key=key)
    if key:
        first = _first_outcome(auction_id=auction_id, registration=registration, key=key, amount=amount)
        if first is not None:
            return first
    auction, now = auction_lock_at(auction_id)
    refusal = _judge(auction=auction, registration=registration, amount=amount, now=now)
    if refusal is not None:
        if key:
            _remember_refusal(
                auction_id=auction_id,
                registration=registration,
                key=key,
                amount=amount,
                refusal=refusal,
                now=now,
            )
        return refusal
    bid = _append(auction=auction, registration=registration, amount=amount, now=now, key=key, proxy=False)
    auto = _resolve_proxies(auction=auction, now=now)
    _commit_bids(auction=auction, bids=[bid, *auto], now=now)
    return BidPlaced(bid=bid, bidder_no=registration.bidder_no, ends_at=auction.ends_at, auto_bids=auto)


def bid_place(*, auction_id: int, user: User, amount: Any, key: str = "") -> BidPlaced:
    """Place a bid for the user's registered organization (API.md, "Auctions"; DESIGN.md, "A bid").

    Refusals raise ``BidRejected`` with API.md's codes. With a ``key`` (the REST Idempotency-Key or
    the WebSocket message's ``key``), a retry gets the first outcome and never inserts twice: an
    accepted bid is found by its key; a refusal decided on the auction's state (not live, ended,
    already leading, below minimum, invalid increment) is recorded with its key and repeated. A
    refusal of the bidder's standing (not registered, deposit not frozen, related party) is not
    recorded: retrying after putting it right is the point. The same key with another amount is
    ``idempotency_key_reused``."""
    value = _parse_amount(amount)
    key = (key or "").strip()
    if len(key) > 200:
        raise InvalidInput("invalid_key", _("Idempotency-Key 过长（最多 200 个字符）。"))
    outcome = _bid_place(auction_id=auction_id, user=user, amount=value, key=key)
    if isinstance(outcome, _Refusal):
        raise BidRejected(outcome.code, outcome.detail, fields=outcome.fields)
    return outcome


def _proxy_refusal(code: str) -> BidRejected:
    return BidRejected(code, _refusal_text(code))


@transaction.atomic
def proxy_bid_set(*, auction_id: int, user: User, max_amount: Any) -> tuple[ProxyBid, list[Bid]]:
    """Set or raise the user's organization's secret ceiling (代理出价) and let the engine bid.

    The ceiling must be on the bid grid and at least the next acceptable bid; it can only be raised
    (``proxy_max_lowered``). Raising it moves ``set_at`` (ties go to the earlier ceiling)."""
    value = _parse_amount(max_amount)
    registration = _standing(auction_id=auction_id, user=user, key="")
    auction, now = auction_lock_at(auction_id)
    if auction.status == Auction.Status.SCHEDULED and auction.starts_at <= now < auction.ends_at:
        auction_transition(auction=auction, to_status=Auction.Status.LIVE, now=now)
    if auction.status in (Auction.Status.SOLD, Auction.Status.UNSOLD) or (
        auction.status == Auction.Status.LIVE and now >= auction.ends_at
    ):
        raise _proxy_refusal("auction_ended")
    if auction.status != Auction.Status.LIVE:
        raise _proxy_refusal("auction_not_live")
    floor = auction.current_price if auction.leader_id == registration.pk else None
    minimum = minimum_next_bid(auction) if floor is None else floor + auction.increment
    if value < minimum:
        raise BidRejected(
            "below_minimum",
            _("代理出价上限不能低于 %(minimum)s 元。") % {"minimum": money(minimum)},
            fields={"minimum": money(minimum)},
        )
    if (value - auction.start_price) % auction.increment != 0:
        raise _proxy_refusal("invalid_increment")
    proxy = ProxyBid.objects.filter(registration=registration).first()
    if proxy is not None and value < proxy.max_amount:
        raise BidRejected("proxy_max_lowered", _("代理出价上限只能提高，不能降低。"))
    if proxy is None:
        proxy = ProxyBid.objects.create(
            registration=registration, auction=auction, max_amount=value, set_at=now
        )
        auction.proxy_count += 1
        Auction.objects.filter(pk=auction.pk).update(proxy_count=auction.proxy_count)
    elif value > proxy.max_amount:
        proxy.max_amount = value
        proxy.set_at = now
        proxy.save(update_fields=["max_amount", "set_at"])
    auto = _resolve_proxies(auction=auction, now=now)
    if auto:
        _commit_bids(auction=auction, bids=auto, now=now)
    return proxy, auto
