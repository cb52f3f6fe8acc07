"""API tokens (API.md, Accounts 1.1): named, listed without their keys, expiring, revocable by
their owner, an operator or a password change, and the presented one by itself (#12)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_named_token_is_shown_once_listed_without_its_key_and_works():
    user = UserFactory(username="tools")
    r = signed_in(user).post(
        "/api/v1/auth/tokens/", {"name": "bidding tool", "expires_in_days": 30}, format="json"
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert set(body) >= {"id", "name", "token", "expires_at"}
    key = body["token"]
    listed = with_key(key).get("/api/v1/auth/tokens/").json()
    assert [t["name"] for t in listed["results"]] == ["bidding tool"]
    assert "token" not in listed["results"][0] and key not in str(listed)
    assert listed["results"][0]["last_used_at"] is not None  # this very request used it
    assert set(listed["results"][0]) >= {"id", "name", "created_at", "last_used_at", "expires_at"}


def test_a_revoked_token_stops_working_at_once():
    user = UserFactory()
    client = signed_in(user)
    body = client.post("/api/v1/auth/tokens/", {"name": "ci"}, format="json").json()
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{body['id']}/").status_code == 204
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 401


def test_the_presented_token_revokes_itself():
    UserFactory(username="prog")
    key = APIClient().post("/api/v1/auth/token/", {"username": "prog", "password": PASSWORD}, format="json")
    key = key.json()["token"]
    assert with_key(key).delete("/api/v1/auth/token/").status_code == 204
    assert with_key(key).get("/api/v1/me/").status_code == 401
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401
    # A read-only token may revoke itself too (and still write nothing else).
    read_only = (
        APIClient()
        .post(
            "/api/v1/auth/token/",
            {"username": "prog", "password": PASSWORD, "read_only": True},
            format="json",
        )
        .json()["token"]
    )
    assert with_key(read_only).post("/api/v1/organizations/", {}).status_code == 403
    assert with_key(read_only).delete("/api/v1/auth/token/").status_code == 204
    assert with_key(read_only).get("/api/v1/me/").status_code == 401


def test_a_token_expires():
    user = UserFactory()
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        key = signed_in(user).post(
            "/api/v1/auth/tokens/", {"name": "short", "expires_in_days": 1}, format="json"
        )
        key = key.json()["token"]
        assert with_key(key).get("/api/v1/me/").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=1, seconds=1), tick=False):
        assert with_key(key).get("/api/v1/me/").status_code == 401


def test_expiry_out_of_range_is_a_clear_400():
    r = signed_in(UserFactory()).post(
        "/api/v1/auth/tokens/", {"name": "x", "expires_in_days": 0}, format="json"
    )
    assert r.status_code == 400
    assert "expires_in_days" in r.json()["fields"]


def test_nobody_else_sees_or_revokes_my_token_but_an_operator_does(operator):
    owner, other = UserFactory(), UserFactory()
    body = signed_in(owner).post("/api/v1/auth/tokens/", {"name": "mine"}, format="json").json()
    assert signed_in(other).get("/api/v1/auth/tokens/").json()["results"] == []
    assert signed_in(other).delete(f"/api/v1/auth/tokens/{body['id']}/").status_code == 404
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 200
    assert signed_in(operator).get("/api/v1/auth/tokens/").json()["results"] == []  # its own, by default
    seen = signed_in(operator).get(f"/api/v1/auth/tokens/?user={owner.pk}").json()["results"]
    assert [t["id"] for t in seen] == [body["id"]]
    assert signed_in(operator).delete(f"/api/v1/auth/tokens/{body['id']}/").status_code == 204
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 401


def test_a_password_change_revokes_every_token_and_ends_the_other_sessions():
    user = UserFactory(username="changer")
    key = signed_in(user).post("/api/v1/auth/tokens/", {"name": "old"}, format="json").json()["token"]
    elsewhere, here = Client(), Client()
    for browser in (elsewhere, here):  # through the login page, as a person signs in
        assert (
            browser.post("/accounts/login/", {"username": "changer", "password": PASSWORD}).status_code == 302
        )
    r = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "Longan-tea-2026"},
    )
    assert r.status_code in (200, 302)
    assert with_key(key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert elsewhere.get("/api/v1/me/").status_code in (401, 403)  # that session ended
    assert here.get("/api/v1/me/").status_code == 200  # this one stays signed in


def _orm_resolve(key: str):  # type: ignore[no-untyped-def]
    """The token lookup as the ORM says it: what ``api_token_resolve``'s one statement must equal."""
    from django.utils import timezone

    from accounts.services import _hash_key

    return (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=_hash_key(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def _fields(obj) -> dict:  # type: ignore[no-untyped-def]
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_token_lookup_reads_what_the_orm_query_reads(django_assert_num_queries):
    """``api_token_resolve`` reads the token and its user in one plain statement (the ORM built the
    query anew on every API request): the same token, the same user, every field, and the same
    refusals: revoked, expired, its user deactivated, unknown."""
    from accounts.services import api_token_create, api_token_resolve

    user = UserFactory(first_name="令", email="tool@example.com")
    token, key = api_token_create(user=user, name="bidding tool", read_only=True)
    api_token_resolve(key)  # stamps last_used_at; the next lookup within the minute only reads
    with django_assert_num_queries(1):
        fast = api_token_resolve(key)
    slow = _orm_resolve(key)
    assert fast is not None and slow is not None
    assert _fields(fast) == _fields(slow)
    assert _fields(fast.user) == _fields(slow.user)
    assert fast.user.is_authenticated and fast.user_id == user.pk
    assert not fast._state.adding and not fast.user._state.adding

    assert api_token_resolve("no-such-key") is None and _orm_resolve("no-such-key") is None
    spoils = {
        "expired": lambda t: ApiToken.objects.filter(pk=t.pk).update(expires_at=t.created_at),
        "revoked": lambda t: ApiToken.objects.filter(pk=t.pk).update(revoked_at=t.created_at),
        "user deactivated": lambda t: type(t.user).objects.filter(pk=t.user_id).update(is_active=False),
    }
    for why, spoil in spoils.items():
        token, key = api_token_create(user=UserFactory())
        assert api_token_resolve(key) is not None, why
        spoil(token)
        assert api_token_resolve(key) is None and _orm_resolve(key) is None, why
