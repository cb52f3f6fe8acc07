from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("results/", views.results, name="results"),
    path("my/deals/", views.my_deals, name="my_deals"),
    path("my/deals/<int:pk>/", views.deal_detail, name="deal"),
    path("console/payments/", views.console_payments, name="console_payments"),
    path("console/defaults/", views.console_defaults, name="console_defaults"),
]
