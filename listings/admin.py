"""Operator tooling: achievements and listings to look up, read only. Every change goes through
the services (the API or the operator console), which check the rules and keep the record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import (
    Achievement,
    AchievementConversionChange,
    IntellectualProperty,
    InternalApproval,
    Inventor,
    Listing,
    ListingStatusChange,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class IpInline(ReadOnlyMixin, admin.TabularInline):
    model = IntellectualProperty
    extra = 0


class InventorInline(ReadOnlyMixin, admin.TabularInline):
    model = Inventor
    extra = 0


class ConversionChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = AchievementConversionChange
    extra = 0


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "holder", "field", "kind", "conversion_status", "first_granted_on", "created_at")
    list_filter = ("field", "kind", "conversion_status", "fiscally_funded")
    search_fields = ("title", "holder__name", "ip__patent_no")
    inlines = [IpInline, InventorInline, ConversionChangeInline]


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = ListingStatusChange
    extra = 0


class InternalApprovalInline(ReadOnlyMixin, admin.TabularInline):
    model = InternalApproval
    extra = 0


@admin.register(Listing)
class ListingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "achievement", "mode", "rights", "status", "submitted_at", "published_at")
    list_filter = ("status", "mode", "rights")
    search_fields = ("achievement__title", "achievement__holder__name")
    list_select_related = ("achievement",)
    exclude = ("search_vector",)
    inlines = [StatusChangeInline, InternalApprovalInline]
