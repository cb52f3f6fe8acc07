"""What a bid's request must not rebuild (issue #17.1): Django serves each sync request on a thread
of its own (asgiref's ThreadSensitiveContext), so anything a bid's effects keep per thread was made
anew for every REST bid: a Redis connection for the room's news, and Celery's result backend, whose
making scans every installed package's entry points (a quarter of a REST bid's CPU, py-spy)."""

from __future__ import annotations

import threading
from typing import Any

from auctions import events


def _in_new_threads(make: Any, n: int = 2) -> list[Any]:
    make()  # made once already, as a server process has by its second request
    seen: list[Any] = []
    threads = [threading.Thread(target=lambda: seen.append(make())) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def test_the_news_client_is_one_per_process_not_one_per_request_thread():
    a, b = _in_new_threads(events._client)
    assert a is b


def test_celerys_result_backend_is_made_once_not_per_request_thread():
    from celery import current_app

    a, b = _in_new_threads(lambda: current_app.backend)
    assert a is b
