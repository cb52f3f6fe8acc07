"""The bases of the API's serializers: a model serializer whose fields are built once per class, and
a strict input serializer.

DRF's ``ModelSerializer`` builds its fields anew for every serializer it makes: it walks the model's
``_meta`` and, field by field, works out the serializer field's class and arguments (``build_field``).
That is a pure function of the class (its ``Meta`` and declared fields) and of the model, and it
cost 1.7-2.1 ms of CPU for the catalogue's ``ListingOutput`` (24 fields), done at least once in
every request that answers with a model serializer: a sixth of a catalogue page's CPU (#17.3).
Here the fields are built the first time a class needs them and kept on that class; each
serializer then gets its own deep copy, which is how DRF already gives each serializer its
declared fields (``Field.__deepcopy__`` makes every field again from the arguments it was made with;
validators are shared, as DRF shares them): 0.45-0.72 ms for the same 24 fields. What a serializer
does to its own fields (binds them, drops one) touches its copy only.

A serializer whose fields depend on the instance, the request or the context must not use this base:
none of the market's does (``tests/core/test_serializers.py`` checks every model serializer of the
market against DRF's own build, field by field).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ``ModelSerializer``, its fields built once per class (the module's docstring)."""

    _fields_built_once: ClassVar[dict[str, serializers.Field]]

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")  # this class's own, never a parent's
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # two threads building at once build the same thing
        return copy.deepcopy(built)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know: a misspelt field must not be silently ignored."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("未知的字段。")] for name in unknown})
        return attrs
