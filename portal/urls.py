from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("console/risk-alerts/", views.risk_alerts, name="risk_alerts"),
    path("my/todo/", views.todo, name="todo"),
]
