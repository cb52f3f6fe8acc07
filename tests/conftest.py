from __future__ import annotations

import os
from typing import Any

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from accounts.models import Membership, Organization
from accounts.services import api_token_create

from .factories import OrganizationFactory, UserFactory, member_of


def _bank_webhook_secret() -> None:
    """A run outside the launcher (plain ``pytest``) has no BANK_WEBHOOK_SECRET: give this process
    and the servers it starts one, as ``dev.py`` does for each run. At import, before any test
    module imports ``config.asgi`` (which refuses to start without it)."""
    import os
    import secrets

    from django.conf import settings

    if not settings.MARKET["BANK_WEBHOOK_SECRET"]:
        secret = os.environ.setdefault("BANK_WEBHOOK_SECRET", secrets.token_hex(32))
        settings.MARKET["BANK_WEBHOOK_SECRET"] = secret


_bank_webhook_secret()


@pytest.fixture(autouse=True)
def _notification_links_lead_somewhere(request: pytest.FixtureRequest):
    """Every notification a test's flows wrote links to a page that exists (links are written in
    services, far from the URL configuration, and had drifted from it)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_reset_sequences"} & set(request.fixturenames)
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so this checks before the rollback
    yield
    assert not notification_links_that_lead_nowhere()


def notification_links_that_lead_nowhere() -> list[str]:
    """The links of the notifications written so far that resolve to no page (a test that rolls
    back part of its work calls it before)."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    from accounts.models import Notification

    broken = []
    for link in Notification.objects.exclude(link="").values_list("link", flat=True).distinct():
        try:
            resolve(urlsplit(link).path)
        except Resolver404:
            broken.append(link)
    return broken


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user, *, read_only: bool = False) -> APIClient:
    """An API client authenticated by a real token, as a program would be."""
    _token, key = api_token_create(user=user, read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def throttle_counters_clear() -> None:
    """Forget this process's rate-limit counters. Not ``cache.clear()``: that flushes the whole
    Redis database, which parallel workers share (each under its own key prefix)."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match=cache.make_key("throttle_*")):
        client.delete(key)


@pytest.fixture
def operator(db):
    user = UserFactory(username="op", is_staff=True)
    for name in ("平台审核", "平台财务"):
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def university(db) -> Organization:
    return OrganizationFactory(name="浙江大学", kind=Organization.Kind.UNIVERSITY)


@pytest.fixture
def company(db) -> Organization:
    return OrganizationFactory(name="杭州测试科技有限公司", kind=Organization.Kind.ENTERPRISE)


@pytest.fixture
def holder_member(university):
    return member_of(university, Membership.Role.MEMBER)


@pytest.fixture
def buyer(company):
    return member_of(company, Membership.Role.ADMIN)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.5 s a user on this machine; tests make hundreds of users and test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The files whose tests take longest (a full run's --durations; longest first). They are run
# first: ``dev.py test`` hands each free worker the next test (``--maxschedchunk 1``), so the long
# ones start at once and a parallel run ends on short tests instead of on one worker finishing a
# long test it took late (in collection order they came last). Order only: every test still runs.
LONGEST_FIRST = (
    "tests/test_schema_fuzz.py",
    "tests/pages/",
    "tests/faults/",
    "tests/test_deployment.py",
    "tests/auctions/test_proxy_properties.py",
    "tests/listings/test_search.py",  # every code point cut two ways: ~36 s of one CPU at load
    "tests/test_deploy_settings.py",
    "tests/auctions/test_live_room_server.py",
    "tests/marketplace/test_reconciliation.py",
    "tests/marketplace/test_results.py",
    "tests/integration/test_sync.py",
    "tests/conversion/test_demo.py",
    "tests/portal/test_console_tiles.py",
    "tests/test_foundation.py",
    "tests/marketplace/test_demo.py",
    "tests/listings/test_demo.py",
    "tests/test_embedded.py",
    "tests/test_asgi_stack.py",
    "tests/auctions/test_live_room.py",
    "tests/auctions/test_room_counts.py",
    "tests/marketplace/test_plain_documents.py",
)


# The modules that start a server of their own for their tests (module-scoped fixtures: the live
# room's uvicorn, the Redis outage's redis-server and uvicorn, the trade stories' Celery worker).
# Under ``--dist loadgroup`` (dev.py test) each goes to one worker whole, and its server starts
# once, not once per worker that took one of its tests (~20-30 s each at load 15).
ONE_WORKER = (
    "tests/auctions/test_live_room_server.py",
    "tests/faults/test_redis_outage.py",
    "tests/pages/test_trade_stories.py",
)


class _EveryTestRan:
    """In a parallel run's controller: the run fails unless every test the workers collected came
    back with a report. xdist's schedulers can lose tests without a word (loadgroup keyed its
    queue by node id and dropped 150 tests that shared one; the run passed)."""

    def __init__(self) -> None:
        self.ran: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self.ran.add(report.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus == 0 and len(self.ran) < session.testscollected:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(
                    f"only {len(self.ran)} of the {session.testscollected} tests collected ran", red=True
                )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    parallel = config.getvalue("dist") not in (None, "no") and not config.option.collectonly
    if parallel and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_EveryTestRan(), "every-test-ran")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` that also keeps each ONE_WORKER module on one worker. Not by
    ``xdist_group`` marks: pytest-xdist 3.8 groups by a suffix it writes into ``item._nodeid``,
    which pytest 9.2's node ids no longer read (pytest-xdist issue 1386), so marked tests spread
    over the workers as if unmarked: a module that must stay on one worker is named in ONE_WORKER."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class OneWorkerModules(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER else super()._split_scope(nodeid)

    return OneWorkerModules(config, log)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next(
        (rank for rank, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST)
    )


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    """Every transactional test restores the rows the migrations made (content types, operator
    groups) and flushes without re-creating them: a plain transactional test's flush re-creates
    content types under new ids, which then collide with a later ``serialized_rollback`` test's
    restore (the page tests). Applying it to all of them keeps the suite order-independent.
    How they are restored: ``django_db_setup`` below.

    Then the longest tests go first (LONGEST_FIRST), after pytest-django's own order."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False
            )
    result = yield  # pytest-django sorts (TestCase-like tests first)
    _unique_node_ids(items)
    items.sort(key=_rank)
    return result


