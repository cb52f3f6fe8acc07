from django.urls import path

from . import brokers, data_room, fair, trading, views

urlpatterns = [
    path("payments/notifications/", views.BankNotificationView.as_view(), name="payment-notifications"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment-detail"),
    path("payments/<int:pk>/confirm/", views.PaymentConfirmView.as_view(), name="payment-confirm"),
    path("deals/", views.DealsView.as_view(), name="deal-list"),
    path("deals/<int:pk>/", views.DealDetailView.as_view(), name="deal-detail"),
    path(
        "deals/<int:pk>/contract-registration/",
        views.DealContractRegistrationView.as_view(),
        name="deal-contract-registration",
    ),
    path(
        "deals/<int:pk>/contract-registration/correction/",
        views.DealContractRegistrationCorrectionView.as_view(),
        name="deal-contract-registration-correction",
    ),
    path("deals/<int:pk>/settle/", views.DealSettleView.as_view(), name="deal-settle"),
    path("deals/<int:pk>/confirmation/", views.DealConfirmationView.as_view(), name="deal-confirmation"),
    path(
        "deals/<int:pk>/confirmation/sign/",
        views.DealConfirmationSignView.as_view(),
        name="deal-confirmation-sign",
    ),
    path("deals/<int:pk>/settlement/", views.DealSettlementView.as_view(), name="deal-settlement"),
    path("results/", views.ResultsView.as_view(), name="result-list"),
    path("settlement-policies/<int:pk>/", views.SettlementPolicyView.as_view(), name="settlement-policy"),
]

urlpatterns += [
    path("listings/<int:pk>/offers/", trading.ListingOffersView.as_view(), name="listing-offers"),
    path("listings/<int:pk>/intents/", trading.ListingIntentsView.as_view(), name="listing-intents"),
    path("offers/<int:pk>/accept/", trading.OfferAcceptView.as_view(), name="offer-accept"),
    path("offers/<int:pk>/reject/", trading.OfferRejectView.as_view(), name="offer-reject"),
    path("offers/<int:pk>/counter/", trading.OfferCounterView.as_view(), name="offer-counter"),
    path("notices/", trading.NoticesView.as_view(), name="notice-list"),
    path("notices/<int:pk>/", trading.NoticeDetailView.as_view(), name="notice-detail"),
    path("notices/<int:pk>/objections/", trading.NoticeObjectionsView.as_view(), name="notice-objections"),
    path("objections/<int:pk>/decide/", trading.ObjectionDecideView.as_view(), name="objection-decide"),
]

urlpatterns += [
    path("achievements/<int:pk>/preemption/", fair.PreemptionView.as_view(), name="achievement-preemption"),
    path(
        "listings/<int:pk>/preemption-claim/",
        fair.PreemptionClaimView.as_view(),
        name="listing-preemption-claim",
    ),
    path("brokers/", brokers.BrokersView.as_view(), name="broker-list"),
    path("brokers/<int:pk>/", brokers.BrokerDetailView.as_view(), name="broker-detail"),
    path("listings/<int:pk>/mandates/", brokers.ListingMandatesView.as_view(), name="listing-mandates"),
    path("mandates/<int:pk>/revoke/", brokers.MandateRevokeView.as_view(), name="mandate-revoke"),
    path("deals/<int:pk>/broker/", brokers.DealBrokerView.as_view(), name="deal-broker"),
]

urlpatterns += [
    path("listings/<int:pk>/data-room/", data_room.DataRoomView.as_view(), name="data-room"),
    path("listings/<int:pk>/data-room/files/", data_room.DataRoomFilesView.as_view(), name="data-room-files"),
    path(
        "listings/<int:pk>/data-room/access/", data_room.DataRoomAccessView.as_view(), name="data-room-access"
    ),
    path("listings/<int:pk>/data-room/log/", data_room.DataRoomLogView.as_view(), name="data-room-log"),
    path(
        "data-room/accesses/<int:pk>/decide/",
        data_room.DataRoomAccessDecideView.as_view(),
        name="data-room-access-decide",
    ),
    path(
        "data-room/accesses/<int:pk>/revoke/",
        data_room.DataRoomAccessRevokeView.as_view(),
        name="data-room-access-revoke",
    ),
]
