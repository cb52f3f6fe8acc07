"""OpenAPI documentation for a response whose shape depends on who asks."""

from typing import Any

from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers


class ByCaller(PolymorphicProxySerializer):
    """A read that answers the public record to anyone and the full one (the public fields and more)
    to those who may see it: documented as ``anyOf`` the two. A ``PolymorphicProxySerializer``'s
    ``oneOf`` would reject every full answer, since a full answer is also a valid public one."""

    def __init__(
        self, component_name: str, public: type[serializers.Serializer], full: type[serializers.Serializer]
    ) -> None:
        super().__init__(
            component_name=component_name, serializers=[public, full], resource_type_field_name=None
        )


class ByCallerScheme(PolymorphicProxySerializerExtension):
    target_class = "core.schema.ByCaller"

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"anyOf": super().map_serializer(auto_schema, direction)["oneOf"]}
