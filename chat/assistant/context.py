"""The conversation's context as the assistant sees it: typed, loaded once per turn, saved back.

The session's rows hold it in the API's shapes (camelCase JSON of DESIGN.md: pendingMatch,
availableTutorsList, lastSearchCriteria, bookingInfo) plus ``assistant_context`` (what the
assistant waits for, the whole search, the form's skipped steps). This module is the one
place that converts between those shapes and the dataclasses the policy works with; the
policy never sees a camelCase key. Every change goes through ``Conversation``'s setters,
which write through the session's single writer (``chat.store.SessionWrite``) in the turn's
transaction.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from chat import state
from chat.assistant import booking_form
from chat.models import BookingDraft
from chat.schemas import BookingInfoIn, Match, SearchCriteriaIn
from chat.store import SessionWrite
from tutoring.center import center_zone
from tutoring.models import WEEKDAY_NAMES
from tutoring.ranking import Wish


class Expecting(StrEnum):
    """What the assistant's last reply asked for (``assistant_context["expecting"]``)."""

    SUBJECT = "subject"  # which subject or class
    SLOT = "slot"  # a time from the offer on the table
    TUTOR = "tutor"  # one of the tutors listed
    SWITCH = "switch"  # mid-form, a new subject: stop this booking and search instead?
    CANCEL = "cancel-booking"  # which booking to cancel, or yes/no to cancel one
    MOVE = "move-booking"  # which booking to move
    MOVE_CONFIRM = "move-confirm"  # yes/no to move a booking to the time picked
    REUSE = "reuse-details"  # yes/no to book with the details given before
    PERSONAL_EMAIL = "personal-email"  # a college address was given as the personal one


# The panel reads these values; kept as module names for it.
EXPECT_SUBJECT, EXPECT_SLOT, EXPECT_TUTOR = Expecting.SUBJECT, Expecting.SLOT, Expecting.TUTOR
EXPECT_SWITCH, EXPECT_CANCEL = Expecting.SWITCH, Expecting.CANCEL


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime  # aware, center-local
    end: datetime.datetime
    mode: str

    @property
    def day(self) -> str:
        return WEEKDAY_NAMES[self.start.weekday()]

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        start = datetime.datetime.fromisoformat(data["start"]).astimezone(center_zone())
        begin, end = data["time"].split("-")
        minutes = (int(end[:2]) * 60 + int(end[3:])) - (int(begin[:2]) * 60 + int(begin[3:]))
        return cls(start=start, end=start + datetime.timedelta(minutes=minutes), mode=data["mode"])

    def to_json(self) -> dict:
        return {
            "day": self.day,
            "time": f"{self.start:%H:%M}-{self.end:%H:%M}",
            "mode": self.mode,
            "start": self.start.isoformat(),
        }


@dataclass(frozen=True)
class Offer:
    """A tutor on offer with their open times (``pendingMatch`` or one of the tutors listed)."""

    tutor_id: int
    tutor_name: str
    skills: tuple[str, ...]
    reasoning: str
    slots: tuple[Slot, ...]
    wire: dict = field(compare=False, repr=False)  # the API shape, stored as it came

    @classmethod
    def from_json(cls, data: dict) -> Offer:
        tutor = data["tutor"]
        return cls(
            tutor_id=tutor["id"],
            tutor_name=tutor.get("name") or "",
            skills=tuple(tutor.get("skills") or ()),
            reasoning=data.get("reasoning") or "",
            slots=tuple(Slot.from_json(slot) for slot in data.get("availableSlots") or ()),
            wire=data,
        )

    @property
    def first_name(self) -> str:
        return self.tutor_name.split()[0] if self.tutor_name else ""


@dataclass
class Draft:
    """The booking form in progress: the step asked, the answers, the time picked."""

    step: str
    values: dict  # field name (booking_form.FIELDS) -> value
    slot: Slot | None

    @property
    def open(self) -> bool:
        return self.step != booking_form.COMPLETE

    @classmethod
    def from_model(cls, draft: BookingDraft) -> Draft:
        values = {name: getattr(draft, name) for name in booking_form.FIELD}
        values["classes"] = list(values["classes"] or [])
        slot = Slot.from_json(draft.slot) if draft.slot else None
        return cls(step=draft.step, values=values, slot=slot)

    def schema(self) -> BookingInfoIn:
        data = {name: value for name, value in self.values.items()}
        data["classes"] = list(data.get("classes") or [])
        return BookingInfoIn.model_validate(
            {
                **data,
                "step": self.step,
                "slot": self.slot.to_json() if self.slot else None,
            }
        )


