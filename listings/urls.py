from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("listings/<int:pk>/", views.listing_detail, name="detail"),
    path("my/achievements/", views.my_achievements, name="my_achievements"),
    path("my/achievements/new/", views.achievement_new, name="achievement_new"),
    path("my/achievements/<int:pk>/", views.achievement_detail, name="achievement"),
    path("my/achievements/<int:pk>/edit/", views.achievement_edit, name="achievement_edit"),
    path("my/listings/", views.my_listings, name="my_listings"),
    path("my/listings/new/", views.listing_new, name="listing_new"),
    path("my/listings/<int:pk>/edit/", views.listing_edit, name="listing_edit"),
    path("my/listings/<int:pk>/submit/", views.listing_submit, name="listing_submit"),
    path("my/listings/<int:pk>/withdraw/", views.listing_withdraw, name="listing_withdraw"),
    path("my/approvals/", views.approvals, name="approvals"),
    path("my/approvals/<int:pk>/", views.approval_decide, name="approval_decide"),
    path("use-first/", views.use_first, name="use_first"),
    path("my/justifications/", views.my_justifications, name="my_justifications"),
    path("console/use-first/", views.console_use_first, name="console_use_first"),
    path("console/overdue-registrations/", views.console_overdue, name="console_overdue"),
    path("console/listings/", views.console_listings, name="console_listings"),
    path("console/listings/<int:pk>/", views.console_listing_review, name="console_listing_review"),
    path(
        "console/listings/<int:pk>/take-down/",
        views.console_listing_take_down,
        name="console_listing_take_down",
    ),
]
