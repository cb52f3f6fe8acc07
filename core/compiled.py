"""A hot read compiled once per process: the ORM's SQL, written from a queryset the first time it
is needed, then only executed, its rows made into models as the ORM makes them.

Django builds and compiles a queryset anew on every call: for a read of one row with its related
rows joined (``select_related``: a hundred columns over four tables) that is most of the read's
CPU, and far more than the database's own work. The queryset is built once with a placeholder
value in each parameter slot that changes between calls (a value the caller never passes, found
among the compiled statement's parameters wherever the queryset used it); ``fetch`` puts the call's values there,
runs the statement and builds the objects with the ORM's own pieces (its converters, ``from_db``
and the related objects' populators), so what comes back is what iterating the queryset returns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

_BIGINT = 2**63


def in_id_range(value: int) -> bool:
    """Whether ``value`` fits a (big) integer id column; the ORM answers a filter on an id beyond
    it with no rows, a compiled statement must be told."""
    return -_BIGINT <= value < _BIGINT


class CompiledQuery(Generic[M]):
    """``build(**placeholders)`` returns the queryset; each keyword is a slot of ``fetch``."""

    def __init__(self, build: Callable[..., QuerySet[M]], **placeholders: Any) -> None:
        queryset = build(**placeholders)
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)
        sql, params = compiler.as_sql()  # fills compiler.select and klass_info
        self.sql, self.params = sql, list(params)
        self.slots: dict[str, list[int]] = {}
        for name, placeholder in placeholders.items():
            found = [i for i, p in enumerate(params) if type(p) is type(placeholder) and p == placeholder]
            if not found:
                raise ValueError(f"placeholder {name}={placeholder!r} is none of the parameters")
            self.slots[name] = found
        self.compiler = compiler
        self.converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        klass_info = compiler.klass_info
        self.model: type[M] = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [s[0].target.attname for s in compiler.select[self.start : self.end]]
        # Django 5.2's signature; the stubs already have 6.0's (with ``fetch_mode``).
        self.populators = get_related_populators(klass_info, compiler.select, self.db)  # type: ignore[call-arg]
        self.annotations = dict(compiler.annotation_col_map or {})

    def fetch(self, **values: Any) -> list[M]:
        params = list(self.params)
        for name, value in values.items():
            for position in self.slots[name]:
                params[position] = value
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Any = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        objects = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for attr, position in self.annotations.items():
                setattr(obj, attr, row[position])
            objects.append(obj)
        return objects


# Placeholders of ``OneByIdFor``'s statements (no row and no user has a negative id).
_ID, _USER = -1, -2


class OneByIdFor(Generic[M]):
    """One row by id as a caller may see it, compiled in two forms on first use: ``build(id,
    None)`` for a caller who sees every row (staff), ``build(id, user_id)`` for anyone else, the
    queryset reading what that user may see inside the statement (their memberships, say)."""

    def __init__(self, build: Callable[[int, int | None], QuerySet[M]]) -> None:
        self.build = build

    @functools.cached_property
    def _every(self) -> CompiledQuery[M]:
        return CompiledQuery(lambda pk: self.build(pk, None), pk=_ID)

    @functools.cached_property
    def _theirs(self) -> CompiledQuery[M]:
        return CompiledQuery(self.build, pk=_ID, user_id=_USER)

    def get(self, pk: int, *, user: Any, sees_all: bool) -> M | None:
        if not in_id_range(int(pk)):
            return None
        if sees_all:
            rows = self._every.fetch(pk=int(pk))
        else:
            user_id = user.pk if getattr(user, "is_authenticated", False) else None
            rows = self._theirs.fetch(pk=int(pk), user_id=user_id)
        return rows[0] if rows else None
