from django.urls import path

from . import views

app_name = "listings"

# ``config.urls`` adds the conversion pages that keep this namespace (``conversion.urls``).

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("listings/<int:pk>/", views.listing_detail, name="detail"),
    path("my/achievements/", views.my_achievements, name="my_achievements"),
    path("my/achievements/new/", views.achievement_new, name="achievement_new"),
    path("my/achievements/<int:pk>/edit/", views.achievement_edit, name="achievement_edit"),
    path(
        "my/achievements/<int:pk>/attachments/",
        views.achievement_attachments,
        name="achievement_attachments",
    ),
    path(
        "achievements/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_file,
        name="attachment_file",
    ),
    path("my/listings/", views.my_listings, name="my_listings"),
    path("my/listings/new/", views.listing_new, name="listing_new"),
    path("my/listings/<int:pk>/edit/", views.listing_edit, name="listing_edit"),
    path("my/listings/<int:pk>/submit/", views.listing_submit, name="listing_submit"),
    path("my/listings/<int:pk>/withdraw/", views.listing_withdraw, name="listing_withdraw"),
    path("my/approvals/", views.approvals, name="approvals"),
    path("my/approvals/<int:pk>/", views.approval_decide, name="approval_decide"),
    path("console/listings/", views.console_listings, name="console_listings"),
    path("console/listings/<int:pk>/", views.console_listing_review, name="console_listing_review"),
    path(
        "console/listings/<int:pk>/take-down/",
        views.console_listing_take_down,
        name="console_listing_take_down",
    ),
]
