"""Brute force on sign-in (#12): repeated failures lock the username and the address out for a
while, before any password is checked; the web page says so in Chinese, the API in its shape."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
LIMIT = settings.AXES_FAILURE_LIMIT


def token(api, username: str, password: str, addr: str = "198.51.100.7"):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=addr
    )


def test_token_requests_lock_the_username_out_then_the_right_password_is_refused(api):
    UserFactory(username="alice")
    for _ in range(LIMIT - 1):
        assert token(api, "alice", "wrong").status_code == 401
    assert token(api, "alice", "wrong").status_code == 429  # the failure that reaches the limit
    r = token(api, "alice", PASSWORD)
    assert r.status_code == 429
    assert r.json()["code"] == "too_many_attempts"
    assert int(r["Retry-After"]) > 0
    # From another address too: the username itself is locked.
    assert token(api, "alice", PASSWORD, addr="203.0.113.9").status_code == 429


def test_one_address_trying_many_usernames_is_locked_out(api):
    UserFactory(username="bob")
    for n in range(LIMIT):
        token(api, f"nobody{n}", "wrong")
    assert token(api, "bob", PASSWORD).status_code == 429
    assert token(api, "bob", PASSWORD, addr="203.0.113.10").status_code == 200


def test_the_lock_ends_after_the_cool_off(api):
    UserFactory(username="carol")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT):
            token(api, "carol", "wrong")
        assert token(api, "carol", PASSWORD).status_code == 429
    with time_machine.travel(
        start + settings.AXES_COOLOFF_TIME * dt.timedelta(hours=1) + dt.timedelta(seconds=5)
    ):
        assert token(api, "carol", PASSWORD).status_code == 200


def test_a_success_resets_the_usernames_count(api):
    """(The address keeps counting its failures: a success for one name does not clear it.)"""
    UserFactory(username="dave")
    for _ in range(LIMIT - 1):
        token(api, "dave", "wrong")
    assert token(api, "dave", PASSWORD).status_code == 200
    for _ in range(LIMIT - 1):
        token(api, "dave", "wrong", addr="203.0.113.11")
    assert token(api, "dave", PASSWORD, addr="203.0.113.11").status_code == 200


def test_the_login_page_says_why_in_chinese():
    UserFactory(username="erin")
    browser = Client(REMOTE_ADDR="198.51.100.8")
    for _ in range(LIMIT - 1):
        r = browser.post("/accounts/login/", {"username": "erin", "password": "wrong"})
        assert r.status_code == 200
    browser.post("/accounts/login/", {"username": "erin", "password": "wrong"})
    r = browser.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode()
    assert int(r["Retry-After"]) > 0
    assert "_auth_user_id" not in browser.session


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(api, settings):
    """Behind HAProxy every request comes from the proxy: counting REMOTE_ADDR would let one
    attacker lock every user out. With TRUSTED_PROXY_COUNT=1 the client's address is the one the
    proxy put in X-Forwarded-For (a spoofed entry further left is ignored)."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="frank")

    def via_proxy(username, password, client_addr):
        return api.post(
            "/api/v1/auth/token/",
            {"username": username, "password": password},
            format="json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{len(username)}, {client_addr}",  # spoofed, then HAProxy's
        )

    for n in range(LIMIT):
        via_proxy(f"nobody{n}", "wrong", "198.51.100.66")  # one attacker, many names
    assert via_proxy("frank", PASSWORD, "198.51.100.66").status_code == 429
    assert via_proxy("frank", PASSWORD, "203.0.113.20").status_code == 200  # everyone else signs in


def test_a_process_starts_without_the_lockout_banner_and_failures_are_still_logged(caplog, monkeypatch):
    """django-axes logs its version and lockout parameters at every process start ("AXES: BEGIN",
    INFO): a line in every manage.py command's and bench's output (#17.8). Only that banner goes."""
    from axes.apps import AppConfig

    monkeypatch.setattr(AppConfig, "initialized", False)  # as in a process that has just started
    with caplog.at_level(logging.INFO):
        AppConfig.initialize()
    assert not [r for r in caplog.records if r.getMessage().startswith("AXES: BEGIN")]
    assert logging.getLogger("axes.handlers.database").isEnabledFor(logging.INFO)
