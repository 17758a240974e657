"""What the chat page's side panel (``#chat-panel``) offers, read from a session's state.

The panel is the clickable form of what the assistant is waiting for: the offered tutor with
a button per open time, the tutors shown by "other tutors", the booking form's current step
with the right input, a yes/no question, or the confirmation card of a booking. Every button
posts the words the assistant already understands ("1", "yes", "back", "other tutors"), so a
click and a typed answer are the same turn. Reads only; never locks.

One of each on the page: the tutor card of an offer shows in the panel only (the transcript
keeps the words), and while a form step has its own field (``Panel.owns_input``, rendered as
``data-owns-input``) that field is the one place to type, the message box folded away.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import state
from chat.assistant import booking_form
from chat.assistant.context import EXPECT_CANCEL, EXPECT_SLOT, EXPECT_SWITCH, EXPECT_TUTOR
from chat.models import ChatSession
from tutoring.booking import booking_can_cancel, booking_label
from tutoring.calendar import booking_place
from tutoring.center import center_zone
from tutoring.models import Booking, Course, Mode
from tutoring.slots import OfferedSlot

IDLE = "idle"
OFFER = "offer"
TUTORS = "tutors"
FORM = "form"
SWITCH = "switch"
CANCEL = "cancel"
BOOKED = "booked"

BIO_CHARS = 160

# While a step with a typed answer is asked (booking_form.Step.typed), the panel's field is
# the page's one place to type: it takes anything the message box would (a question, a
# correction, "back"), so the message box folds away behind "Type a message instead" rather
# than compete with it. Steps answered with buttons keep the message box open.


@dataclass(frozen=True)
class Panel:
    kind: str
    # Changes whenever the panel asks something new: the page moves focus only then.
    key: str
    data: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        """Return the partial that renders this kind of panel."""
        return f"chat/panels/_{self.kind}.html"

    @property
    def owns_input(self) -> bool:
        """Return whether the panel has the field the student types this answer into."""
        step = booking_form.STEP.get(self.data.get("step", ""))
        return self.kind == FORM and step is not None and step.typed


def slot_label(slot: dict) -> str:
    """Return an offered slot for a person: "Mon Dec 7, 10:00–10:30 AM, online"."""
    start = datetime.datetime.fromisoformat(slot["start"])
    begin, end = slot["time"].split("-")
    minutes = (int(end[:2]) * 60 + int(end[3:])) - (int(begin[:2]) * 60 + int(begin[3:]))
    length = datetime.timedelta(minutes=minutes)
    return OfferedSlot(
        tutor_id=0, start=start, end=start + length, mode=slot["mode"], location=""
    ).label()


def mode_labels(modes: list[str]) -> list[dict]:
    """Return badges for the modes offered, in a stable order: online first."""
    return [
        {"value": mode, "label": Mode(mode).label, "css": mode.replace(" ", "-")}
        for mode in Mode.values
        if mode in modes
    ]


def tutor_card(match: dict) -> dict:
    """Return what a tutor card shows for a match (``pendingMatch`` shape)."""
    tutor = match["tutor"]
    slots = match.get("availableSlots") or []
    return {
        "name": tutor["name"],
        "pronouns": tutor.get("pronouns") or "",
        "skills": tutor.get("skills") or [],
        "bio": tutor.get("bio") or "",
        "modes": mode_labels([slot["mode"] for slot in slots]),
        "reasoning": match.get("reasoning") or "",
    }


def session_panel(session: ChatSession) -> Panel:
    """Return the panel for the session's current state."""
    expecting = (session.assistant_context or {}).get("expecting")
    matches = state.session_matches(session)
    pending = state.pending_match_json(matches)
    draft = state.booking_info_json(state.session_booking_draft(session))
    form_open = draft is not None and draft["step"] != booking_form.COMPLETE
    if expecting == EXPECT_CANCEL:
        panel = _cancel_panel(session)
        if panel is not None:
            return panel
    if expecting == EXPECT_SWITCH and form_open:
        return Panel(SWITCH, f"{SWITCH}:{session.version}")
    if form_open and draft["slot"] is not None and pending is not None:
        return _form_panel(session, draft, pending)
    if (form_open or expecting == EXPECT_SLOT) and pending is not None:
        return _offer_panel(pending)
    if expecting == EXPECT_TUTOR:
        shown = state.available_tutors_json(matches)
        if shown:
            return _tutors_panel(shown)
    if draft is not None and draft["step"] == booking_form.COMPLETE:
        booking = (
            Booking.objects.filter(chat_session_id=session.pk)
            .select_related("tutor")
            .order_by("-created_at")
            .first()
        )
        if booking is not None:
            return _booked_panel(booking)
    return Panel(IDLE, IDLE)


