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


@checks.register(checks.Tags.security)
def market_signing_key_format_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E003: a configured ``MARKET_SIGNING_KEY`` that is not an Ed25519 private key."""
    configured = getattr(settings, "MARKET_SIGNING_KEY", "")
    if not configured:
        return []
    try:
        from core.signing import key_from_text

        key_from_text(configured)
    except Exception:  # noqa: BLE001 - any parse failure is the same configuration error
        return [
            checks.Error(
                "MARKET_SIGNING_KEY is not an Ed25519 private key (PEM PKCS#8 or base64 seed).",
                id="config.E003",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def market_signing_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E002: auction records are signed with ``MARKET_SIGNING_KEY`` (core/signing.py). Without it a
    development key is made under var/: on several hosts each would sign with its own key, and a
    lost container would take the key that parties verify with. A deployment check
    (``manage.py check --deploy``, README "Production"), so development and the tests keep the
    key made under var/."""
    if getattr(settings, "MARKET_SIGNING_KEY", ""):
        return []
    message = "MARKET_SIGNING_KEY is not set: auction records would be signed with a development key."
    hint = (
        'Set MARKET_SIGNING_KEY to an Ed25519 key: python -c "import base64,os; '
        'print(base64.b64encode(os.urandom(32)).decode())" (README, Production).'
    )
    return [checks.Error(message, hint=hint, id="config.E002")]
