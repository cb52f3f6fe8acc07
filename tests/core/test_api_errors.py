"""Every response under /api/ is JSON in API.md's shape, whatever went wrong (#12 hole 10)."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import include, path
from rest_framework.test import APIClient

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


def test_an_unknown_api_path_is_a_json_404():
    _shape(APIClient().get("/api/v1/no-such-thing/"), 404, "not_found")


def test_a_wrong_method_is_a_json_405():
    r = APIClient().delete("/api/v1/results/")
    _shape(r, 405, "method_not_allowed")


def test_a_10_mb_body_is_a_json_413_before_it_is_read():
    r = APIClient().post(
        "/api/v1/auth/token/",
        data=b'{"username": "' + b"a" * 10_000_000 + b'"}',
        content_type="application/json",
    )
    _shape(r, 413, "payload_too_large")


def test_a_deeply_nested_json_body_is_a_400():
    deep = "[" * 100_000 + "]" * 100_000
    r = client_for(UserFactory()).post("/api/v1/organizations/", data=deep, content_type="application/json")
    _shape(r, 400, "parse_error")


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("api/v1/boom/", _boom), path("", include("config.urls"))]


def test_a_server_error_is_json_with_a_request_id_that_is_in_the_log(settings, caplog):
    settings.ROOT_URLCONF = __name__
    client = APIClient(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        r = client.get("/api/v1/boom/")
    body = _shape(r, 500, "server_error")
    assert body["request_id"] and r["X-Request-ID"] == body["request_id"]
    assert body["request_id"] in body["detail"]
    assert any(getattr(rec, "request_id", None) == body["request_id"] for rec in caplog.records)
    assert "RuntimeError" not in json.dumps(body)  # no internals to the client


def test_pages_keep_their_html_404():
    r = APIClient().get("/no-such-page/")
    assert r.status_code == 404 and not r["Content-Type"].startswith("application/json")


def test_an_explicit_format_wins_over_the_accept_header():
    r = APIClient().get("/api/v1/results/?format=csv", HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    r = APIClient().get("/api/v1/results/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