def _unique_node_ids(items: list[pytest.Item]) -> None:
    """Every test has its own node id, or the run stops: xdist's ``loadgroup`` keys its work queue
    by node id, and items sharing one were silently never run while the run passed (under pytest
    9.2, schemathesis's ``@schema.parametrize()`` gave its 151 operations one id; the fuzz is a
    plain ``pytest.mark.parametrize`` now)."""
    from collections import Counter

    shared = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if shared:
        raise pytest.UsageError(f"tests that share a node id (a parallel run would drop them): {shared[:5]}")


def _migrations_fingerprint() -> str:
    """What decides the migrated schema: every migration, every SQL file they load, Django's version."""
    import hashlib
    from pathlib import Path

    import django

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted([*root.glob("*/migrations/*.py"), *root.glob("*/sql/*.sql")]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _migrated_template(base: dict) -> str:
    """A database migrated once, that each test database is copied from (``CREATE DATABASE …
    TEMPLATE``, a file copy) instead of running every migration again: once per change of the
    migrations, shared by parallel workers (pytest-xdist) and later runs. Made under a file lock
    by the first worker to ask; the others wait and copy it."""
    import contextlib
    import fcntl
    import subprocess
    import sys
    import tempfile
    from pathlib import Path
    from urllib.parse import quote

    import psycopg
    from psycopg import sql

    name = f"test_{base['NAME']}_tpl_{_migrations_fingerprint()}"[:63]
    auth = quote(base.get("USER") or "", safe="")
    if base.get("PASSWORD"):
        auth += ":" + quote(base["PASSWORD"], safe="")
    port = f":{base['PORT']}" if base.get("PORT") else ""
    server = f"postgres://{auth}@{quote(base.get('HOST') or '', safe='')}{port}"
    lock_path = Path(tempfile.gettempdir()) / f"techmarket-{base['NAME']}-{base.get('PORT') or 5432}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            ready = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') = 'migrated' FROM pg_database WHERE datname = %s",
                [name],
            ).fetchone()
            if not (ready and ready[0]):
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                subprocess.run(
                    [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                    cwd=Path(__file__).resolve().parents[1],
                    env={**os.environ, "DATABASE_URL": f"{server}/{quote(name, safe='')}"},
                    check=True,
                )
                admin.execute(sql.SQL("COMMENT ON DATABASE {} IS 'migrated'").format(sql.Identifier(name)))
                # earlier schemas' templates of this database are of no more use
                for (old,) in admin.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [f"test_{base['NAME']}_tpl_%", name],
                ).fetchall():
                    with contextlib.suppress(psycopg.Error):  # another run is copying it right now
                        admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(old)))
    return name


