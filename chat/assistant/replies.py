"""The assistant's wording: offers, lists, questions, answers and fallbacks, in one place.

Pure functions over the typed context (no database). Times are 12-hour in the center's time
zone, written by ``tutoring.labels``. The policy decides *what* to say; this module says it.
"""

from __future__ import annotations

import datetime
import hashlib

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chat.assistant import booking_form
from chat.assistant.context import Draft, Offer, Slot
from tutoring.booking import booking_label
from tutoring.center import center_zone
from tutoring.labels import day_label, slot_label, time_label, zone_label
from tutoring.models import Mode


def when(slot: Slot) -> str:
    """Return "Thu Dec 3, 6:30–7:00 PM, online"."""
    return f"{slot_label(slot.start, slot.end)}, {Mode(slot.mode).label}"


def numbered_times(slots: tuple[Slot, ...]) -> list[str]:
    return [f"{n}. {when(slot)}" for n, slot in enumerate(slots, start=1)]


def offer(match: Offer, *, intro: str = "") -> str:
    """An offer: the tutor, why, the numbered times, and how to answer."""
    lines = [intro, ""] if intro else []
    lines.append(f"**{match.tutor_name}**: {', '.join(match.skills)}.")
    if match.reasoning:
        lines.append(match.reasoning)
    if match.slots:
        lines.append(_("Open times (%(zone)s):") % {"zone": zone_label()})
        lines += numbered_times(match.slots)
        lines.append(pick_prompt(match))
    else:
        lines.append(_("They have no open times that fit right now. Say *someone else*."))
    return "\n".join(lines)


def pick_prompt(match: Offer) -> str:
    count = len(match.slots)
    if count == 1:
        return _("Say *yes* to book it, or *someone else*, *later* or *another day*.")
    return _(
        "Reply 1–%(count)s or tap a time to book it; or say *later*, *another day* or "
        "*someone else*."
    ) % {"count": count}


def which_time(match: Offer) -> str:
    count = len(match.slots)
    return (
        _("Which time? Reply 1–%(count)s or tap one.") % {"count": count}
        + "\n"
        + "\n".join(numbered_times(match.slots))
    )


def tutors_list(shown: list[Offer], *, intro: str) -> str:
    lines = [intro]
    for n, match in enumerate(shown, start=1):
        first = match.slots[0] if match.slots else None
        soonest = _("next: %(when)s") % {"when": when(first)} if first else ""
        lines.append(f"{n}. **{match.tutor_name}**: {', '.join(match.skills)}. {soonest}")
    lines.append(_("Reply with a number or a name to see their times."))
    return "\n".join(lines)


def step_prefix(step: str) -> str:
    return _("(Step %(n)s of %(total)s)") % {
        "n": booking_form.step_number(step),
        "total": len(booking_form.STEPS),
    }


def ask(step: str, values: dict | None = None) -> str:
    """The question for ``step``, asking only what is missing when part was given."""
    text = booking_form.missing_part(step, values or {})
    return f"{step_prefix(step)} {text}"


def summary(draft: Draft, match: Offer) -> str:
    lines = booking_form.summary_lines(
        draft.values, tutor_name=match.tutor_name, when=when(draft.slot)
    )
    return "\n".join([*lines, "", booking_form.question("confirm")])


def changed(fields: list[str], values: dict) -> str:
    """Say what a correction changed: "Changed your personal email to ana@gmail.com."."""
    parts = []
    for name in fields:
        value = values.get(name)
        if isinstance(value, list):
            value = ", ".join(value) or _("none")
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        parts.append(
            _("your %(field)s to %(value)s")
            % {"field": booking_form.FIELD[name].label, "value": value or _("none")}
        )
    return _("Changed %(what)s.") % {"what": get_text_list(parts, _("and"))}


def list_subjects(subjects: list[str]) -> str:
    return get_text_list(subjects, _("and"))


def not_offered(unknown: str, closest: list[str], everything: list[str]) -> str:
    """ "We don't tutor chemistry here; we cover …" with the closest subjects first."""
    text = _("We don't tutor %(subject)s here.") % {"subject": unknown}
    if closest:
        text += " " + _("The closest we have: %(closest)s.") % {
            "closest": get_text_list(closest, _("or"))
        }
    text += " " + _("We cover %(all)s. Which would you like?") % {"all": list_subjects(everything)}
    return text


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(center_zone())


