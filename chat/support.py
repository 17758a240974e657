"""One chat session for staff: readable text (support commands, admin) and a full JSON export.

Reads only, like ``chat.state``: nothing here locks or changes a session. Times are shown
in the center's time zone.
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from chat import state
from chat.assistant import booking_form
from chat.ids import SESSION_ID_PATTERN
from chat.models import BookingDraft, ChatMessage, ChatSession, SearchCriteria
from tutoring.center import center_zone
from tutoring.models import Booking

_SESSION_ID = re.compile(rf"^{SESSION_ID_PATTERN}$")


def is_session_id(text: str) -> bool:
    """Return whether ``text`` is shaped like a session id (it may still name no session)."""
    return bool(_SESSION_ID.match(text))


def local(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "-"
    return f"{timezone.localtime(moment, center_zone()):%Y-%m-%d %H:%M %Z}"


def criteria_text(criteria: SearchCriteria | None) -> str:
    """Return the last search in one line: "Python · Monday · 10:00 · online (“…”)"."""
    if criteria is None:
        return _("none")
    parts = [
        ", ".join(criteria.skills or []) or _("no subject"),
        criteria.day or _("any day"),
        criteria.time or criteria.part_of_day or _("any time"),
        criteria.mode or _("any mode"),
    ]
    said = f" (“{criteria.text}”)" if criteria.text else ""
    return " · ".join(parts) + said


def slot_text(slot: dict) -> str:
    """Return an offered slot as "Mon 2026-12-07 10:00-10:30 online"."""
    start = datetime.datetime.fromisoformat(slot["start"]) if slot.get("start") else None
    day = f"{start:%a %Y-%m-%d}" if start else slot.get("day", "")
    return f"{day} {slot.get('time', '')} {slot.get('mode', '')}".strip()


def match_text(match: dict) -> str:
    """Return a match in one line: tutor, score, and the open times offered."""
    slots = ", ".join(slot_text(slot) for slot in match["availableSlots"])
    return f"{match['tutor']['name']} ({match['matchScore']:.2f}): {slots or _('no open times')}"


def draft_text(draft: BookingDraft | None) -> str:
    """Return the booking form in progress, one answer per line."""
    if draft is None:
        return _("none")
    rows = [
        (_("step"), draft.step),
        (_("slot"), slot_text(draft.slot) if draft.slot else None),
    ]
    for field in booking_form.FIELDS:  # every answer of the form, as the form names it
        value = getattr(draft, field.name)
        rows.append((field.label, ", ".join(value or []) if field.name == "classes" else value))
    return "\n".join(f"{label}: {'' if value is None else value}".rstrip() for label, value in rows)


def session_bookings(session_id: str) -> list[Booking]:
    """Return the bookings this session made, soonest first."""
    return list(
        Booking.objects.filter(chat_session_id=session_id).select_related("tutor").order_by("start")
    )


def booking_text(booking: Booking) -> str:
    return f"{booking.uid} {booking.tutor.name} {local(booking.start)} {booking.status}"


def session_text(session: ChatSession) -> str:
    """Return the session for a person to read: its state, its bookings, then the transcript."""
    matches = state.session_matches(session)
    pending = state.pending_match_json(matches)
    shown = state.available_tutors_json(matches)
    bookings = session_bookings(session.pk)
    lines = [
        _("Chat session %(id)s") % {"id": session.pk},
        _("Started %(created)s, last active %(active)s, version %(version)s, %(n)s messages")
        % {
            "created": local(session.created_at),
            "active": local(session.last_activity_at),
            "version": session.version,
            "n": session.last_seq,
        },
        "",
        _("Search: %(search)s") % {"search": criteria_text(state.session_search_criteria(session))},
        _("Pending match: %(match)s") % {"match": match_text(pending) if pending else _("none")},
        _("Tutors shown:") + ("" if shown else " " + _("none")),
        *(f"  {n}. {match_text(match)}" for n, match in enumerate(shown, start=1)),
        _("Booking in progress:"),
        *(f"  {line}" for line in draft_text(state.session_booking_draft(session)).splitlines()),
        _("Bookings:") + ("" if bookings else " " + _("none")),
        *(f"  {booking_text(booking)}" for booking in bookings),
        "",
        _("Transcript:"),
    ]
    messages = ChatMessage.objects.filter(session=session).order_by("seq")
    for message in messages.iterator():
        lines.append(f"#{message.seq} {local(message.created_at)} {message.role}:")
        lines += [f"    {line}" for line in message.content.splitlines() or [""]]
    return "\n".join(lines)


def session_export_json(session: ChatSession) -> dict:
    """Return the session's state in the API's shape, with every message of its history."""
    return state.session_state_json(session, message_limit=session.last_seq)
