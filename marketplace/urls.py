from django.urls import path

from . import broker_views, data_room_views, views

app_name = "marketplace"

# ``config.urls`` adds the conversion pages that keep this namespace (``conversion.urls``).

urlpatterns = [
    path("results/", views.results, name="results"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("notices/", views.notices, name="notices"),
    path("my/deals/", views.my_deals, name="my_deals"),
    path("my/deals/<int:pk>/", views.deal_detail, name="deal"),
    path("my/deals/<int:pk>/confirmation/", views.deal_confirmation, name="deal_confirmation"),
    path("my/deals/<int:pk>/confirmation.pdf", views.deal_confirmation_pdf, name="deal_confirmation_pdf"),
    path("listings/<int:pk>/offer/", views.offer_new, name="offer_new"),
    path("listings/<int:pk>/intent/", views.intent_new, name="intent_new"),
    path("my/achievements/<int:pk>/preemption/", views.preemption, name="preemption"),
    path(
        "my/achievements/<int:pk>/preemption/<int:record_pk>/document/",
        views.preemption_document,
        name="preemption_document",
    ),
    path("my/trades/", views.my_trades, name="my_trades"),
    path("my/offers/<int:pk>/", views.offer_detail, name="offer"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("console/notices/", views.console_notices, name="console_notices"),
    path("console/reconciliation/", views.console_reconciliation, name="console_reconciliation"),
    path("my/payments/<int:pk>/receipt/", views.payment_receipt, name="payment_receipt"),
    path(
        "payments/<int:pk>/receipts/<int:receipt_pk>/",
        views.payment_receipt_file,
        name="payment_receipt_file",
    ),
    path("console/deals/", views.console_deals, name="console_deals"),
    path("console/payments/", views.console_payments, name="console_payments"),
    path("console/defaults/", views.console_defaults, name="console_defaults"),
    path("brokers/", broker_views.brokers, name="brokers"),
    path("brokers/<int:pk>/", broker_views.broker_detail, name="broker"),
    path("my/broker/", broker_views.my_broker_profile, name="my_broker_profile"),
    path("my/listings/<int:pk>/mandates/", broker_views.listing_mandates, name="listing_mandates"),
    path("my/deals/<int:pk>/broker/", broker_views.deal_broker, name="deal_broker"),
    path("listings/<int:pk>/data-room/", data_room_views.data_room, name="data_room"),
    path("data-room/files/<str:token>/", data_room_views.data_room_file, name="data_room_file"),
]