@pytest.fixture(scope="session")
def django_db_createdb() -> bool:
    """Each run makes its test databases anew from the migrated template (``--create-db`` always:
    a database an earlier run left, of whatever schema and rows, is dropped and copied again at
    the start; ``--reuse-db`` never reuses one)."""
    return True


@pytest.fixture(scope="session")
def django_db_keepdb() -> bool:
    """...and leaves them in place at the end, instead of dropping them there: PostgreSQL's DROP
    DATABASE requests an immediate checkpoint (pg_stat_bgwriter.checkpoints_req goes up by one),
    which writes out every database's dirty pages on the server; 2-12 s at load 12-18, paid by each
    worker's last test. The next run drops them (the same cost, while it waits for the template
    anyway), a fresh clone never has one. With ``django_db_createdb`` True this keeps only the
    end: pytest-django passes ``keepdb`` to Django's set-up only when it is not asked to create."""
    return True


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Each test database (one per xdist worker, ``test_<name>_gw0`` …) starts as a copy of a
    migrated template; Django's own ``migrate`` then finds nothing to do."""
    from django.conf import settings
    from django.db import connections

    template = _migrated_template(settings.DATABASES["default"])
    for db in (settings.DATABASES["default"], connections["default"].settings_dict):
        db.setdefault("TEST", {})["TEMPLATE"] = template


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker):
    """Once the test database exists, its migrated rows are copied out (the fixture's value, by
    database alias), and a transactional test
    that restores them (``serialized_rollback``, every one here) is reset by ``tests.db_reset``:
    only the tables it wrote are emptied, only the migrated rows it changed are copied back.
    Django's own reset truncates all ~120 tables and saves ~1,700 objects again, 2-5 s a test."""
    from django.db import connections
    from django.test import TransactionTestCase

    from .db_reset import MigratedRows

    with django_db_blocker.unblock():
        migrated = {alias: MigratedRows.take(connections[alias]) for alias in connections}
    django_setup = TransactionTestCase._fixture_setup.__func__
    django_teardown = TransactionTestCase._fixture_teardown

    def ours(case) -> bool:
        return bool(
            case.serialized_rollback
            and not case.reset_sequences
            and case.available_apps is None
            and not case.fixtures
        )

    def fixture_setup(cls) -> None:
        if not ours(cls):
            django_setup(cls)
        # else: the rows are in place: the test database began as the migrated template and the
        # transactional test before this one put them back

    def fixture_teardown(self) -> None:
        if not ours(self):
            django_teardown(self)
            return
        for alias in self._databases_names(include_mirrors=False):
            migrated[alias].restore(connections[alias])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_setup", classmethod(fixture_setup))
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield migrated
