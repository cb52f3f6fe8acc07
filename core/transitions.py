"""How a status moves, for every model that has a transition table (CONVENTIONS.md, "State").

Each app keeps its own table (``LISTING_TRANSITIONS``, ``DEAL_TRANSITIONS``, ...) and its own
change-record model; the move itself is the same everywhere and is written here once: check the
table (409 ``invalid_status_transition`` otherwise), set the status, save it with ``updated_at``
(where the model has one) and whatever else the caller changed, record who moved it from what to
what and why. Each table is registered here (``transitions_register``) with its change-record
model, so that one test can check every stateful model has both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext as _

from .errors import Conflict

Table = TypeVar("Table", bound=Mapping[str, set[str]])


@dataclass(frozen=True)
class Machine:
    """One status field of one model: its transition table and the model of its change rows."""

    model: str  # "app_label.Model"
    field: str  # the status field, "status" but for a few ("deposit_status", "conversion_status")
    table: Mapping[str, set[str]]
    record: str  # "app_label.Model" of the status-change rows


# Every status machine of the market, filled by the apps as their services modules are imported
# (``transitions_register``); tests/test_transition_tables.py checks that every model with a
# ``status`` field has one.
MACHINES: dict[tuple[str, str], Machine] = {}


def transitions_register(model: str, *, record: str, table: Table, field: str = "status") -> Table:
    """Register ``table`` as the transition table of ``model``'s ``field`` (labels, since core imports
    no app), its moves recorded as ``record`` rows; returns the table, so an app writes
    ``LISTING_TRANSITIONS = transitions_register("listings.Listing", record=..., table={...})``."""
    MACHINES[(model, field)] = Machine(model=model, field=field, table=table, record=record)
    return table


def status_check(
    *, current: str, to_status: str, transitions: Mapping[str, set[str]], noun: str, display: str
) -> None:
    """409 ``invalid_status_transition`` unless the table allows ``current`` -> ``to_status``
    (``display`` is the current status as users read it). For models whose move records more than
    one status field at once (a payable's status and deposit status); the others call ``status_move``."""
    if to_status not in transitions.get(current, ()):
        raise Conflict(
            "invalid_status_transition",
            _("%(noun)s当前状态为“%(status)s”，不能执行此操作。") % {"noun": noun, "status": display},
        )


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
    status_check(
        current=obj.status,
        to_status=to_status,
        transitions=transitions,
        noun=noun,
        display=obj.get_status_display(),
    )
    from_status = obj.status
    obj.status = to_status
    for name, value in (changes or {}).items():
        setattr(obj, name, value)
    stamped = ["updated_at"] if _has_field(obj, "updated_at") else []
    obj.save(update_fields=["status", *stamped, *(changes or {}), *fields])
    record(from_status=from_status, to_status=to_status, actor=actor, reason=reason)
    return str(from_status)


def _has_field(obj: Any, name: str) -> bool:
    meta = getattr(obj, "_meta", None)
    return meta is not None and any(f.name == name for f in meta.concrete_fields)
