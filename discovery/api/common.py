"""What the discovery endpoints share: strict input, parsing, the visible-object lookups."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import serializers

TAGS = ["discovery"]


def parse(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def found(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


class OrgRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
