from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("my/todo/", views.todo, name="todo"),
]
