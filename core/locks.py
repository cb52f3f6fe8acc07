"""Every row lock of the market, in one module (CONVENTIONS.md, "Concurrency and effects").

A service that changes a row locks it here first and reads every rule from the locked row. Core
imports no app: each helper resolves its model by label (``apps.get_model``) when it runs.

The market's one lock order
===========================

A transaction that takes several of these locks takes them top to bottom. Two transactions that
both follow the order can wait for each other but never deadlock. Rows of one kind are locked in
``pk`` order (``rows_lock``; Saleor's ``lock_objects.py``).

 1. job advisory locks (``advisory_xact_lock``: the use-first job's own, the registration duty's;
    taken first in their transaction).
 2. organization (``organization_lock``): status moves and memberships. No other lock is held when
    it is taken, and nothing below takes it.
 3. auction (``auction_lock``, ``auction_lock_at``; the bid engine's SQL ``auction_bid_place``
    takes the same ``FOR NO KEY UPDATE``): registration, start, bids, proxies, close, cancel.
    Taking a listing down or withdrawing it cancels its auction BEFORE locking the listing
    (``listings.services.listing_take_down`` calls the ``listing_taken_down`` seam first).
 4. public notices of a listing (``notice_lock``, ``notices_lock``): ``notice_conclude`` and
    ``objection_decide`` lock the notice, then (through ``deal_conclude``) the listing.
 5. listing (``listing_lock``), with its achievement and holder read (not locked). Stamping a
    synced row for syncing clients takes no lock (``core.sync``: a trigger records the writing
    transaction), so writers of different listings never wait for each other.
 6. achievement (``achievement_lock``): after its listing (``listing_submit``,
    ``achievement_set_conversion`` under ``deal_conclude``). ``listing_publish_by_platform``
    locks the achievement and then the listing it has just created, a row no other transaction
    can see yet.
 7. offers (``offer_lock``): after the listing (``offer_accept`` supersedes the others).
 8. objections (``objection_lock``): after their notice.
 9. purchase intents (``intents_lock``): after the listing.
10. payables (``payable_lock``, ``payables_lock``): deposits and balances, after the auction and
    the listing, BEFORE the deal they pay (a payment makes the deal ``paid``; a default locks the
    balance and the deposit, then the deal).
11. deal (``deal_lock``): payment, default, contract registration, settlement.
12. the deal's confirmation (``confirmation_lock``): signing, after the deal it confirms.
    A broker's mandate (``mandate_lock``): revoking it takes no other lock; naming a deal's broker
    reads the mandate under the deal's lock without locking it (a revocation after the deal
    does not undo it: the mandate's ``revoked_at`` is compared with the deal's conclusion).
    A data room's access (``data_room_access_lock``): deciding or revoking it takes no other lock;
    accepting the NDA locks the listing (one access per organization, the room's NDA version).
    A settlement adds the broker's points to its profile (an ``UPDATE``) last, after the deal.
13. a reconciliation run writes no locked row: it reads one snapshot (``ledger_check``).

A function that needs its caller to hold one of these says so in its docstring.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection, models


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _pk(obj: Any) -> Any:
    return obj.pk if isinstance(obj, models.Model) else obj


def row_lock(
    model: type[models.Model] | models.QuerySet[Any],
    obj: Any,
    *,
    no_key: bool = False,
    related: Iterable[str] = (),
) -> Any:
    """The row of ``obj`` (an instance or a pk), locked until the transaction ends, as it is now.

    ``FOR UPDATE OF`` the row itself only (``of=("self",)``): rows read with it through
    ``related`` are not locked. ``no_key``: ``FOR NO KEY UPDATE``, which lets other transactions
    insert rows referencing this one (a foreign key takes a share lock) while it is held."""
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    if related:
        queryset = queryset.select_related(*related)
    return queryset.select_for_update(of=("self",), no_key=no_key).get(pk=_pk(obj))


def advisory_xact_lock(name: str) -> None:
    """Serialize the holders of ``name`` (a job's name, say) across processes until the
    transaction ends. Re-entrant within one transaction. Never a market-wide lock: only the runs
    of one job (or one duty) wait for each other."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def rows_skip_locked(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The rows of ``queryset`` no other transaction holds, locked: for sweepers, where a row a
    concurrent run is working on is that run's business."""
    return queryset.select_for_update(of=("self",), skip_locked=True)


def rows_lock(queryset: models.QuerySet[Any], *, no_key: bool = False) -> list[Any]:
    """Every row of ``queryset``, locked in ``pk`` order (two transactions locking overlapping
    sets in the same order cannot deadlock), as a list in that order."""
    return list(queryset.select_for_update(of=("self",), no_key=no_key).order_by("pk"))


# 2. organization


def organization_lock(organization: Any, *, no_key: bool = False) -> Any:
    """The organization row. ``no_key`` for checks that only need it to hold still (membership
    changes: two admins removing each other); a status move takes the full lock."""
    return row_lock(_model("accounts.Organization"), organization, no_key=no_key)


# 3. auction


def auction_lock(auction: Any) -> Any:
    """Lock the auction row for the rest of the transaction and return its latest state.

    ``FOR NO KEY UPDATE`` of the auction row only: inserting bids that reference it (a foreign-key
    share lock) and reading it stay possible; every writer of the auction's state queues here."""
    return row_lock(_model("auctions.Auction"), auction, no_key=True)


def auction_lock_at(auction: Any) -> tuple[Any, datetime]:
    """``auction_lock`` and ``core.dbclock.db_now`` in one round trip (closing, proxy ceilings).

    The same ``FOR NO KEY UPDATE`` lock of the auction row only (what
    ``select_for_update(of=("self",), no_key=True)`` takes), in a MATERIALIZED CTE so that the
    outer ``clock_timestamp()`` is evaluated on the row the lock returned, i.e. after any wait for
    the lock. (In a plain ``SELECT ... FOR UPDATE`` the clock would be read before the wait.)"""
    model = _model("auctions.Auction")
    table = model._meta.db_table
    rows = list(
        model._default_manager.raw(
            f"WITH locked AS MATERIALIZED (SELECT * FROM {table} WHERE id = %s FOR NO KEY UPDATE) "  # noqa: S608
            "SELECT locked.*, clock_timestamp() AS locked_at FROM locked",
            [_pk(auction)],
        )
    )
    if not rows:
        raise model.DoesNotExist  # type: ignore[attr-defined]  # every concrete model has it
    return rows[0], getattr(rows[0], "locked_at")  # noqa: B009 - a column of the raw query


# 4. public notices


def notice_lock(notice: Any) -> Any:
    """One public notice (conclusion, objections, stopping it)."""
    return row_lock(_model("marketplace.PublicNotice"), notice)


def notices_lock(*, listing: Any, status: str) -> list[Any]:
    """The listing's notices in ``status``, in pk order: BEFORE the listing lock."""
    model = _model("marketplace.PublicNotice")
    return rows_lock(model._default_manager.filter(listing=_pk(listing), status=status))


# 5. listing, 6. achievement


def listing_lock(listing: Any) -> Any:
    """The listing row (with its achievement and holder read, not locked). Stamping it for
    syncing clients takes no lock (``core.sync``)."""
    return row_lock(_model("listings.Listing"), listing, related=("achievement__holder",))


def achievement_lock(achievement: Any, *, holder: bool = False) -> Any:
    """The achievement row; after its listing's lock when both are needed. ``holder`` reads the
    holder with it."""
    return row_lock(_model("listings.Achievement"), achievement, related=("holder",) if holder else ())


# 7. offers, 8. objections, 9. purchase intents


def offer_lock(offer: Any) -> Any:
    return row_lock(_model("marketplace.Offer"), offer)


def objection_lock(objection: Any) -> Any:
    """One objection; its notice first (``notice_lock``)."""
    return row_lock(_model("marketplace.Objection"), objection)


def intents_lock(*, listing: Any) -> list[Any]:
    """The listing's purchase intents still standing, with their buyers, in pk order; after the
    listing lock."""
    model = _model("marketplace.PurchaseIntent")
    queryset = model._default_manager.filter(listing=_pk(listing), withdrawn_at=None).select_related("buyer")
    return rows_lock(queryset)


# 10. payables, 11. deal, 12. confirmation


def payable_lock(payable: Any) -> Any:
    """One payable; before the deal it pays."""
    return row_lock(_model("marketplace.Payable"), payable)


def payables_lock(payables: Iterable[Any]) -> dict[Any, Any]:
    """Several payables (instances or pks, ``None`` skipped), locked in pk order; by pk."""
    model = _model("marketplace.Payable")
    pks = {_pk(p) for p in payables if p is not None}
    return {row.pk: row for row in rows_lock(model._default_manager.filter(pk__in=pks))}


def deal_lock(deal: Any) -> Any:
    """The deal row; after the payables that pay it."""
    return row_lock(_model("marketplace.Deal"), deal)


def confirmation_lock(confirmation: Any) -> Any:
    """A deal's confirmation (with its deal read); after the deal's lock when both are needed."""
    return row_lock(_model("marketplace.DealConfirmation"), confirmation, related=("deal",))


def mandate_lock(mandate: Any) -> Any:
    """A broker's mandate (委托) on a listing, with its listing read."""
    return row_lock(_model("marketplace.Mandate"), mandate, related=("listing__achievement", "broker"))


def data_room_access_lock(access: Any) -> Any:
    """A company's access to a data room, with its room and listing read."""
    return row_lock(
        _model("marketplace.DataRoomAccess"), access, related=("room__listing__achievement", "organization")
    )


def risk_alert_lock(alert: Any) -> Any:
    """An operators' risk alert (portal): a decision takes no other lock."""
    return row_lock(_model("portal.RiskAlert"), alert)
