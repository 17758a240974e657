"""The chat pages, in the ``chat`` URL namespace (the WebSocket is in chat.routing)."""

from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.page, name="page"),
    path("say", views.say, name="say"),
    path("messages", views.earlier_messages, name="messages"),
    path("new", views.new_conversation, name="new"),
    path("device", views.device, name="device"),
    path("continue/<str:token>", views.continue_on_device, name="continue"),
    path("tutors", views.tutors, name="tutors"),
]
