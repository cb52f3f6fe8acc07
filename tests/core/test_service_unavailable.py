"""An API request that meets a Redis it cannot do without is answered 503 ``service_unavailable``
in the API's error shape with ``Retry-After``, not a 500 (API.md, "Conventions"; issue #13)."""

from __future__ import annotations

import json

import redis
from django.test import RequestFactory

from core.middleware import ApiErrorsMiddleware


def test_redis_unavailable_is_a_503_in_the_error_shape():
    middleware = ApiErrorsMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/api/v1/anything/")
    response = middleware.process_exception(request, redis.ConnectionError("Connection refused"))
    assert response is not None and response.status_code == 503
    assert json.loads(response.content)["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"
    # Anything else is still a server error.
    other = middleware.process_exception(request, RuntimeError("boom"))
    assert other is not None and other.status_code == 500
