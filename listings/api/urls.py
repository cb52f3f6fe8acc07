from django.urls import path

from . import views

urlpatterns = [
    path("achievements/", views.AchievementCreateView.as_view(), name="achievement-create"),
    path("achievements/<int:pk>/", views.AchievementDetailView.as_view(), name="achievement-detail"),
    path("listings/", views.ListingsView.as_view(), name="listing-list"),
    path("listings/mine/", views.MyListingsView.as_view(), name="listing-mine"),
    path("listings/review-queue/", views.ReviewQueueView.as_view(), name="listing-review-queue"),
    path("listings/internal-queue/", views.InternalQueueView.as_view(), name="listing-internal-queue"),
    path("listings/<int:pk>/", views.ListingDetailView.as_view(), name="listing-detail"),
    path("listings/<int:pk>/submit/", views.ListingSubmitView.as_view(), name="listing-submit"),
    path(
        "listings/<int:pk>/internal-approval/",
        views.ListingInternalApprovalView.as_view(),
        name="listing-internal-approval",
    ),
    path("listings/<int:pk>/review/", views.ListingReviewView.as_view(), name="listing-review"),
    path("listings/<int:pk>/take-down/", views.ListingTakeDownView.as_view(), name="listing-take-down"),
    path("listings/<int:pk>/withdraw/", views.ListingWithdrawView.as_view(), name="listing-withdraw"),
    path("listings/<int:pk>/history/", views.ListingHistoryView.as_view(), name="listing-history"),
]
