"""The settings mypy's Django plugin loads (``[tool.django-stubs]`` in pyproject.toml): the
market's own, with placeholder URLs where none are set.

django-stubs imports the settings to learn the models, and ``config.settings`` starts the embedded
PostgreSQL and Redis when ``DATABASE_URL`` or ``REDIS_URL`` is unset. mypy then leaves through
``os._exit``, so no exit handler stopped them: every ``mypy`` typed in a shell without the URLs left
a PostgreSQL and a Redis running. Type checking opens no connection; the placeholders are never
dialled (port 1)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:1/typecheck")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")

from config.settings import *  # noqa: E402, F403
