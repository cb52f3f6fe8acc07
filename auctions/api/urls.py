from django.urls import path

from . import views

urlpatterns = [
    path("auctions/<int:pk>/", views.AuctionDetailView.as_view(), name="auction-detail"),
    path("auctions/<int:pk>/registrations/", views.RegistrationCreateView.as_view(), name="auction-register"),
    path(
        "auctions/<int:pk>/registrations/mine/",
        views.RegistrationMineView.as_view(),
        name="auction-registration-mine",
    ),
    path("auctions/<int:pk>/bids/", views.BidsView.as_view(), name="auction-bids"),
    path("auctions/<int:pk>/proxy-bid/", views.ProxyBidView.as_view(), name="auction-proxy-bid"),
    path("auctions/<int:pk>/cancel/", views.AuctionCancelView.as_view(), name="auction-cancel"),
]
