"""The deployment's configuration: what a production process refuses to start without.

The web server's refusal and the README's ``manage.py check --deploy`` run as real processes; the
other cases read the settings an environment makes and run the system checks on them in this
process (tests/settings_env.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

from tests.settings_env import check_messages, settings_from

ROOT = Path(__file__).resolve().parent.parent
# A fixed Ed25519 seed (base64) for the production-shaped runs: the test's, never a deployment's.
SIGNING_KEY = "q8Ue0ANQ1dNnH5mI0c3l7Pw2TEC7yOq8c3p7m8r6Qy0="


def _run(code: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("BANK_WEBHOOK_SECRET", "MARKET_SIGNING_KEY")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


SECRETS = ("BANK_WEBHOOK_SECRET", "MARKET_SIGNING_KEY")


def _errors(env: dict[str, str], *, deploy: bool = False) -> set[str]:
    """The ids of the errors ``manage.py check`` (``--deploy``) reports under ``env`` (without the
    secrets it does not set): any of them makes the command fail."""
    messages = check_messages(settings_from(env, drop=SECRETS), deploy=deploy)
    return {m.id for m in messages if m.level >= checks.ERROR and not m.is_silenced()}


def test_production_without_the_bank_webhook_secret_fails_the_system_check():
    assert "config.E001" in _errors({"DEBUG": "false"})


def test_production_web_server_refuses_to_start_without_the_bank_webhook_secret():
    done = _run(["-c", "import config.asgi"], DEBUG="false")
    assert done.returncode != 0
    assert "config.E001" in done.stderr


def test_with_the_secret_the_check_passes():
    env = {
        "DEBUG": "false",
        "BANK_WEBHOOK_SECRET": "a-real-secret-from-the-bank",
        "MARKET_SIGNING_KEY": SIGNING_KEY,
    }
    assert _errors(env) == set()


def test_production_without_the_signing_key_fails_the_deployment_check():
    environ = {k: v for k, v in PRODUCTION.items() if k != "MARKET_SIGNING_KEY"}
    errors = _errors(environ, deploy=True)
    assert "config.E002" in errors and "config.E001" not in errors
    assert "config.E002" not in _errors(environ)  # a deployment check only


def test_a_malformed_signing_key_fails_the_system_check():
    assert "config.E003" in _errors(
        {"DEBUG": "false", "BANK_WEBHOOK_SECRET": "x", "MARKET_SIGNING_KEY": "not-a-key"}
    )


@pytest.mark.django_db
def test_an_unset_secret_verifies_no_signature(settings):
    """The old default was a known string; an empty secret must not sign anything either."""
    import hashlib
    import hmac

    from marketplace.services.payments import NotificationRefused, bank_notification_verify

    settings.MARKET = {**settings.MARKET, "BANK_WEBHOOK_SECRET": ""}
    body, stamp = b'{"payment_reference": "X"}', "1700000000"
    for key in (b"", b"dev-bank-secret"):
        signature = hmac.new(key, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        with pytest.raises(NotificationRefused):
            bank_notification_verify(raw_body=body, timestamp=stamp, signature=signature, now=1700000000)


# The README's production environment (README, "Production").
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "z" * 20,
    "ALLOWED_HOSTS": "market.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://market.example.cn",
    "BANK_WEBHOOK_SECRET": "agreed-with-the-bank",
    "MARKET_SIGNING_KEY": SIGNING_KEY,
    "SECURE_SSL_REDIRECT": "true",
}


def test_check_deploy_with_the_production_environment_has_no_warnings():
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout


def test_production_responses_carry_hsts_csp_and_secure_cookies(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    r = client.get("/accounts/login/", secure=True)
    assert "max-age=31536000" in r["Strict-Transport-Security"]
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    production = settings_from(PRODUCTION)
    got = [production[k] for k in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")]
    assert got == [True, True, 31_536_000]
