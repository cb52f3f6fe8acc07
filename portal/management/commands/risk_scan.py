from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the risk-alert rules now (the periodic job does every 5 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        from portal.risk import risk_scan

        raised = risk_scan()
        self.stdout.write(f"{len(raised)} new risk alert(s)")
