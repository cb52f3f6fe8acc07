"""What the discovery endpoints share: strict input, parsing, the visible-object lookups."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

TAGS = ["discovery"]


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know: a misspelt field must not be silently ignored."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("未知的字段。")] for name in unknown})
        return attrs


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
