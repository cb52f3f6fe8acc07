from django.urls import path  # noqa: F401

from . import use_first

urlpatterns: list = []
urlpatterns += use_first.urlpatterns
