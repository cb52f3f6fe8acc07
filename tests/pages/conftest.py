"""Browser tests: real Chromium (Debian's), a real ASGI server (uvicorn) and, where a story needs
it, a real Celery worker, all pointed at pytest's test database and the same Redis.

Page tests are sync (Playwright's sync API cannot run inside pytest-asyncio's loop) and
transactional, so the server subprocess sees what a test commits. A transactional test's flush
removes what data migrations made (the operator groups), so ``operator`` is re-made here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from tests.servers import held_socket, uvicorn_argv

ROOT = Path(__file__).resolve().parents[2]
# Debian's Chromium headless shell where installed (``dev.py``'s BROWSERS says why), else its desktop
# chromium run headless; ``PAGE_BROWSER`` names another (``PAGE_BROWSER=/usr/bin/chromium`` runs the
# page tests in the desktop browser).
CHROMIUM = Path(
    os.environ.get("PAGE_BROWSER")
    or next(
        (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
        "/usr/bin/chromium",
    )
)
ARTIFACTS = ROOT / "test-artifacts" / "pages"
# Parallel workers (pytest-xdist) each start their own servers: their logs must not share a file.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

_skipped_for_chromium: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped_for_chromium:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{CHROMIUM} is missing: {len(_skipped_for_chromium)} page test(s) did NOT run. "
            "Install it with `apt-get install chromium-headless-shell fonts-wqy-zenhei` (python3 dev.py test does).",
            red=True,
            bold=True,
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def operator(db: None) -> Any:
    """Platform staff in both operator groups; the groups are made again if a flush removed them."""
    from django.contrib.auth.models import Group, Permission

    from tests.factories import UserFactory

    user = UserFactory(username="op", first_name="运营", is_staff=True)
    for name, codename in (("平台审核", "moderate"), ("平台财务", "finance")):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(Permission.objects.get(content_type__app_label="accounts", codename=codename))
        user.groups.add(group)
    return user


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def _child_env(name: str) -> dict[str, str]:
    """The environment of a server this worker starts; ``name`` becomes its database connections'
    application_name (libpq reads PGAPPNAME), which ``_stop`` waits on."""
    return dict(
        os.environ,
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
        DEBUG="false",
        LOG_JSON="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PGAPPNAME=name,
    )


def _stop(proc: subprocess.Popen, django_db_blocker: Any, name: str) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    # PostgreSQL ends a dead client's backend a moment later; pytest-django drops the test
    # database at the end and would find it still "being accessed by other users". Only this
    # process's backends: the session's web server keeps its own connections open (waiting on all
    # of them made each module's Celery worker stop take the whole 5 s).
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND application_name = %s",
                [name],
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """uvicorn serving config.asgi on a free port, against the test database. Yields its base URL."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sock = held_socket()
    port = sock.getsockname()[1]
    log = open(ARTIFACTS / f"uvicorn-{WORKER}.log", "w")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        uvicorn_argv(sock),
        cwd=ROOT,
        env={**_child_env(f"uvicorn-{WORKER}"), "DB_POOL": "true"},  # as the Procfile runs the web process
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(sock.fileno(),),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded machine running the suite in parallel
    while True:
        if proc.poll() is not None:
            log.close()
            raise RuntimeError(f"uvicorn exited: {(ARTIFACTS / f'uvicorn-{WORKER}.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            _stop(proc, django_db_blocker, f"uvicorn-{WORKER}")
            sock.close()
            raise RuntimeError("uvicorn did not become healthy within 90 s")
        time.sleep(0.2)
    yield url
    _stop(proc, django_db_blocker, f"uvicorn-{WORKER}")
    sock.close()
    log.close()


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[subprocess.Popen]:
    """A real Celery worker on the same broker and test database, for one module's stories.

    Module-scoped on purpose: a worker left running would pick up tasks that other apps'
    transactional tests enqueue and race them on the shared test database. ``--purge`` drops
    tasks left in the broker by earlier runs.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"celery-{WORKER}.log"
    log = open(log_path, "w")  # noqa: SIM115 - lives as long as the worker
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--purge",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=_child_env(f"celery-{WORKER}"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90  # a loaded machine running the suite in parallel
    while " ready." not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc, django_db_blocker, f"celery-{WORKER}")
            raise RuntimeError(f"celery worker did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)
    yield proc
    _stop(proc, django_db_blocker, f"celery-{WORKER}")
    log.close()


@dataclass
class Browsing:
    """One test's browser: contexts per user, every page watched for JavaScript errors."""

    base_url: str
    test_name: str
    browser: Any
    errors: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    shots: int = 0

    def _watch(self, page: Any) -> None:
        def on_console(msg: Any) -> None:
            if msg.type == "error":
                self.errors.append(f"console error on {page.url}: {msg.text}")

        def on_response(response: Any) -> None:
            if response.status >= 500:
                self.errors.append(f"HTTP {response.status} for {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error on {page.url}: {exc}"))
        page.on("response", on_response)

    def page(self, user: Any = None, *, phone: bool = False) -> Any:
        """A fresh browser context (its own cookies), signed in as ``user`` when given."""
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=PHONE if phone else DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": self.base_url,
                    }
                ]
            )
        page = context.new_page()
        self._watch(page)
        return page

    def shot(self, page: Any, name: str) -> Path:
        """Save a screenshot as a test artifact (test-artifacts/pages/)."""
        self.shots += 1
        safe = re.sub(r"[^\w.-]+", "_", f"{self.test_name}-{self.shots:02d}-{name}")
        path = ARTIFACTS / f"{safe}.png"
        # From the top: a full-page shot taken scrolled down draws the sticky header mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_errors(self) -> None:
        assert not self.errors, "JavaScript or server errors:\n" + "\n".join(self.errors)


