from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Membership, Organization, OrganizationRelation, OrganizationStatusChange, User


@admin.register(User)
class MarketUserAdmin(UserAdmin):
    pass


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


class StatusChangeInline(admin.TabularInline):
    model = OrganizationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "reason", "created_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "credit_code", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "credit_code")
    # Status moves go through the review service (the API or the operator console), never this form.
    readonly_fields = ("status",)
    inlines = [MembershipInline, StatusChangeInline]


admin.site.register(OrganizationRelation)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "read_only", "created_at", "revoked_at")
    readonly_fields = ("key_hash",)