def _cancel_panel(session: ChatSession) -> Panel | None:
    """Return the "cancel which booking / cancel this one?" question as buttons."""
    uids = (session.assistant_context or {}).get("cancelChoices") or []
    found = {
        str(b.uid): b
        for b in Booking.objects.filter(
            uid__in=uids, status=Booking.Status.CONFIRMED
        ).select_related("tutor")
    }
    bookings = [found[uid] for uid in uids if uid in found]
    if not bookings:
        return None
    zone = center_zone()
    choices = [
        {"number": n, "label": booking_label(booking, zone)}
        for n, booking in enumerate(bookings, start=1)
    ]
    return Panel(CANCEL, f"{CANCEL}:{','.join(uids)}:{session.version}", {"choices": choices})


def slot_choice(number: int, slot: dict) -> dict:
    """Return an offered slot as a button shows it: the day over the hours, and the mode.

    The button shows the mode only when the offered times differ in it; otherwise the
    tutor card's badge says it once.
    """
    label = slot_label(slot)
    mode = Mode(slot["mode"]).label
    day, _comma, hours = label.partition(", ")
    return {
        "number": number,
        "label": label,
        "day": day,
        "hours": hours.removesuffix(f", {mode}"),
        "mode": slot["mode"],
        "mode_label": mode,
    }


def _offer_panel(pending: dict) -> Panel:
    slots = [slot_choice(n, slot) for n, slot in enumerate(pending["availableSlots"], start=1)]
    starts = ",".join(slot["start"] for slot in pending["availableSlots"])
    return Panel(
        OFFER,
        f"{OFFER}:{pending['tutor']['id']}:{starts}",
        {
            "card": tutor_card(pending),
            "slots": slots,
            "mixed_modes": len({slot["mode"] for slot in slots}) > 1,
        },
    )


def _tutors_panel(shown: list[dict]) -> Panel:
    tutors = []
    for n, match in enumerate(shown, start=1):
        slots = match["availableSlots"]
        tutors.append(
            {
                "number": n,
                "card": tutor_card(match),
                "soonest": slot_label(slots[0]) if slots else "",
            }
        )
    ids = ",".join(str(match["tutor"]["id"]) for match in shown)
    return Panel(TUTORS, f"{TUTORS}:{ids}", {"tutors": tutors})


def _course_options(session: ChatSession) -> list[str]:
    criteria = state.search_criteria_json(state.session_search_criteria(session)) or {}
    subjects = criteria.get("skill") or []
    courses = Course.objects.filter(subject__name__in=subjects) if subjects else Course.objects
    return list(courses.order_by("code").values_list("code", flat=True)[:12])


def _form_panel(session: ChatSession, draft: dict, pending: dict) -> Panel:
    step = draft["step"]
    table = booking_form.STEP[step]
    data = {
        "step": step,
        "number": booking_form.step_number(step),
        "total": len(booking_form.STEPS),
        "question": booking_form.question(step),
        "tutor": pending["tutor"]["name"],
        "when": slot_label(draft["slot"]),
        "draft": draft,
        "college_domain": settings.COLLEGE_EMAIL_DOMAIN,
        "template": table.template,
        "label": table.field_label,
        "value": (draft.get(booking_form.WIRE[table.fields[0]]) or "") if table.typed else "",
        "skippable": table.skip_button,
    }
    if step == "classes":
        chosen = set(draft.get("classes") or [])
        data["courses"] = [
            {"code": code, "checked": code in chosen, "id": "course-" + code.replace(" ", "-")}
            for code in _course_options(session)
        ]
    # The key includes the version: a re-asked step (bad answer) is a new question too.
    return Panel(FORM, f"{FORM}:{step}:{session.version}", data)


def _booked_panel(booking: Booking) -> Panel:
    zone = center_zone()
    start = timezone.localtime(booking.start, zone)
    end = timezone.localtime(booking.end, zone)
    when = OfferedSlot(
        tutor_id=booking.tutor_id, start=start, end=end, mode=booking.mode, location=""
    ).label()
    return Panel(
        BOOKED,
        f"{BOOKED}:{booking.uid}:{booking.status}",
        {
            "booking": booking,
            "tutor": booking.tutor,
            "when": when,
            "start": start,
            "place": booking_place(booking),
            "mode": Mode(booking.mode).label,
            "cancelled": booking.status == Booking.Status.CANCELLED,
            "can_cancel": booking_can_cancel(booking),
            "status_label": _("Cancelled")
            if booking.status == Booking.Status.CANCELLED
            else _("Booked"),
        },
    )
