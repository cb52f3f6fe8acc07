"""``core.effects.enqueue``: no task waits in Redis for a moment beyond half the visibility timeout
(it would be handed out again and again); such moments are left to their sweep (issue #13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.effects import enqueue, eta_horizon_seconds


@pytest.mark.django_db
def test_a_task_for_a_far_moment_is_left_to_its_sweep(django_capture_on_commit_callbacks):
    horizon = eta_horizon_seconds()
    assert 0 < horizon < 60  # seconds, not Celery's hour
    with django_capture_on_commit_callbacks() as sent:
        enqueue("auctions.close", 1, eta=timezone.now() + dt.timedelta(days=1))
        enqueue("auctions.close", 1, eta=timezone.now() + dt.timedelta(seconds=horizon / 2))
        enqueue("auctions.close", 1)
    assert len(sent) == 2
