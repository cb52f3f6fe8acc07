from django.urls import path

from . import fair, views

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

urlpatterns += [
    path("auctions/<int:pk>/record/", fair.AuctionRecordView.as_view(), name="auction-record"),
    path("keys/", fair.KeysView.as_view(), name="market-keys"),
    path(
        "auctions/<int:pk>/best-offer-window/", fair.BestOfferWindowView.as_view(), name="best-offer-window"
    ),
    path("auctions/<int:pk>/best-offers/", fair.BestOffersView.as_view(), name="best-offers"),
    path("best-offers/<int:pk>/accept/", fair.BestOfferAcceptView.as_view(), name="best-offer-accept"),
    path(
        "auctions/<int:pk>/move-to-negotiated/",
        fair.MoveToNegotiatedView.as_view(),
        name="auction-move-to-negotiated",
    ),
    path("deals/<int:pk>/runner-up-offer/", fair.RunnerUpOfferView.as_view(), name="runner-up-offer"),
    path("runner-up-offers/<int:pk>/accept/", fair.RunnerUpAcceptView.as_view(), name="runner-up-accept"),
    path("runner-up-offers/<int:pk>/decline/", fair.RunnerUpDeclineView.as_view(), name="runner-up-decline"),
]
