"""Content negotiation where an explicit ``format=`` wins over ``Accept`` (API.md, Conventions).

DRF's default filters the renderers by ``format`` and then still requires the ``Accept`` header
to match one of them, so ``?format=csv`` from a client that always sends ``Accept:
application/json`` was 406. Here the named format decides; without one, ``Accept`` does as usual.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation


class FormatWins(DefaultContentNegotiation):
    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if fmt:
            named = [r for r in renderers if r.format == fmt]
            if not named:
                raise NotFound(f"format={fmt!r} is not offered here")
            return named[0], named[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
