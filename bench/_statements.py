"""The SQL statements a request ran, kept while it runs, for a bench's raw replay.

Kept with an ``execute_wrapper`` (the text psycopg sent, read as Django's debug cursor reads it), not
with Django's ``CaptureQueriesContext``: that turns on the debug cursor, which times and logs every
statement inside the timed request, work the server does not do. Shared by ``catalogue.py`` and
``results_api.py``; no side effect at import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def statements_kept(connection: Any) -> Iterator[list[str]]:
    """The statements run on ``connection`` inside the block, in order, as a list filled as they run."""
    ran: list[str] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        ran.append(connection.ops.last_executed_query(context["cursor"].cursor, sql, params))
        return result

    with connection.execute_wrapper(keep):
        yield ran