@dataclass
class Wishes:
    """Everything the student asked of a session, as the last search read it."""

    subjects: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    dates: tuple[datetime.date, ...] = ()
    week: str | None = None
    time: datetime.time | None = None
    earliest: datetime.time | None = None
    latest: datetime.time | None = None
    part_of_day: str | None = None
    mode: str | None = None
    soonest: bool = False
    tutor_ids: tuple[int, ...] = ()
    after: datetime.datetime | None = None
    before: datetime.datetime | None = None
    text: str = ""

    def wish(self) -> Wish:
        """The search as ``tutoring.ranking`` takes it."""
        return Wish(
            subjects=tuple(self.subjects),
            days=tuple(self.days),
            dates=tuple(self.dates),
            week=self.week,
            time=self.time,
            earliest=self.earliest,
            latest=self.latest,
            part_of_day=self.part_of_day,
            mode=self.mode,
            soonest=self.soonest,
            tutor_ids=tuple(self.tutor_ids),
            after=self.after,
            before=self.before,
        )

    def clear_times(self) -> None:
        """Forget every wish about the time of day (a new one replaces them all)."""
        self.time = self.earliest = self.latest = self.part_of_day = None
        self.after = self.before = None

    def criteria(self) -> SearchCriteriaIn:
        """The API's ``lastSearchCriteria``: the part of the search DESIGN.md names."""
        return SearchCriteriaIn.model_validate(
            {
                "skill": list(self.subjects),
                "day": self.days[0] if len(self.days) == 1 else None,
                "time": (self.time or self.earliest).strftime("%H:%M")
                if (self.time or self.earliest)
                else None,
                "part_of_day": self.part_of_day,
                "mode": self.mode,
                "text": self.text[:2000] or None,
            }
        )

    def to_json(self) -> dict:
        out = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, tuple):
                value = [v.isoformat() if hasattr(v, "isoformat") else v for v in value]
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            out[item.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict | None) -> Wishes:
        if not data:
            return cls()
        parse_time = lambda v: datetime.time.fromisoformat(v) if v else None  # noqa: E731
        parse_moment = lambda v: datetime.datetime.fromisoformat(v) if v else None  # noqa: E731
        return cls(
            subjects=tuple(data.get("subjects") or ()),
            days=tuple(data.get("days") or ()),
            dates=tuple(datetime.date.fromisoformat(d) for d in data.get("dates") or ()),
            week=data.get("week"),
            time=parse_time(data.get("time")),
            earliest=parse_time(data.get("earliest")),
            latest=parse_time(data.get("latest")),
            part_of_day=data.get("part_of_day"),
            mode=data.get("mode"),
            soonest=bool(data.get("soonest")),
            tutor_ids=tuple(data.get("tutor_ids") or ()),
            after=parse_moment(data.get("after")),
            before=parse_moment(data.get("before")),
            text=data.get("text") or "",
        )

    @classmethod
    def from_criteria(cls, criteria: dict | None) -> Wishes:
        """Read a ``lastSearchCriteria`` an API client wrote (no assistant notes about it)."""
        if not criteria:
            return cls()
        time = criteria.get("time")
        return cls(
            subjects=tuple(criteria.get("skill") or ()),
            days=(criteria["day"],) if criteria.get("day") else (),
            time=datetime.time.fromisoformat(time) if time else None,
            part_of_day=criteria.get("partOfDay"),
            mode=criteria.get("mode"),
            text=criteria.get("text") or "",
        )

    def same_criteria(self, criteria: dict | None) -> bool:
        """Return whether the stored ``lastSearchCriteria`` is still this search's."""
        if criteria is None:
            return False
        ours = self.criteria().model_dump(by_alias=True)
        return all(ours.get(key) == criteria.get(key) for key in ("skill", "day", "mode"))


