"""The tutor directory and matching, as JSON (``GET /api/tutors``, ``POST /api/match``).

A ninja ``Router`` that the project's API mounts. Errors are raised as ninja ``HttpError``
(or fail schema validation); the API's handlers turn both into ``{"error", "message"}``.
Views answer JSON themselves; the ``response`` schemas document it (tutoring.schemas).
"""

import datetime
import re
from typing import Annotated, Literal

from django.db.models.functions import Lower
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from pydantic import Field, field_validator

from tutoring.models import Mode, PartOfDay, Subject, Tutor, Weekday
from tutoring.ranking import Wish, tutor_json, tutors_match
from tutoring.ratelimits import RateLimited, match_wait
from tutoring.schemas import (
    MAX_ID,
    DirectoryTutorOut,
    InputModel,
    MatchResultOut,
    TutorListOut,
    errors,
)

router = Router(tags=["tutors"], by_alias=True)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class MatchIn(InputModel):
    """What the student wishes; every key is optional, unknown keys are refused."""

    skill: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    day: Literal[tuple(Weekday.values)] | None = None  # type: ignore[valid-type]
    date: str | None = None
    time: str | None = None
    part_of_day: Literal[tuple(PartOfDay.values)] | None = None  # type: ignore[valid-type]
    mode: Literal[tuple(Mode.values)] | None = None  # type: ignore[valid-type]

    @field_validator("date")
    @classmethod
    def _is_a_date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError
            datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a date as YYYY-MM-DD") from None
        return value

    @field_validator("time")
    @classmethod
    def _is_a_time(cls, value: str | None) -> str | None:
        if value is not None and not _HH_MM.match(value):
            raise ValueError("must be a 24-hour time as HH:MM")
        return value


def _active_tutors():
    return Tutor.objects.filter(is_active=True).prefetch_related("subjects", "availability")


def _directory_json(tutor: Tutor) -> dict:
    # Rooms and meeting links stay out of the public directory: a booking's email has them.
    return {
        **tutor_json(tutor),
        "availability": [
            {
                "day": slot.day,
                "start": f"{slot.start:%H:%M}",
                "end": f"{slot.end:%H:%M}",
                "mode": slot.mode,
            }
            for slot in sorted(tutor.availability.all(), key=lambda s: (s.weekday, s.start))
        ],
    }


@router.get(
    "/tutors",
    response={200: TutorListOut, **errors()},
    summary="Active tutors with their subjects and weekly availability",
)
def list_tutors(request: HttpRequest) -> JsonResponse:
    tutors = [_directory_json(tutor) for tutor in _active_tutors().order_by("name")]
    return JsonResponse({"tutors": tutors})


@router.get(
    "/tutors/{int:tutor_id}",
    response={200: DirectoryTutorOut, **errors(404)},
    summary="One active tutor",
)
def get_tutor(request: HttpRequest, tutor_id: int) -> JsonResponse:
    # An id no column can hold names no tutor: the same 404 as any unknown id.
    tutor = _active_tutors().filter(pk=tutor_id).first() if tutor_id <= MAX_ID else None
    if tutor is None:
        raise HttpError(404, _("There is no tutor with that id."))
    return JsonResponse(_directory_json(tutor))


@router.post(
    "/match",
    response={200: MatchResultOut, **errors(429, body=True)},
    summary="Tutors and free sessions that fit a wish, best first",
)
def match(request: HttpRequest, wish: MatchIn) -> JsonResponse:
    wait = match_wait(request)
    if wait is not None:
        raise RateLimited(
            wait,
            _("Too many searches from this address; try again in %(seconds)s seconds.")
            % {"seconds": wait},
        )
    return JsonResponse(tutors_match(_wish(wish)).as_json())


def _wish(given: MatchIn) -> Wish:
    """Return the ``Wish`` for validated input; 400 when a subject name is unknown."""
    wanted = {name.strip().lower(): name.strip() for name in given.skill}
    spelled = dict(
        Subject.objects.annotate(lower=Lower("name"))
        .filter(lower__in=list(wanted))
        .values_list("lower", "name")
    )
    unknown = [name for key, name in wanted.items() if key not in spelled]
    if unknown:
        raise HttpError(
            400,
            _("Unknown subject: %(names)s. GET /api/tutors lists the subjects tutors teach.")
            % {"names": ", ".join(unknown)},
        )
    return Wish(
        subjects=tuple(spelled[key] for key in wanted),
        day=given.day,
        on_date=datetime.date.fromisoformat(given.date) if given.date else None,
        time=datetime.time.fromisoformat(given.time) if given.time else None,
        part_of_day=given.part_of_day,
        mode=given.mode,
    )