def booked(booking, *, tutor_name: str, email: str, moved_from: str = "") -> str:
    start, end = _local(booking.start), _local(booking.end)
    place = f" ({booking.location})" if booking.location else ""
    first = _("Done: moved.") if moved_from else _("You're booked!")
    lines = [first]
    if moved_from:
        lines.append(_("Your %(old)s is cancelled.") % {"old": moved_from})
    lines += [
        f"**{tutor_name}**: {slot_label(start, end)} {zone_label()}, "
        f"{Mode(booking.mode).label}{place}",
        _("[Add to your calendar](%(ics)s) · [Cancel this booking](%(cancel)s)")
        % {"ics": booking.ics_path, "cancel": booking.cancel_path},
        _("A confirmation email is on its way to %(email)s.") % {"email": email},
    ]
    return "\n".join(lines)


def booking_line(booking) -> str:
    """ "Mon Dec 7, 10:00 AM session with Maya Okafor" (``tutoring.booking.booking_label``)."""
    return booking_label(booking, center_zone())


def booking_details(booking) -> str:
    """The booking with how it meets: "…with Maya Okafor, on campus (Room 204)"."""
    place = f" ({booking.location})" if booking.location and booking.mode != "online" else ""
    return f"{booking_line(booking)}, {Mode(booking.mode).label}{place}"


def bookings_list(bookings: list) -> str:
    if not bookings:
        return _("You have no upcoming bookings from this conversation.")
    lines = [
        ngettext(
            "You have %(count)s upcoming session:",
            "You have %(count)s upcoming sessions:",
            len(bookings),
        )
        % {"count": len(bookings)}
    ]
    lines += [f"{n}. {booking_details(b)}" for n, b in enumerate(bookings, start=1)]
    return "\n".join(lines)


def help_text() -> str:
    return _(
        "I can find a tutor and book a session. Tell me a subject or class and when you're "
        "free, like *Python on Monday around 10*, *CS 111B online* or *stats tomorrow "
        "afternoon*. Pick a time by its number, or say *later*, *another day* or *someone "
        "else*. You can ask who teaches a subject, what a tutor has open, or where the center "
        "is; and later say *reschedule*, *cancel my booking* or *what did I book?*."
    )


# Fallbacks: what the assistant waits for, said differently each time.
_IDLE = (
    "Tell me what you'd like help with and when, for example *Python on Monday afternoon*, "
    "or ask *what subjects do you have?*",
    "Which subject or class do you need a tutor for? You can add a day or time, like "
    "*CS 111B tomorrow evening*.",
    "I can book you a tutor: name a subject or course (and a day, if you like), or ask "
    "*who teaches Java?*",
)
_OFFER = (
    "Which of %(tutor)s's times works? Reply 1–%(count)s or tap one, or say *later*, "
    "*another day* or *someone else*.",
    "To book with %(tutor)s, pick a time by its number (1–%(count)s). Or tell me another "
    "day or time.",
    "Still looking at %(tutor)s's times: reply with a number from 1 to %(count)s, or say "
    "*someone else*.",
)
_TUTORS = (
    "Reply with a tutor's number or name to see their times, or tell me another day or time.",
    "Which tutor would you like? Give their number or name.",
)


def _variant(options: tuple[str, ...], last: str, seed: str) -> str:
    """Pick a wording, never the one said last (the seed keeps it deterministic)."""
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)
    for shift in range(len(options)):
        text = options[(start + shift) % len(options)]
        if text not in last:
            return text
    return options[start]


def fallback_idle(last: str, seed: str) -> str:
    return _(_variant(_IDLE, last, seed))


def fallback_offer(match: Offer, last: str, seed: str) -> str:
    template = _variant(
        tuple(_(t) % {"tutor": match.first_name, "count": len(match.slots)} for t in _OFFER),
        last,
        seed,
    )
    return template


def fallback_tutors(last: str, seed: str) -> str:
    return _variant(tuple(_(t) for t in _TUTORS), last, seed)


_AGAIN = (
    "Sorry, I still need this one.",
    "Let me ask that again.",
    "One more try:",
)


def not_again(text: str, last: str, seed: str) -> str:
    """Return ``text``, reworded at its start if it is word for word the last reply."""
    if text.strip() != last.strip():
        return text
    return f"{_variant(tuple(_(t) for t in _AGAIN), '', seed)} {text}"


def slot_short(slot: Slot) -> str:
    return f"{day_label(slot.start.date())}, {time_label(slot.start.time())}"


def moment_label(moment: datetime.datetime) -> str:
    return f"{day_label(moment.date())}, {time_label(moment.time())}"