@dataclass
class Notes:
    """``assistant_context``: what the assistant keeps between turns besides the API parts."""

    expecting: Expecting | None = None
    resume: Expecting | None = None  # what to return to after a side question
    cancel_choices: list[str] = field(default_factory=list)  # booking uids
    moving: str | None = None  # uid of the booking being rescheduled
    move_to: dict | None = None  # {"tutor": id, "start": iso} awaiting a yes
    switch_to: str = ""  # the search asked about mid-form
    wishes: dict | None = None
    skipped: list[str] = field(default_factory=list)
    reviewing: bool = False
    last_reply: str = ""
    reuse_from: str | None = None  # booking uid whose details may be reused
    pending_email: str | None = None  # college address given as the personal one
    declined: list[int] = field(default_factory=list)  # tutors passed over in this search

    @classmethod
    def from_json(cls, data: dict | None) -> Notes:
        data = dict(data or {})

        def expecting(key: str) -> Expecting | None:
            try:
                return Expecting(data.get(key)) if data.get(key) else None
            except ValueError:
                return None

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        def strings(key: str) -> list[str]:
            value = data.get(key)
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

        return cls(
            expecting=expecting("expecting"),
            resume=expecting("resumeExpecting"),
            cancel_choices=strings("cancelChoices"),
            moving=text("moving") or None,
            move_to=data.get("moveTo") if isinstance(data.get("moveTo"), dict) else None,
            switch_to=text("switchTo"),
            wishes=data.get("wishes") if isinstance(data.get("wishes"), dict) else None,
            skipped=strings("skipped"),
            reviewing=bool(data.get("reviewing")),
            last_reply=text("lastReply"),
            reuse_from=text("reuseFrom") or None,
            pending_email=text("pendingEmail") or None,
            declined=[v for v in data.get("declined") or [] if isinstance(v, int)]
            if isinstance(data.get("declined"), list)
            else [],
        )

    def to_json(self) -> dict:
        return {
            "expecting": self.expecting.value if self.expecting else None,
            "resumeExpecting": self.resume.value if self.resume else None,
            "cancelChoices": self.cancel_choices,
            "moving": self.moving,
            "moveTo": self.move_to,
            "switchTo": self.switch_to,
            "wishes": self.wishes,
            "skipped": self.skipped,
            "reviewing": self.reviewing,
            "lastReply": self.last_reply,
            "reuseFrom": self.reuse_from,
            "pendingEmail": self.pending_email,
            "declined": self.declined,
        }


class Conversation:
    """The session's state for one turn: read once, changed through these setters only."""

    def __init__(self, write: SessionWrite) -> None:
        self.write = write
        self.session = write.session
        matches = state.session_matches(self.session)
        self.inactive_tutors = {m.tutor_id for m in matches if not m.tutor.is_active}
        pending = state.pending_match_json(matches)
        self.offer: Offer | None = Offer.from_json(pending) if pending else None
        self.shown: list[Offer] = [Offer.from_json(m) for m in state.available_tutors_json(matches)]
        model = state.session_booking_draft(self.session)
        self.draft: Draft | None = Draft.from_model(model) if model is not None else None
        self.notes = Notes.from_json(self.session.assistant_context)
        criteria = state.search_criteria_json(state.session_search_criteria(self.session))
        stored = Wishes.from_json(self.notes.wishes)
        # An API client may have written lastSearchCriteria itself: then it is the search.
        self.wishes = stored if stored.same_criteria(criteria) else Wishes.from_criteria(criteria)
        self.has_search = criteria is not None

    # --- setters (each writes through the session's writer) ------------------------------------

    def set_offer(self, offer: Offer | None, shown: list[Offer] | None = None) -> None:
        if (offer.wire if offer else None) != (self.offer.wire if self.offer else None):
            self.write.set_pending_match(Match.model_validate(offer.wire) if offer else None)
        self.offer = offer
        if shown is not None:
            if [o.wire for o in shown] != [o.wire for o in self.shown]:
                self.write.set_available_tutors([Match.model_validate(o.wire) for o in shown])
            self.shown = shown

    def set_wishes(self, wishes: Wishes | None, *, keep_declined: bool = False) -> None:
        if not keep_declined:
            self.notes.declined = []  # a new search may offer anyone again
        self.wishes = wishes or Wishes()
        self.has_search = wishes is not None
        self.write.set_search_criteria(wishes.criteria() if wishes else None)
        self.notes.wishes = wishes.to_json() if wishes else None

    def set_draft(self, draft: Draft | None) -> None:
        self.draft = draft
        self.write.set_booking_info(draft.schema() if draft else None)
        if draft is None:
            self.notes.skipped = []
            self.notes.reviewing = False

    def save_notes(self) -> None:
        self.write.set_assistant_context(self.notes.to_json())

    @property
    def form_open(self) -> bool:
        return self.draft is not None and self.draft.open
