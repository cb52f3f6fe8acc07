"""Migration operations of our own (Django's "writing your own" operations).

``CreateModels``: the squashed initial migrations create each app's tables with it. Django's
``CreateModel`` re-renders, after each model it adds, that model and every model connected to it
by relations, recursively: in a schema where nearly everything reaches ``User`` and
``Organization`` that is every model so far, so a migration of a hundred ``CreateModel`` renders
models thousands of times (seconds of CPU on every fresh database: ``dev.py run``, the test
template). ``CreateModels`` adds the same model states, then re-renders once for all of them;
the tables are created exactly as each ``CreateModel`` creates its own (foreign keys last, as
PostgreSQL's schema editor defers them to the end of the migration, so the models may point at
each other in any order).

``sync_trigger_skips_stamped``: a synced table's trigger that leaves alone the rows a set-based
statement stamped itself (``core.sync.SYNC_STAMPED_SQL``; core migration 0003).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.models import CreateModel
from django.db.migrations.state import ModelState


class CreateModels(Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, operations: list[CreateModel]) -> None:
        self.operations = list(operations)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [self.operations], {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        # What ProjectState.add_model does for each, less its re-render of every related model.
        keys = []
        for op in self.operations:
            key = (app_label, op.name_lower)
            state.models[key] = ModelState(
                app_label, op.name, list(op.fields), dict(op.options), tuple(op.bases), list(op.managers)
            )
            if state._relations is not None:
                state.resolve_model_relations(key)
            keys.append(key)
        state.reload_models(keys, delay=False)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for op in self.operations:
            op.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for op in reversed(self.operations):
            op.database_backwards(app_label, schema_editor, from_state, to_state)

    def references_model(self, name: str, app_label: str) -> bool:
        return any(op.references_model(name, app_label) for op in self.operations)

    def describe(self) -> str:
        return f"Create models {', '.join(op.name for op in self.operations)}"

    @property
    def migration_name_fragment(self) -> str:
        return "create_models"


def sync_trigger_skips_stamped(table: str) -> migrations.RunSQL:
    """``table``'s sync trigger (``{table}_sync``, ``market_sync_row()``) made to skip a row that
    already holds this transaction's id and stamp (``market_sync_stamped``, core migration 0003);
    reversed, the trigger as it was, firing for every row."""
    trigger = f"CREATE TRIGGER {table}_sync BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW"
    drop = f"DROP TRIGGER IF EXISTS {table}_sync ON {table}"
    skipping = f"{trigger} WHEN (market_sync_stamped(NEW.sync_xid, NEW.updated_at) IS NOT TRUE)"
    return migrations.RunSQL(
        [drop, f"{skipping} EXECUTE FUNCTION market_sync_row()"],
        [drop, f"{trigger} EXECUTE FUNCTION market_sync_row()"],
    )
