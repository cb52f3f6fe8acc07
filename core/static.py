"""The apps' static files, served by WhiteNoise from where the finders find them, looked up once
per process.

WhiteNoise builds its table of files (a stat and the headers of each of the ~210 files and of their
compressed variants) whenever its middleware is built: once per server process, but also once per
Django test client, where it was ~0.05-0.15 s of a short API test. The table depends only on the
settings below and on the files, which do not change under a running process (``DEBUG`` serving
looks files up per request and builds no table).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import StaticFile

_SHAPING = (
    "DEBUG",
    "STATIC_URL",
    "FORCE_SCRIPT_NAME",
    "INSTALLED_APPS",
    "STATICFILES_DIRS",
    "STATICFILES_FINDERS",
    "WHITENOISE_AUTOREFRESH",
    "WHITENOISE_MAX_AGE",
    "WHITENOISE_ALLOW_ALL_ORIGINS",
    "WHITENOISE_CHARSET",
    "WHITENOISE_MIMETYPES",
    "WHITENOISE_ADD_HEADERS_FUNCTION",
    "WHITENOISE_INDEX_FILE",
    "WHITENOISE_IMMUTABLE_FILE_TEST",
    "WHITENOISE_STATIC_PREFIX",
)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise's middleware, whose table of the finders' files is built once per process and
    per value of the settings that shape it."""

    _tables: ClassVar[dict[str, dict[str, StaticFile]]] = {}
    files: dict[str, StaticFile]

    def add_files_from_finders(self) -> None:
        key = repr([getattr(settings, name, None) for name in _SHAPING])
        table = self._tables.get(key)
        if table is None:
            before, self.files = self.files, {}
            super().add_files_from_finders()
            table = self._tables[key] = self.files
            self.files = before
        self.files.update(table)
