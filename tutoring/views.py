"""Pages and files a student reaches from the booking email: the .ics and the cancel page.

The booking's random uid in the link is the only credential, as in most booking emails:
unguessable (122 random bits) and limited to this one booking.
"""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from tutoring.booking import BookingNotCancellable, booking_can_cancel, booking_cancel
from tutoring.calendar import booking_ics
from tutoring.models import Booking
from tutoring.notifications import booking_context


def _booking(uid: UUID) -> Booking:
    return get_object_or_404(Booking.objects.select_related("tutor"), uid=uid)


@require_GET
def booking_ics_file(request: HttpRequest, uid: UUID) -> HttpResponse:
    """Serve the booking's calendar file (the cancellation once it is cancelled)."""
    booking = _booking(uid)
    cancelled = booking.status == Booking.Status.CANCELLED
    response = HttpResponse(
        booking_ics(booking, cancelled=cancelled), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="tutoring-session.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


@require_http_methods(["GET", "POST"])
def booking_cancel_page(request: HttpRequest, uid: UUID) -> HttpResponse:
    """Show the booking with a cancel button (GET); cancel it (POST)."""
    booking = _booking(uid)
    cancelled_now = False
    not_cancellable = ""
    if request.method == "POST":
        was_active = booking.status != Booking.Status.CANCELLED
        try:
            booking = booking_cancel(booking=booking)
            cancelled_now = was_active
        except BookingNotCancellable as exc:
            not_cancellable = str(exc)
    elif not booking_can_cancel(booking) and booking.status != Booking.Status.CANCELLED:
        not_cancellable = str(BookingNotCancellable())
    context = {
        **booking_context(booking),
        "can_cancel": booking_can_cancel(booking),
        "cancelled_now": cancelled_now,
        "not_cancellable": not_cancellable,
    }
    response = render(request, "tutoring/booking_cancel.html", context)
    # The page names a student's session: keep it out of shared caches and search engines.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
