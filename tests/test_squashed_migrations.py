"""The squashed migrations (``<app>/migrations/*_squashed_*``) leave the models' state that the
migrations they replace leave. A fresh database (``dev.py run``, the tests' template) is made by the
squashes; every database made before them keeps the originals' rows in ``django_migrations`` and
goes on from there. That the two also make the same PostgreSQL catalogue (columns in order,
constraints, indexes, sequences, functions, triggers, operator groups) is ``tools/squash_check.py``:
it migrates twice from nothing, too dear for every run of the suite."""

from __future__ import annotations

from django.db.migrations.loader import MigrationLoader
from django.db.migrations.writer import MigrationWriter


# What each squash replaces, state by state: the squash node, the last replaced node.
def _squashes(loader: MigrationLoader) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    return [(key, tuple(m.replaces[-1])) for key, m in loader.disk_migrations.items() if m.replaces]


def test_there_are_squashes():
    assert len(_squashes(MigrationLoader(None, ignore_no_migrations=True))) >= 10


def _as_written(model_state) -> tuple[dict[str, str], str, str, str]:
    """A model's state as a migration would write it (fields compared as ModelState's ``==`` does
    compares their nested fields, an ArrayField's base field, by identity)."""
    return (
        {name: MigrationWriter.serialize(field)[0] for name, field in model_state.fields.items()},
        MigrationWriter.serialize(model_state.options)[0],
        MigrationWriter.serialize(model_state.bases)[0],
        MigrationWriter.serialize(model_state.managers)[0],
    )


def test_each_squash_leaves_the_state_its_migrations_leave():
    """Django's state of the app's models after the squash equals the state after the last
    migration it replaces: each model's fields, options, bases and managers as written."""
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    for squash, last in _squashes(loader):
        app = squash[0]
        by_squash = loader.project_state(nodes=squash, at_end=True)
        by_originals = loader.project_state(nodes=last, at_end=True)
        mine = {k: v for k, v in by_squash.models.items() if k[0] == app}
        theirs = {k: v for k, v in by_originals.models.items() if k[0] == app}
        assert sorted(mine) == sorted(theirs), squash
        for key, model_state in theirs.items():
            assert _as_written(mine[key]) == _as_written(model_state), (squash, key)
