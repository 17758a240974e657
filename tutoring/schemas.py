"""What every JSON input of the API shares, and the shapes of what the API answers.

``InputModel`` is the base of every request body (here and in ``chat.schemas``): unknown keys
are refused, nothing is coerced, and no text may hold a character a database cannot store.
The output models only document responses in the OpenAPI schema (the views build their JSON
themselves); ``tests/test_api_properties.py`` checks that real answers match them.
"""

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

# Neither database can store these: PostgreSQL refuses NUL in text and in jsonb, and a lone
# surrogate (which JSON's "\ud800" escape can produce) cannot be encoded as UTF-8 at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Integers that reach the database fit a signed 64-bit column (SQLite's INTEGER, bigint).
MAX_ID = 2**63 - 1
# Message numbers are PositiveIntegerField.
MAX_SEQ = 2**31 - 1


def unstorable_character(value: str) -> str | None:
    """Return why ``value`` cannot be stored ("the NUL character (U+0000)"), or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "the NUL character (U+0000)"
    return f"a lone surrogate (U+{ord(found.group()):04X})"


def _check_storable(value: Any, *, item: int | None = None) -> None:
    if isinstance(value, str):
        problem = unstorable_character(value)
        if problem is not None:
            where = "" if item is None else f" (item {item})"
            raise PydanticCustomError(
                "unstorable_text",
                "must not contain {problem}{where}",
                {"problem": problem, "where": where},
            )
    elif isinstance(value, (list, tuple)):
        for number, element in enumerate(value, start=1):
            _check_storable(element, item=number)


class InputModel(BaseModel):
    """A request body: strict, camelCase on the wire, unknown keys refused, text storable."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, populate_by_name=True
    )

    # Every field of every subclass, once: nested models check their own fields.
    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        _check_storable(value)
        return value


# --- responses ------------------------------------------------------------------------------


class OutputModel(BaseModel):
    """A documented response body; ``extra="forbid"`` so an undocumented key shows in tests."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class ErrorDetail(OutputModel):
    field: str = Field(description="Dotted path of the field, empty for the whole request")
    problem: str


class ErrorOut(OutputModel):
    """Every error: {"error": code, "message": text}, with details when input was invalid."""

    error: str = Field(description="A stable code, e.g. invalid, not_found, version_mismatch")
    message: str = Field(description="What went wrong, for a person")
    details: list[ErrorDetail] | None = Field(
        default=None, description="Present for 400 invalid: one entry per refused field"
    )


class TutorOut(OutputModel):
    id: int
    name: str
    pronouns: str
    bio: str
    skills: list[str]


class SlotOut(OutputModel):
    day: str = Field(description="English weekday")
    time: str = Field(description="HH:MM-HH:MM, 24-hour")
    mode: str = Field(description='"online" or "on campus"')
    start: str = Field(description="ISO 8601 with offset")


class MatchOut(OutputModel):
    tutor: TutorOut
    match_score: float
    reasoning: str
    available_slots: list[SlotOut]


class WeeklyHoursOut(OutputModel):
    day: str
    start: str
    end: str
    mode: str


class DirectoryTutorOut(TutorOut):
    availability: list[WeeklyHoursOut]


class TutorListOut(OutputModel):
    tutors: list[DirectoryTutorOut]


class MatchResultOut(OutputModel):
    matches: list[MatchOut]
    unmet: list[str] = Field(description="Wishes no offer meets: subjects, day, time, mode…")
    explanation: str


def errors(*statuses: int, body: bool = False) -> dict[int, type[ErrorOut]]:
    """Return ninja ``response`` entries documenting ``statuses`` as the JSON error body.

    Every route can also answer 400 (a host name not served, or invalid input) and 503 (the
    database is unavailable, with ``Retry-After``); a route that takes a ``body`` also 413
    (larger than the limit) and 415 (not JSON), from the middleware.
    """
    always = {400, 503} | ({413, 415} if body else set())
    return {status: ErrorOut for status in sorted({*statuses, *always})}
