"""Calendar files (.ics, RFC 5545) for bookings.

One event per booking with a stable UID (``<uid>@tutoring``), so a calendar that imported the
invitation replaces it with the cancellation instead of keeping both. Times are written in
UTC: unambiguous on every client, and no VTIMEZONE block to get wrong around DST changes.
The output depends only on the booking, so the same booking always yields the same bytes.
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from tutoring.models import Booking, Mode

PRODID = "-//Tutoring Center//Tutoring chat//EN"


def booking_summary(booking: Booking) -> str:
    """Return the event title: "Tutoring: Python with Maya Okafor"."""
    if booking.subject:
        return _("Tutoring: %(subject)s with %(tutor)s") % {
            "subject": booking.subject,
            "tutor": booking.tutor.name,
        }
    return _("Tutoring with %(tutor)s") % {"tutor": booking.tutor.name}


def booking_place(booking: Booking) -> str:
    """Return where the session happens, for people: a room, a link, or the mode."""
    if booking.location:
        return booking.location
    if booking.mode == Mode.ONLINE:
        return _("Online (your tutor will send the meeting link)")
    return _("On campus, at the tutoring center")


def booking_ics(booking: Booking, *, cancelled: bool = False) -> bytes:
    """Return the booking as an iCalendar file: a REQUEST, or a CANCEL when ``cancelled``."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", f"{booking.uid}@tutoring")
    # DTSTAMP from the row, not the clock: re-downloading yields the same file.
    stamp = booking.cancelled_at if cancelled and booking.cancelled_at else booking.created_at
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", booking.start.astimezone(datetime.UTC))
    event.add("dtend", booking.end.astimezone(datetime.UTC))
    event.add("summary", booking_summary(booking))
    event.add("location", booking_place(booking))
    event.add("description", _description(booking))
    event.add("url", f"{settings.SITE_URL}{booking.cancel_path}")
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")

    organizer = vCalAddress(f"mailto:{_from_address()}")
    organizer.params["cn"] = vText(_("Tutoring Center"))
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.student_email}")
    attendee.params["cn"] = vText(booking.student_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)

    calendar.add_component(event)
    return calendar.to_ical()


def _description(booking: Booking) -> str:
    lines = [
        _("Tutor: %(tutor)s") % {"tutor": booking.tutor.name},
        _("Mode: %(mode)s") % {"mode": Mode(booking.mode).label},
        _("Where: %(place)s") % {"place": booking_place(booking)},
        _("To cancel: %(link)s") % {"link": f"{settings.SITE_URL}{booking.cancel_path}"},
    ]
    return "\n".join(lines)


def _from_address() -> str:
    """Return the bare address of DEFAULT_FROM_EMAIL ("Name <a@b>" -> "a@b")."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
