"""The conversion duty's pages. Their paths and names are the ones they had in listings and
marketplace before the move, namespace included (``listings:use_first``, ``marketplace:rankings``):
``config.urls`` merges each list below into that namespace, so no link, bookmark or ``reverse``
changes."""

from django.urls import path

from . import views

# Pages named in the ``listings`` namespace.
listings_urlpatterns = [
    path("my/achievements/<int:pk>/", views.achievement_detail, name="achievement"),
    path("use-first/", views.use_first, name="use_first"),
    path("my/justifications/", views.my_justifications, name="my_justifications"),
    path("console/use-first/", views.console_use_first, name="console_use_first"),
    path("console/overdue-registrations/", views.console_overdue, name="console_overdue"),
]

# Pages named in the ``marketplace`` namespace.
marketplace_urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("use-first/<int:pk>/apply/", views.use_first_apply, name="use_first_apply"),
    path("my/use-first/", views.my_use_first, name="my_use_first"),
    path("my/report/", views.annual_report, name="annual_report"),
    path(
        "console/use-first-applications/",
        views.console_use_first_applications,
        name="console_use_first_applications",
    ),
]
