"""The whole OpenAPI schema, fuzzed (#12): schemathesis generates requests for every operation from
the schema itself and sends each as a buyer, a holder and an operator (API tokens), through the
real Django application against the test database. Every response must be no server error and
must match the schema (its status's body and content type).

The README's test command runs it bounded: a fixed seed (``FUZZ_SEED``, default below) and
``FUZZ_EXAMPLES`` generated cases per operation. A run with a random seed and a bigger budget is a
README command too: ``FUZZ_SEED=random FUZZ_EXAMPLES=50 .venv/bin/pytest tests/test_schema_fuzz.py``.

Most of the requests are not those: schemathesis's coverage phase (on by default, run as explicit
examples, not bounded by ``FUZZ_EXAMPLES``) adds every case the schema defines -- each body field
of the wrong type, missing, too long or short, outside its enum or pattern, unexpected methods and
content types -- about 8,500 cases over the ~150 operations (up to ~530 for one), against ~450
generated ones; with the three roles about 27,000 requests, nearly all of this file's time.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from schemathesis.core.failures import FailureGroup, as_reported_failure
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source
from schemathesis.schemas import APIOperation

from accounts.models import Membership
from tests.conftest import client_for
from tests.factories import (
    AchievementFactory,
    OrganizationFactory,
    UserFactory,
    make_listing,
    member_of,
    open_auction,
)

SEED = os.environ.get("FUZZ_SEED", "20261206")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _schema() -> schemathesis.BaseSchema:
    """The schema the API serves at /api/schema/, generated here (no request, no database)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    loaded.location = "/api/schema/"
    return loaded


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called as a WSGI application, Django closes the database connection at the end of every
    request (``close_old_connections``); the test's transaction lives on it. Django's own test
    client disconnects the same handlers."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def _fuzz_market(django_db_setup, django_db_blocker) -> Iterator[dict[str, dict[str, str]]]:
    """A small market: a verified university with listings in every mode and a live auction, a
    verified company, an operator; each person's token header. Made once for the module in a
    transaction that is rolled back at its end; each test runs in a savepoint inside it
    (pytest-django's ``db``), so what one operation's requests write is gone before the next."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        holder = OrganizationFactory(kind="university", name="浙江模糊测试大学")
        holder_member = member_of(holder, Membership.Role.ADMIN)
        company = OrganizationFactory(name="模糊测试科技")
        buyer = member_of(company, Membership.Role.ADMIN)
        operator = UserFactory(username="fuzz_operator", is_staff=True)
        for name in ("平台审核", "平台财务"):
            operator.groups.add(Group.objects.get(name=name))
        achievement = AchievementFactory(holder=holder)
        make_listing(achievement=achievement)
        make_listing(
            achievement=AchievementFactory(holder=holder), mode="fixed_price", price=Decimal("300000.00")
        )
        open_auction(holder, started=True)
        headers = {}
        for role, user in (("buyer", buyer), ("holder", holder_member), ("operator", operator)):
            client = client_for(user)
            headers[role] = {"Authorization": client._credentials["HTTP_AUTHORIZATION"]}
        yield headers
        transaction.set_rollback(True)


@pytest.fixture
def _fuzz_world(_fuzz_market, db) -> dict[str, dict[str, str]]:
    """The market, in this test's savepoint."""
    return _fuzz_market


fuzzed = _schema()
_seed = (lambda f: f) if SEED == "random" else hypothesis.seed(int(SEED))
# Every operation's label, in the schema's order: cheap to list, so every xdist worker can collect
# them all. The cases are built in the test that runs the operation (``_cases``), not here.
OPERATIONS = {result.ok().label: result.ok() for result in fuzzed.get_all_operations()}


@_seed
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED != "random",
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
def _as_every_role(case: schemathesis.Case, world: dict[str, dict[str, str]]) -> None:
    for headers in world.values():
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)


@functools.cache
def _feedback() -> FeedbackSources:
    """The constants schemathesis reads out of the application's code, once a process."""
    return FeedbackSources(constants_value_source=make_constants_value_source(fuzzed))


def _cases(operation: APIOperation) -> Callable[..., None]:
    """The Hypothesis test of one operation as schemathesis's pytest plugin builds it (its own
    builder, with the schema's configuration): the coverage phase's cases as explicit examples,
    then ``EXAMPLES`` generated ones. ``@fuzzed.parametrize()`` built every operation's test while
    collecting, so each xdist worker made the ~8,500 coverage cases of all ~150 operations (7 s of
    CPU each) to run a quarter of them; built here, each is made once, by the worker that sends it."""
    return build_operation_test(
        config=fuzzed.config,
        operation=operation,
        test_func=_as_every_role,
        given_kwargs={},
        feedback=_feedback(),
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_server_error_and_every_response_as_the_schema_says(operation, _fuzz_world):
    try:
        _cases(OPERATIONS[operation])(world=_fuzz_world)
    except FailureGroup as failures:  # the checks' failures, as schemathesis's plugin reports them
        raise as_reported_failure(failures) from None
