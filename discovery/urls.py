"""Discovery's pages (namespace ``discovery``)."""

from django.urls import path

from . import views

app_name = "discovery"

urlpatterns = [
    path("demands/", views.demands, name="demands"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("my/demand-responses/", views.my_responses, name="my_responses"),
    path("console/demands/", views.console_demands, name="console_demands"),
    path("listings/<int:pk>/inquiry/", views.listing_page, name="listing"),
    path("console/questions/", views.console_questions, name="console_questions"),
    path("my/peer-reviews/", views.my_peer_reviews, name="my_peer_reviews"),
    path("my/achievements/<int:pk>/peer-reviews/", views.peer_reviews_of, name="peer_reviews_of"),
    path("console/peer-reviews/", views.console_peer_reviews, name="console_peer_reviews"),
    path("my/use-reports/", views.my_use_reports, name="my_use_reports"),
    path("console/use-reports/", views.console_use_reports, name="console_use_reports"),
    path("publications/", views.publications, name="publications"),
    path("publications/<int:pk>/", views.publication, name="publication"),
    path("my/subscriptions/", views.my_subscriptions, name="my_subscriptions"),
]
