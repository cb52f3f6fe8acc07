"""Demo auctions, made through the real services: listings published by the operator (the
``listing_published`` seam opens each auction), companies registered, deposits frozen by the
finance operator's confirmation of the bank transfer, bids placed by the engine.

Three slots, each tied to one achievement:

* ``live``: 高安全性固态锂电池复合电解质 (浙江大学), live now for three days, three registered
  companies (two with deposits frozen, one still to pay) and a few bids;
* ``ending``: 焊缝跟踪激光视觉传感器 (浙江工业大学), live, ending eight minutes after it was loaded;
* ``scheduled``: 食品致病菌微流控快速检测系统 (浙江大学), opening in seven days.

Idempotent, also on another day: a slot whose auction is still in the state it should show is
left alone; one whose end has passed is first closed (as the sweeper would), then a new listing of
the same achievement is published for the slot. Demo auctions sell licences, not transfers, so the
achievement can be listed again after a sale. A new live auction must start in the future (the
listing rules), so the loader publishes it to start two seconds later and waits for that moment.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import Organization, User
from core.dbclock import db_now
from core.errors import DomainError
from listings.models import Achievement

from .models import Auction, Registration
from .services import auction_close, bid_place, registration_create

# How far ahead of its publish a fresh auction starts: its bids wait for the start (the loader
# sleeps), so it is a fresh start's wait; the margin covers the publish itself on a loaded machine.
FRESH_START = timedelta(seconds=1.5)
# A retry's margin is at least this, and at least three times what the failed publish took: a
# publish's time varies by more than twice from one attempt to the next under a loaded machine.
RETRY_MARGIN = timedelta(seconds=1)


def _scheduled_achievement(context: dict[str, Any]) -> Achievement:
    from listings.demo import patent
    from listings.services import achievement_create

    holder: Organization = context["orgs"]["zju"]
    title = "基于微流控芯片的食品致病菌快速检测系统"
    existing = Achievement.objects.filter(holder=holder, title=title).first()
    if existing is not None:
        return existing
    return achievement_create(
        actor=context["users"]["zju_admin"],
        organization=holder,
        title=title,
        summary="在一张微流控芯片上完成样品前处理、核酸扩增与荧光检测，40分钟内同时检出沙门氏菌、"
        "单增李斯特菌等6种致病菌，检出限10 CFU/mL，适用于食品企业出厂检验与市场监管快检。",
        field="biomedicine",
        kind="applied",
        maturity=5,
        valuation=Decimal("900000.00"),
        fiscally_funded=True,
        funding_project_no="2023C03SA00456",
        is_service_invention=True,
        inventors=[{"name": "应义斌", "share": "50"}, {"name": "王剑平", "share": "50"}],
        ip=[
            {"patent_no": patent(2023, "1", 1187642), "ip_type": "invention", "granted_on": date(2025, 6, 17)}
        ],
    )


def _slots(context: dict[str, Any]) -> list[dict[str, Any]]:
    achievements = context["achievements"]
    return [
        {
            "slot": "live",
            "achievement": achievements["zju_battery_auction"],
            "rights": "license_exclusive",
            "terms": {
                "start_price": Decimal("800000.00"),
                "increment": Decimal("10000.00"),
                "reserve_price": Decimal("1000000.00"),
                "deposit": Decimal("50000.00"),
                "length": timedelta(days=3),
            },
            "keep": lambda a, now: a.ends_at - now > timedelta(hours=1),
            "bidders": ["hikon_buyer", "tea_buyer", "medi_buyer"],
            "pays": ["hikon_buyer", "tea_buyer"],
            "bids": [("hikon_buyer", "800000.00"), ("tea_buyer", "820000.00"), ("hikon_buyer", "850000.00")],
        },
        {
            "slot": "ending",
            "achievement": achievements["zjut_weld_auction"],
            "rights": "license_general",
            "terms": {
                "start_price": Decimal("300000.00"),
                "increment": Decimal("5000.00"),
                "reserve_price": None,
                "deposit": Decimal("20000.00"),
                "length": timedelta(minutes=8),
            },
            "keep": lambda a, now: a.ends_at > now,
            "bidders": ["tea_buyer", "medi_buyer"],
            "pays": ["tea_buyer", "medi_buyer"],
            "bids": [("tea_buyer", "300000.00"), ("medi_buyer", "310000.00")],
        },
        {
            "slot": "scheduled",
            "achievement": _scheduled_achievement(context),
            "rights": "license_exclusive",
            "terms": {
                "start_price": Decimal("500000.00"),
                "increment": Decimal("10000.00"),
                "reserve_price": Decimal("600000.00"),
                "deposit": Decimal("30000.00"),
                "length": timedelta(hours=2),
                "starts_in": timedelta(days=7),
            },
            "keep": lambda a, now: a.status == Auction.Status.SCHEDULED,
            "bidders": ["hikon_buyer"],
            "pays": [],
            "bids": [],
        },
    ]


def _current(achievement: Achievement) -> Auction | None:
    return Auction.objects.filter(listing__achievement=achievement).order_by("-id").first()


def _open(context: dict[str, Any], spec: dict[str, Any], now: datetime) -> Auction:
    from listings.demo import publish

    terms = dict(spec["terms"])
    length = terms.pop("length")
    margin = terms.pop("starts_in", FRESH_START)
    for attempt in range(5):
        # from the clock at this publish, not the load's start: a slow machine spends seconds before it
        began = db_now()
        starts_at = max(now, began) + margin
        try:
            with transaction.atomic():
                listing = publish(
                    context,
                    achievement=spec["achievement"],
                    mode="auction",
                    rights=spec["rights"],
                    starts_at=starts_at,
                    ends_at=starts_at + length,
                    extension_seconds=300,
                    **terms,
                )
        except DomainError as error:
            # the publish itself outlasted the margin (a loaded machine): undone, again with more
            if set(error.fields or ()) != {"starts_at"} or attempt == 4:
                raise
            margin = max(2 * margin, 3 * (db_now() - began), RETRY_MARGIN)
            continue
        return Auction.objects.get(listing=listing)
    raise AssertionError("unreachable")


def _register_and_pay(context: dict[str, Any], auction: Auction, spec: dict[str, Any]) -> None:
    from marketplace.services import payable_confirm

    users: dict[str, User] = context["users"]
    for username in spec["bidders"]:
        user = users[username]
        registration = Registration.objects.filter(
            auction=auction, organization__memberships__user=user
        ).first() or registration_create(auction_id=auction.pk, actor=user)
        payment = registration.payment
        if username in spec["pays"] and payment is not None and payment.deposit_status == "pending":
            payable_confirm(
                payable=payment,
                actor=context["operator"],
                note="演示数据：保证金已到账（工商银行回单）",
                bank_transaction_id=f"DEMO-{payment.payment_reference}",
            )


def load(context: dict[str, Any]) -> None:
    now = db_now()
    fresh: list[tuple[Auction, dict[str, Any]]] = []
    for spec in _slots(context):
        auction = _current(spec["achievement"])
        if auction is not None and not auction.is_final and auction.ends_at <= now:
            auction = auction_close(auction_id=auction.pk)  # what the sweeper would have done
        if auction is None or auction.is_final or not spec["keep"](auction, now):
            if auction is not None and not auction.is_final:
                continue  # still running, only no longer what the slot shows: leave it be
            auction = _open(context, spec, now)
            fresh.append((auction, spec))
        _register_and_pay(context, auction, spec)
        context.setdefault("auctions", {})[spec["slot"]] = auction
    starting = [(a, s) for a, s in fresh if s["bids"]]
    if starting:
        # Bids are accepted from starts_at on, by the database's clock.
        wait = max((a.starts_at - db_now()).total_seconds() for a, _ in starting)
        if wait > 0:
            time.sleep(wait + 0.05)
    for auction, spec in starting:
        for username, amount in spec["bids"]:
            bid_place(auction_id=auction.pk, user=context["users"][username], amount=amount)
