"""Links sent in booking emails, in the ``tutoring`` URL namespace."""

from django.urls import path

from tutoring import views

app_name = "tutoring"

urlpatterns = [
    path("bookings/<uuid:uid>.ics", views.booking_ics_file, name="booking-ics"),
    path("bookings/<uuid:uid>/cancel", views.booking_cancel_page, name="booking-cancel"),
]
