"""Validated shapes of a session's state parts and of message input.

These are the contract of DESIGN.md ("Shapes of the state parts"), in camelCase on the
wire. Every input model forbids unknown keys, coerces nothing (a number sent as a string is
an error, not a guess) and refuses text a database cannot store (``tutoring.schemas``). The
store accepts only these validated objects.
"""

import re
from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from pydantic import Field, field_validator, model_validator

from chat.models import BookingDraft, Mode, PartOfDay, Weekday
from tutoring import answers
from tutoring.models import normalise_course_code
from tutoring.schemas import MAX_ID, InputModel

WeekdayName = Literal[tuple(Weekday.values)]  # type: ignore[valid-type]
ModeName = Literal[tuple(Mode.values)]  # type: ignore[valid-type]
PartOfDayName = Literal[tuple(PartOfDay.values)]  # type: ignore[valid-type]
StepName = Literal[tuple(BookingDraft.Step.values)]  # type: ignore[valid-type]

_HHMM = r"(?:[01]\d|2[0-3]):[0-5]\d"
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]


class TutorRef(InputModel):
    """A tutor as the state shows one; only ``id`` is trusted, the rest is re-read."""

    id: int = Field(ge=1, le=MAX_ID)
    name: ShortText | None = None
    pronouns: ShortText | None = None
    bio: LongText | None = None
    skills: list[ShortText] | None = Field(default=None, max_length=50)


class Slot(InputModel):
    day: WeekdayName
    time: Annotated[str, Field(pattern=rf"^{_HHMM}-{_HHMM}$")]
    mode: ModeName
    # Required: a slot is booked by its start, and every slot the assistant offers has one.
    start: str

    @field_validator("time")
    @classmethod
    def _ends_after_it_starts(cls, value: str) -> str:
        begin, end = value.split("-")
        if end <= begin:
            raise ValueError("must end after it starts")
        return value

    @field_validator("start")
    @classmethod
    def _is_aware_iso_datetime(cls, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 date and time") from None
        if parsed.utcoffset() is None:
            raise ValueError("must include a UTC offset")
        if not datetime.min.year < parsed.year < datetime.max.year:
            # One year of margin: the slot's end and its UTC time must still be dates.
            raise ValueError("must be a date between the years 2 and 9998")
        return parsed.isoformat()


class Match(InputModel):
    """``pendingMatch`` and each item of ``availableTutorsList``."""

    tutor: TutorRef
    match_score: float = Field(ge=0, le=1)
    reasoning: LongText = ""
    available_slots: list[Slot] = Field(default_factory=list, max_length=50)


class SearchCriteriaIn(InputModel):
    """``lastSearchCriteria``; a missing key means unknown."""

    skill: list[ShortText] | None = Field(default=None, max_length=20)
    day: WeekdayName | None = None
    time: Annotated[str, Field(pattern=rf"^{_HHMM}$")] | None = None
    part_of_day: PartOfDayName | None = None
    mode: ModeName | None = None
    text: LongText | None = None


class BookingInfoIn(InputModel):
    """``bookingInfo``: the booking form in progress."""

    step: StepName
    student_name: ShortText | None = None
    student_email: ShortText | None = None
    # "ccsfEmail" on the wire (DESIGN.md); one name, college_email, everywhere else.
    college_email: ShortText | None = Field(default=None, alias="ccsfEmail")
    student_id: ShortText | None = None
    allow_other_students: bool | None = None
    classes: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=20)
    specific_help: LongText | None = None
    additional_notes: LongText | None = None
    slot: Slot | None = None

    # The same checks as the booking form and booking_create (tutoring.answers), so a client
    # hears about a bad answer when it writes it, not only when the booking is made.
    @field_validator("student_name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else answers.clean_student_name(value)

    @field_validator("student_email")
    @classmethod
    def _personal_email(cls, value: str | None) -> str | None:
        return None if value is None else answers.clean_email(value)

    @field_validator("college_email")
    @classmethod
    def _college_email(cls, value: str | None) -> str | None:
        return None if value is None else answers.clean_college_email(value)

    @field_validator("student_id")
    @classmethod
    def _student_id(cls, value: str | None) -> str | None:
        return answers.clean_student_id(value)

    @field_validator("classes")
    @classmethod
    def _course_codes(cls, value: list[str]) -> list[str]:
        codes = [normalise_course_code(code) for code in value]
        if None in codes:
            raise ValueError("give course codes like CS 110A")
        return list(dict.fromkeys(codes))

    @field_validator("specific_help", "additional_notes")
    @classmethod
    def _free_text(cls, value: str | None, info) -> str | None:
        return answers.clean_help_text(value, field=info.field_name, required=False)


class MessageIn(InputModel):
    role: Literal["user", "assistant"]
    content: str
    tutor_match: Match | None = None
    client_id: (
        Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")] | None
    ) = None

    @field_validator("content")
    @classmethod
    def _content_fits(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        limit = settings.CHAT_MAX_MESSAGE_CHARS
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value


class StatePatch(InputModel):
    """``PATCH`` body: any of the four state parts; a key given as null clears that part."""

    pending_match: Match | None = None
    last_search_criteria: SearchCriteriaIn | None = None
    available_tutors_list: list[Match] | None = Field(default=None, max_length=20)
    booking_info: BookingInfoIn | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> "StatePatch":
        if not self.model_fields_set:
            raise ValueError("name at least one of the state parts to change")
        return self


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
