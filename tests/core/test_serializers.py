"""``core.serializers.ModelSerializer`` builds a class's fields once and gives every serializer its
own copy: every model serializer of the market uses it, and its fields are, field by field, what
DRF's own ``ModelSerializer`` builds for it."""

from __future__ import annotations

import importlib

import pytest
from rest_framework import serializers

from accounts.models import Organization
from core.serializers import ModelSerializer
from listings.api.serializers import ListingOutput

pytestmark = pytest.mark.django_db  # a related field's repr shows its queryset, which runs it

APPS = ("accounts", "listings", "marketplace", "auctions", "conversion", "discovery", "portal", "core")


def _market_model_serializers() -> list[type[serializers.ModelSerializer]]:
    importlib.import_module("config.urls")  # every API module, and so every serializer, imported
    found, todo = [], [serializers.ModelSerializer]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS and sub is not ModelSerializer:
                found.append(sub)
    return found


def _described(fields: dict[str, serializers.Field]) -> dict[str, str]:
    return {name: repr(field) for name, field in fields.items()}


def test_every_model_serializer_of_the_market_builds_its_fields_once():
    found = _market_model_serializers()
    assert len(found) > 40
    assert [cls.__qualname__ for cls in found if not issubclass(cls, ModelSerializer)] == []


@pytest.mark.parametrize(
    "cls", _market_model_serializers(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}"
)
def test_its_fields_are_those_drf_builds(cls):
    drf_built = _described(serializers.ModelSerializer.get_fields(cls()))
    assert _described(cls().get_fields()) == drf_built  # the first build, kept
    assert _described(cls().get_fields()) == drf_built  # a copy of the kept one


@pytest.mark.parametrize("name", ["mode", "title"])  # built from the model; declared on the class
def test_each_serializer_has_fields_of_its_own(name):
    first, second = ListingOutput(), ListingOutput()
    assert first.fields[name] is not second.fields[name]
    assert first.fields[name].parent is first and second.fields[name].parent is second
    first.fields.pop(name)
    assert name in second.fields and name in ListingOutput().fields


def test_the_fields_are_built_by_the_first_serializer_only():
    built: list[str] = []  # the field names each build made, in order

    class Built(ModelSerializer):
        class Meta:
            model = Organization
            fields = ("id", "name", "kind", "status")

        def build_field(self, field_name, *args, **kwargs):
            built.append(field_name)
            return super().build_field(field_name, *args, **kwargs)

    assert list(Built().fields) == ["id", "name", "kind", "status"]
    assert list(Built().fields) == ["id", "name", "kind", "status"]
    assert built == ["id", "name", "kind", "status"]

    class Narrower(Built):  # a subclass builds its own, not its parent's
        class Meta(Built.Meta):
            fields = ("id", "name")

    assert list(Narrower().fields) == ["id", "name"]
    assert built == ["id", "name", "kind", "status", "id", "name"]
