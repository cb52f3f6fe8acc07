"""The settings a process would get from an environment, read in this process: ``config/settings.py``
is run again as a fresh module (not the one Django is configured with) under that environment, and
the settings it makes are returned or put in force for Django's checks and clients.

What these tests check is how the environment becomes settings and what the checks and clients make
of them, not a process's start: a fresh Python process for each case (~4 s of imports on a loaded
machine) bought nothing more. A test of a start itself (the web server refusing to start, the
README's ``manage.py check --deploy``) still starts the real process."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.test import override_settings

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "config" / "settings.py"
# Fixed for the test process (its test database, its apps); an environment never changes them.
KEPT = frozenset({"DATABASES", "INSTALLED_APPS"})


@contextlib.contextmanager
def environment(env: Mapping[str, str], drop: tuple[str, ...] = ()) -> Iterator[None]:
    """``os.environ`` with ``env`` set and ``drop`` removed, restored whole afterwards (the settings
    may write to it)."""
    saved = dict(os.environ)
    try:
        for name in drop:
            os.environ.pop(name, None)
        os.environ.update(env)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def settings_from(env: Mapping[str, str], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settings (upper-case names) ``config/settings.py`` makes under ``env``."""
    with environment(env, drop):
        spec = importlib.util.spec_from_file_location("config._settings_from_env", SETTINGS_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


@contextlib.contextmanager
def settings_in_force(values: Mapping[str, Any]) -> Iterator[None]:
    """Django's settings as ``values`` has them (but for KEPT), for checks and clients."""
    from django.conf import settings

    changed = {k: v for k, v in values.items() if k not in KEPT and getattr(settings, k, object()) != v}
    with override_settings(**changed):
        yield


def check_messages(values: Mapping[str, Any], *, deploy: bool = False) -> list[Any]:
    """What ``manage.py check`` (``--deploy``) reports under the settings ``values``."""
    from django.core import checks

    with settings_in_force(values):
        return checks.run_checks(include_deployment_checks=deploy)
