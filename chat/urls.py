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
    path("device/links", views.device_link_create, name="device-link-create"),
    path("device/links/<int:link_id>/revoke", views.device_link_revoke, name="device-link-revoke"),
    path("continue/<str:token>", views.continue_on_device, name="continue"),
    path("tutors", views.tutors, name="tutors"),
]
