from django.urls import path

from . import views

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
    path("deals/<int:pk>/settle/", views.DealSettleView.as_view(), name="deal-settle"),
    path("deals/<int:pk>/settlement/", views.DealSettlementView.as_view(), name="deal-settlement"),
    path("results/", views.ResultsView.as_view(), name="result-list"),
]
