from django.urls import path

from . import views

urlpatterns = [
    path("risk-alerts/", views.RiskAlertsView.as_view(), name="risk-alert-list"),
    path("risk-alerts/<int:pk>/decide/", views.RiskAlertDecideView.as_view(), name="risk-alert-decide"),
]
