"""``manage.py auctions_sweeper``: run the sweeper (the Procfile's ``sweeper`` role) until SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from auctions.sweeper import sweep_forever


class Command(BaseCommand):
    help = "Start and close auctions on time, by the database clock (the sweeper)."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        sweep_forever(stop)
