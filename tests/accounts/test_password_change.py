import pytest

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_password_change_checks_the_old_one_and_the_validators(api):
    user = UserFactory(username="wang")
    client = client_for(user)
    r = client.post("/api/v1/accounts/password/", {"old_password": "nope", "new_password": "Longan-tea-2026"})
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (
        400,
        "wrong_password",
        ["old_password"],
    )
    r = client.post("/api/v1/accounts/password/", {"old_password": "pass-word-123", "new_password": "123"})
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (
        400,
        "weak_password",
        ["new_password"],
    )
    user.refresh_from_db()
    assert user.check_password("pass-word-123")
    r = client.post(
        "/api/v1/accounts/password/", {"old_password": "pass-word-123", "new_password": "Longan-tea-2026"}
    )
    assert r.status_code == 204
    assert (
        api.post("/api/v1/auth/token/", {"username": "wang", "password": "Longan-tea-2026"}).status_code
        == 200
    )
    assert (
        api.post("/api/v1/auth/token/", {"username": "wang", "password": "pass-word-123"}).status_code == 401
    )


def test_password_change_needs_a_signed_in_user(api):
    assert (
        api.post("/api/v1/accounts/password/", {"old_password": "a", "new_password": "b"}).status_code == 401
    )


def test_password_change_page_keeps_the_user_signed_in(client):
    user = UserFactory(username="zhou")
    client.force_login(user)
    r = client.post("/accounts/password/", {"old_password": "wrong", "new_password": "Longan-tea-2026"})
    assert r.status_code == 200 and "原密码不正确。" in r.content.decode()
    r = client.post(
        "/accounts/password/", {"old_password": "pass-word-123", "new_password": "Longan-tea-2026"}
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Longan-tea-2026")
    assert client.get("/accounts/organization/").status_code == 200  # still signed in
