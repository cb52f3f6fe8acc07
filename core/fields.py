"""Output fields shared by the API's serializers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import serializers


class ChoiceLabelField(serializers.CharField):
    """The label of a stored choice, as ``get_FOO_display`` gives it (the value itself when it is
    not among the choices), read only. Looked up in a mapping made once: Django's
    ``get_FOO_display`` rebuilds and hashes the whole list of (lazily translated) choices for every
    row, a tenth of the catalogue's CPU per request. Only the one label is translated, at render."""

    def __init__(self, *, choices: Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.labels = dict(choices)

    def to_representation(self, value: Any) -> str:
        return str(self.labels.get(value, value))
