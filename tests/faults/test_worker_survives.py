"""The worker crash of issue #13: a Celery worker that holds scheduled (ETA) tasks when Redis
goes away must reconnect when it returns, not die.

celery 5.7.0 died for good here ("Restoring 2 unacknowledged message(s)", then ``CRITICAL ...
Unrecoverable error: AttributeError("'NoneType' object has no attribute 'hostname'")``): its
reconnect collects the broken connection (which drops the transport's connection info) and then
closes it again; the second close restores the unacknowledged messages through kombu's Redis
channel, which has no connection info left. celery 5.6.3 (pinned in pyproject.toml) collects once
and reconnects.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from auctions.models import Auction
from config.celery import app
from tests.factories import open_auction, registered_bidder

from .conftest import celery_worker_argv, child_env, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _send(redis_url: str, name: str, *args: object, **options: object) -> None:
    with app.connection_for_write(url=redis_url) as conn:
        app.send_task(name, args=args, connection=conn, **options)


def test_a_worker_holding_scheduled_tasks_survives_a_redis_restart(private_redis, processes):
    worker = processes("worker-redis-restart", celery_worker_argv(), child_env(private_redis.url))
    assert worker.wait_for_output(" ready.", 60), worker.output()[-3000:]

    # Two tasks for later: the worker holds them, unacknowledged, until their moment.
    for _ in range(2):
        _send(private_redis.url, "auctions.sweep", countdown=300)
    assert worker.wait_for_output("] received", 10, count=2), worker.output()[-3000:]

    private_redis.kill()
    assert worker.wait_for_output("Connection to broker lost", 10), worker.output()[-3000:]
    private_redis.start()  # empty, as a Redis without persistence comes back
    assert worker.wait_for_output("Connected to", 20, count=2), worker.output()[-3000:]
    assert worker.alive(), worker.output()[-3000:]
    assert "Unrecoverable error" not in worker.output()

    # And it works: a close sent now is done by this worker.
    auction = open_auction(started=True, starts_in=-120, ends_in=3600)
    registered_bidder(auction)
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    _send(private_redis.url, "auctions.close", auction.pk)
    closed = wait_for(lambda: Auction.objects.get(pk=auction.pk).is_final, 20)
    assert closed, worker.output()[-3000:]
    assert worker.alive()
