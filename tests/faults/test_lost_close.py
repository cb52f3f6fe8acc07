"""The lost close of issue #13: the market's background roles run as the Procfile declares them;
the close of an auction is scheduled the way it used to be (a task for ``ends_at``, held by the
worker); then, just before the end, the worker is killed and Redis restarts empty, so that task
is gone. The auction must still close no later than 2 s after ``ends_at`` (DESIGN.md, "Faults").

Before the sweeper process, the close waited for beat's 15 s sweep, which needs a worker, and the
killed worker was not there to run it: the auction stayed live.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from decimal import Decimal

import pytest

from auctions.models import Auction
from auctions.services import bid_place
from config.celery import app
from core.dbclock import db_now
from tests.factories import open_auction, registered_bidder

from .conftest import child_env, procfile_roles, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

READY = {"worker": " ready.", "beat": "beat: Starting", "sweeper": "sweeper started"}


def _argv(command: list[str]) -> list[str]:
    if command[0] == "celery":
        return [sys.executable, "-m", "celery", *command[1:]]
    if command[0] == "python":
        return [sys.executable, *command[1:]]
    return command


def test_a_close_is_on_time_when_the_worker_dies_and_redis_restarts_empty(private_redis, processes):
    roles = {
        name: processes(f"role-{name}", _argv(command), child_env(private_redis.url))
        for name, command in procfile_roles().items()
        if name != "web"
    }
    for name, process in roles.items():
        assert process.wait_for_output(READY.get(name, ""), 60), process.output()[-3000:]

    auction = open_auction(started=True, starts_in=-120, ends_in=3600)
    bidder, _ = registered_bidder(auction)
    bid_place(auction_id=auction.pk, user=bidder, amount=Decimal("1000.00"))
    ends_at = db_now() + dt.timedelta(seconds=5)
    Auction.objects.filter(pk=auction.pk).update(ends_at=ends_at, scheduled_ends_at=ends_at)
    # The close as it used to be scheduled: a task for ends_at, which the worker holds.
    with app.connection_for_write(url=private_redis.url) as conn:
        app.send_task("auctions.close", args=[auction.pk], eta=ends_at, connection=conn)

    time.sleep(max(0.0, (ends_at - db_now()).total_seconds() - 2.5))
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.LIVE
    roles["worker"].kill()
    private_redis.restart_empty()

    closed = wait_for(lambda: Auction.objects.get(pk=auction.pk).closed_at, 20, step=0.2)
    auction.refresh_from_db()
    assert closed, f"still {auction.status} 20 s after ends_at"
    assert auction.status == Auction.Status.SOLD
    late = (auction.closed_at - ends_at).total_seconds()
    assert late <= 2.0, f"closed {late:.2f} s after ends_at"
