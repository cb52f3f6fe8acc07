"""System checks of the deployment's configuration, and the refusal to start on their errors.

``manage.py check`` reports them; the web server (``config.asgi``) and the Celery worker and beat
(``config.celery``) run them at start-up and stop on an error, so a production process cannot
run with a secret missing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def bank_webhook_secret_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001: the bank's notifications are signed with ``BANK_WEBHOOK_SECRET``; without it every
    notification is refused, and a known default would let anyone credit the escrow."""
    if settings.MARKET.get("BANK_WEBHOOK_SECRET"):
        return []
    message = "BANK_WEBHOOK_SECRET is not set: the bank's payment notifications cannot be verified."
    hint = "Set BANK_WEBHOOK_SECRET to the secret agreed with the bank (README, Production)."
    if settings.DEBUG:
        return [checks.Warning(message, hint=hint, id="config.W001")]
    return [checks.Error(message, hint=hint, id="config.E001")]


def refuse_to_start_on_errors() -> None:
    """Run the system checks and raise ``SystemCheckError`` on any error (not on warnings)."""
    from django.core.management.base import SystemCheckError

    errors = [m for m in checks.run_checks() if m.level >= checks.ERROR and not m.is_silenced()]
    if errors:
        raise SystemCheckError("\n".join(str(e) for e in errors))
