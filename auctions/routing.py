from django.urls import path

from .consumers import AuctionRoomConsumer

websocket_urlpatterns = [
    path("ws/auctions/<int:auction_id>/", AuctionRoomConsumer.as_asgi()),
]