@pytest.fixture(scope="module")
def _chromium(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One Chromium for a module's browser tests (each test still gets fresh contexts: own cookies,
    storage and cache). A launch costs ~1 s under load, a context a few milliseconds. Module-scoped,
    not session-scoped: while Playwright's sync API runs, its asyncio loop is marked running on this
    thread, which would break the async tests that run after the page tests on the same worker."""
    if not CHROMIUM.exists():
        yield None
        return
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop marked running on this thread, which makes
    # Django refuse ORM calls from the tests and their database set-up and reset; the calls are in
    # fact synchronous here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            yield playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        finally:
            # Connections opened while the loop was marked running belong to that context: close
            # them in it, before the loop goes.
            connections.close_all()
            playwright.stop()


@pytest.fixture
def browsing(request: pytest.FixtureRequest, asgi_server: str, _chromium: Any) -> Iterator[Browsing]:
    if _chromium is None:
        _skipped_for_chromium.append(request.node.nodeid)
        pytest.skip(f"!!! {CHROMIUM} IS MISSING: BROWSER TEST SKIPPED !!!")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    session = Browsing(base_url=asgi_server, test_name=request.node.name, browser=_chromium)
    try:
        yield session
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            if session.errors:
                print("\nJavaScript or server errors seen before the failure:\n" + "\n".join(session.errors))
            for i, context in enumerate(session.contexts):
                for j, page in enumerate(context.pages):
                    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-FAILED-{i}-{j}.png"))
        else:
            session.assert_no_errors()
    finally:
        for context in session.contexts:
            context.close()


def confirm(page: Any, action: Callable[[], None]) -> None:
    """Do something that asks to confirm, and confirm it in the site's dialog. Waits for the page's
    scripts first: under load a click can land before market.js has hooked the form's submit."""
    page.wait_for_load_state("load")
    action()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="确认").click()


@pytest.fixture
def link_walker(browsing: Browsing) -> Iterator[Any]:
    """Follows every link of every page a story visits (tests/pages/links.py); fails the test on a
    4xx/5xx or a console error, after the story has run."""
    from .links import LinkWalker

    walker = LinkWalker(browsing)
    yield walker
    walker.assert_clean()
