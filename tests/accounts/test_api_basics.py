"""The error shape of API.md for every kind of error; tokens; idempotency; verified-only actions."""

import threading

import pytest
from django.db import connection
from django.urls import include, path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import idempotent
from accounts.models import IdempotencyRecord, Organization
from accounts.permissions import IsVerifiedMember
from core.errors import DomainError
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


class CountingView(APIView):
    """A POST that records each real execution, refusing amounts over 100 (a rule's 422)."""

    permission_classes = [IsVerifiedMember]

    @idempotent("counting")
    def post(self, request):
        amount = int(request.data.get("amount", 0))
        if amount > 100:
            raise DomainError("too_much", "金额过大")
        CALLS.append(amount)
        return Response({"n": len(CALLS), "amount": amount}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/counting/", CountingView.as_view()),
]


def assert_error_shape(response, status_code, code=None):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) <= {"code", "detail", "fields"} and {"code", "detail"} <= set(body)
    assert isinstance(body["detail"], str) and body["detail"]
    if code:
        assert body["code"] == code
    return body


def test_400_validation_has_fields(api):
    body = assert_error_shape(api.post("/api/v1/accounts/register/", {"username": "x"}), 400, "invalid_input")
    assert set(body["fields"]) == {"password", "email"}


def test_400_malformed_json(api):
    r = api.post("/api/v1/accounts/register/", "{not json", content_type="application/json")
    assert_error_shape(r, 400, "parse_error")


def test_401_without_credentials_and_with_bad_token(api):
    assert_error_shape(api.get("/api/v1/me/"), 401, "not_authenticated")
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error_shape(api.get("/api/v1/me/"), 401, "authentication_failed")


def test_401_wrong_password_for_token(api):
    UserFactory(username="li")
    assert_error_shape(
        api.post("/api/v1/auth/token/", {"username": "li", "password": "bad"}), 401, "invalid_credentials"
    )


def test_403_and_404_shapes(operator):
    user = UserFactory()
    assert_error_shape(client_for(user).post("/api/v1/organizations/1/review/", {"decision": "approve"}), 403)
    assert_error_shape(client_for(operator).get("/api/v1/organizations/999999/"), 404, "not_found")


@pytest.mark.urls(__name__)
def test_422_domain_refusal():
    user = member_of(OrganizationFactory())
    assert_error_shape(client_for(user).post("/api/v1/counting/", {"amount": 101}), 422, "too_much")


@pytest.mark.urls(__name__)
def test_unverified_organization_cannot_act():
    user = member_of(OrganizationFactory(status=Organization.Status.PENDING))
    assert_error_shape(
        client_for(user).post("/api/v1/counting/", {"amount": 1}), 403, "organization_not_verified"
    )


def test_token_auth_and_read_only_tokens():
    user = UserFactory()
    assert client_for(user).get("/api/v1/me/").json()["username"] == user.username
    reader = client_for(user, read_only=True)
    assert reader.get("/api/v1/me/").status_code == 200
    r = reader.post("/api/v1/organizations/", {"name": "x", "kind": "enterprise", "credit_code": "x"})
    assert_error_shape(r, 403, "read_only_token")
    assert not Organization.objects.exists()


@pytest.mark.urls(__name__)
def test_idempotency_key_replays_first_response_and_refuses_other_body():
    CALLS.clear()
    client = client_for(member_of(OrganizationFactory()))
    first = client.post("/api/v1/counting/", {"amount": 5}, HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/counting/", {"amount": 5}, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"n": 1, "amount": 5}
    assert again["Idempotent-Replayed"] == "true"
    assert_error_shape(
        client.post("/api/v1/counting/", {"amount": 6}, HTTP_IDEMPOTENCY_KEY="k1"),
        422,
        "idempotency_key_reused",
    )
    # A refusal is a first outcome too.
    refused = client.post("/api/v1/counting/", {"amount": 500}, HTTP_IDEMPOTENCY_KEY="k2")
    assert refused.status_code == 422
    assert (
        client.post("/api/v1/counting/", {"amount": 500}, HTTP_IDEMPOTENCY_KEY="k2").json() == refused.json()
    )
    assert CALLS == [5]


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_execute_once():
    CALLS.clear()
    user = member_of(OrganizationFactory())
    results = []
    barrier = threading.Barrier(8)

    def worker():
        client = client_for(user)
        barrier.wait()
        results.append(client.post("/api/v1/counting/", {"amount": 7}, HTTP_IDEMPOTENCY_KEY="same").json())
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert CALLS == [7]
    assert results == [{"n": 1, "amount": 7}] * 8
    assert IdempotencyRecord.objects.count() == 1


def test_throttled_requests_get_the_error_shape(settings, api):
    from rest_framework.throttling import AnonRateThrottle

    from tests.conftest import throttle_counters_clear

    throttle_counters_clear()
    rates = {**AnonRateThrottle.THROTTLE_RATES, "anon": "2/min"}
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = rates
    try:
        for _ in range(2):
            api.post("/api/v1/auth/token/", {"username": "a", "password": "b"})
        r = api.post("/api/v1/accounts/register/", {})
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
        throttle_counters_clear()
    assert_error_shape(r, 429, "throttled")
