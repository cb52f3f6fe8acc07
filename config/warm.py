"""The end of a server process's start: what its requests would import is imported, and what is
alive then is moved out of the cycle collector's way."""

from __future__ import annotations

import gc

from django.urls import get_resolver


def freeze_after_start() -> None:
    """Import the URL configuration (and with it every view, serializer and form of every app),
    then move every object alive into the collector's permanent generation (``gc.freeze``): they
    live as long as the process, and a full collection no longer walks them.

    A process of the market holds about 190,000 objects the cycle collector tracks, nearly all
    made by imports, and a full collection walks every one: 15 ms after ``django.setup()``, 90 ms
    once the first requests have imported the rest (a 2-core host, ``bench/catalogue.py``), a few
    times in every few hundred requests, and the request that set one off waits for it, as do
    the process's others. Frozen, a full collection walks only what has been made since. The
    garbage the imports left is collected first, so that none of it is frozen."""
    get_resolver().url_patterns  # noqa: B018 (the lazy URL configuration, imported here)
    gc.collect()
    gc.freeze()
