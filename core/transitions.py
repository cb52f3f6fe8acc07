"""How a status moves, for every model that has a transition table (CONVENTIONS.md, "State").

Each app keeps its own table (``LISTING_TRANSITIONS``, ``DEAL_TRANSITIONS``, ...) and its own
change-record model; the move itself is the same everywhere and is written here once: check the
table (409 ``invalid_status_transition`` otherwise), set the status, save it with ``updated_at``
and whatever else the caller changed, record who moved it from what to what and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .errors import Conflict


class HasStatus(Protocol):
    status: Any

    def get_status_display(self) -> str: ...

    def save(self, *, update_fields: Iterable[str]) -> None: ...


def status_move(
    obj: HasStatus,
    *,
    to_status: str,
    transitions: Mapping[str, set[str]],
    noun: str,
    record: Callable[..., Any],
    actor: Any = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    fields: Iterable[str] = (),
) -> str:
    """Move ``obj`` (which the caller has locked) to ``to_status`` and return the status it left.

    ``noun`` names the thing in the refusal (“挂牌”, “成交”...). ``changes`` (values the caller
    computed, a moment stamped with the move, say) are set on ``obj`` only once the move is
    allowed; ``fields`` name other fields the caller has already set. Both are saved with the
    status. ``record(from_status=, to_status=,
    actor=, reason=)`` writes the change row."""
    if to_status not in transitions.get(obj.status, ()):
        raise Conflict(
            "invalid_status_transition",
            _("%(noun)s当前状态为“%(status)s”，不能执行此操作。")
            % {"noun": noun, "status": obj.get_status_display()},
        )
    from_status = obj.status
    obj.status = to_status
    for name, value in (changes or {}).items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", "updated_at", *(changes or {}), *fields])
    record(from_status=from_status, to_status=to_status, actor=actor, reason=reason)
    return str(from_status)
