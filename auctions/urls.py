from django.urls import path

from . import views

app_name = "auctions"

urlpatterns = [
    path("auctions/", views.auction_list, name="list"),
    path("auctions/<int:pk>/", views.live, name="live"),
    path("auctions/<int:pk>/register/", views.register, name="register"),
    path("auctions/<int:pk>/rescue/", views.rescue, name="rescue"),
    path("my/auctions/", views.mine, name="mine"),
    path("console/auctions/", views.console_live, name="console_live"),
    path("console/auctions/<int:pk>/cancel/", views.console_cancel, name="console_cancel"),
]
