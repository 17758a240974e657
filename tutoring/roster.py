"""Import the tutor roster (subjects, courses, tutors, weekly availability) from JSON.

The format (DESIGN.md, "The tutor roster")::

    {"subjects": [{"name": "Python", "aliases": ["py"], "courses": ["CS 110A"]}],
     "tutors": [{"name": "Maya Okafor", "pronouns": "she/her", "email": "maya@example.edu",
                 "bio": "…", "subjects": ["Python"], "active": true,
                 "availability": [{"day": "Monday", "start": "09:30", "end": "11:30",
                                   "mode": "on campus", "location": "Room 204"}]}]}

Required: ``subjects[].name``, ``tutors[].name`` and ``tutors[].email``, and for each slot
``day``, ``start``, ``end`` and ``mode``; every other key is optional, and any key not shown
above is an error (a typo must not be silently ignored).

The whole file is checked before anything is written, then written in one transaction:
all or nothing. The import is idempotent: subjects are keyed by name, courses by code, tutors
by lower-cased email, a tutor's slots by day and start; a row changes only when the file
says something different, so importing the same file twice changes no row. It never deletes
subjects, courses or tutors that the file does not mention; a listed tutor's subjects and
weekly availability become exactly what the file lists.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from tutoring.courses import normalise_course_code
from tutoring.models import (
    WEEKDAY_NAMES,
    AvailabilitySlot,
    Course,
    Mode,
    Subject,
    Tutor,
)

_ROSTER_KEYS = {"subjects", "tutors"}
_SUBJECT_KEYS = {"name", "aliases", "courses"}
_TUTOR_KEYS = {"name", "pronouns", "email", "bio", "subjects", "availability", "active"}
_SLOT_KEYS = {"day", "start", "end", "mode", "location"}
_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# Beyond this many problems the rest is noise: the first ones say what to fix.
_MAX_PROBLEMS = 20


class RosterError(Exception):
    """The roster cannot be imported; the message names every entry and field at fault."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        """Return how many rows the file describes (removed ones are no longer there)."""
        return self.created + self.updated + self.unchanged


@dataclass
class RosterSummary:
    subjects: Counts = field(default_factory=Counts)
    courses: Counts = field(default_factory=Counts)
    tutors: Counts = field(default_factory=Counts)
    slots: Counts = field(default_factory=Counts)

    def _sum(self, name: str) -> int:
        return sum(getattr(c, name) for c in (self.subjects, self.courses, self.tutors, self.slots))

    @property
    def created(self) -> int:
        return self._sum("created")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def removed(self) -> int:
        return self._sum("removed")

    def __str__(self) -> str:
        return (
            f"{self.tutors.total} tutors, {self.subjects.total} subjects, "
            f"{self.courses.total} courses, {self.slots.total} weekly slots "
            f"({self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed)"
        )


# --- The checked plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class _SlotPlan:
    weekday: int
    start: time
    end: time
    mode: str
    location: str


@dataclass(frozen=True)
class _TutorPlan:
    name: str
    pronouns: str
    email: str
    bio: str
    is_active: bool
    subjects: tuple[str, ...]
    slots: tuple[_SlotPlan, ...]


@dataclass(frozen=True)
class _SubjectPlan:
    name: str
    aliases: tuple[str, ...]
    courses: tuple[str, ...]


class _Checker:
    """Collect every problem of a roster, each naming the entry and the field."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        # Counts past the cap on listed problems, so "did this entry fail?" stays true.
        self.failures = 0

    def fail(self, where: str, problem: str) -> None:
        self.failures += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(f"{where}: {problem}")

    def keys(self, where: str, entry: dict, allowed: set[str], required: set[str]) -> None:
        for key in sorted(set(entry) - allowed):
            self.fail(where, f'unknown key "{key}" (allowed: {", ".join(sorted(allowed))})')
        for key in sorted(required - set(entry)):
            self.fail(where, f'"{key}" is missing')

    def text(
        self, where: str, entry: dict, key: str, *, max_length: int, required: bool = False
    ) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            self.fail(where, f'"{key}" must be a string')
            return ""
        value = value.strip()
        if required and not value and key in entry:
            self.fail(where, f'"{key}" must not be empty')
        if len(value) > max_length:
            self.fail(where, f'"{key}" is longer than {max_length} characters')
        return value

    def strings(self, where: str, entry: dict, key: str) -> list[str]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f'"{key}" must be a list of strings')
            return []
        return [v.strip() for v in value]


def _check(data: Any) -> tuple[list[_SubjectPlan], list[_TutorPlan]]:
    check = _Checker()
    if not isinstance(data, dict):
        raise RosterError(['the roster must be an object with "subjects" and "tutors" lists'])
    check.keys("roster", data, _ROSTER_KEYS, _ROSTER_KEYS)
    raw_subjects = data.get("subjects", [])
    raw_tutors = data.get("tutors", [])
    for key, value in (("subjects", raw_subjects), ("tutors", raw_tutors)):
        if not isinstance(value, list):
            check.fail("roster", f'"{key}" must be a list')
    if check.problems:
        raise RosterError(check.problems)

    subjects = _check_subjects(check, raw_subjects)
    known = {plan.name for plan in subjects}
    tutors = _check_tutors(check, raw_tutors, known)
    if check.problems:
        raise RosterError(check.problems)
    return subjects, tutors


def _check_subjects(check: _Checker, raw: list) -> list[_SubjectPlan]:
    plans = []
    seen_names: dict[str, int] = {}
    seen_aliases: dict[str, str] = {}
    seen_courses: dict[str, str] = {}
    for index, entry in enumerate(raw):
        where = f"subjects[{index}]"
        if not isinstance(entry, dict):
            check.fail(where, "must be an object")
            continue
        name = check.text(where, entry, "name", required=True, max_length=100)
        if name:
            where = f"{where} ({name})"
        check.keys(where, entry, _SUBJECT_KEYS, {"name"})
        if name and name in seen_names:
            check.fail(where, f'"name" repeats subjects[{seen_names[name]}]')
        seen_names.setdefault(name, index)
        aliases = []
        for alias in check.strings(where, entry, "aliases"):
            alias = alias.lower()
            if not alias:
                check.fail(where, '"aliases" has an empty entry')
            elif alias in seen_aliases and seen_aliases[alias] != name:
                check.fail(where, f'alias "{alias}" is also an alias of {seen_aliases[alias]}')
            elif alias not in aliases:
                seen_aliases[alias] = name
                aliases.append(alias)
        courses = []
        for number, raw_code in enumerate(check.strings(where, entry, "courses")):
            code = normalise_course_code(raw_code)
            if code is None:
                check.fail(where, f'courses[{number}] "{raw_code}" is not a course code (CS 110A)')
            elif code in seen_courses:
                check.fail(where, f"course {code} is also listed under {seen_courses[code]}")
            else:
                seen_courses[code] = name
                courses.append(code)
        plans.append(_SubjectPlan(name=name, aliases=tuple(aliases), courses=tuple(courses)))
    return plans


def _check_tutors(check: _Checker, raw: list, known_subjects: set[str]) -> list[_TutorPlan]:
    plans = []
    seen_emails: dict[str, int] = {}
    for index, entry in enumerate(raw):
        where = f"tutors[{index}]"
        if not isinstance(entry, dict):
            check.fail(where, "must be an object")
            continue
        name = check.text(where, entry, "name", required=True, max_length=200)
        if name:
            where = f"{where} ({name})"
        check.keys(where, entry, _TUTOR_KEYS, {"name", "email"})
        email = check.text(where, entry, "email", required=True, max_length=254).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                check.fail(where, f'email "{email}" is not an email address')
            if email in seen_emails:
                check.fail(where, f"email {email} is also used by tutors[{seen_emails[email]}]")
            seen_emails.setdefault(email, index)
        active = entry.get("active", True)
        if not isinstance(active, bool):
            check.fail(where, '"active" must be true or false')
        subjects = check.strings(where, entry, "subjects")
        unknown = [s for s in subjects if s not in known_subjects]
        if unknown:
            check.fail(where, f'subjects has names missing from "subjects": {", ".join(unknown)}')
        plans.append(
            _TutorPlan(
                name=name,
                pronouns=check.text(where, entry, "pronouns", max_length=50),
                email=email,
                bio=check.text(where, entry, "bio", max_length=5000),
                is_active=active is True,
                subjects=tuple(dict.fromkeys(subjects)),
                slots=_check_slots(check, where, entry.get("availability", [])),
            )
        )
    return plans


def _check_slots(check: _Checker, where: str, raw: Any) -> tuple[_SlotPlan, ...]:
    if not isinstance(raw, list):
        check.fail(where, '"availability" must be a list')
        return ()
    session = settings.TUTORING_SESSION_MINUTES
    plans: list[tuple[int, _SlotPlan]] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            check.fail(where, f"availability[{index}] must be an object")
            continue
        failures_before = check.failures
        for key in sorted(set(entry) - _SLOT_KEYS):
            check.fail(where, f'availability[{index}] has unknown key "{key}"')
        for key in ("day", "start", "end", "mode"):
            if key not in entry:
                check.fail(where, f"availability[{index}].{key} is missing")
        day = entry.get("day")
        if "day" in entry and day not in WEEKDAY_NAMES:
            check.fail(where, f'availability[{index}].day "{day}" is not one of Monday…Sunday')
        mode = entry.get("mode")
        if "mode" in entry and mode not in Mode.values:
            check.fail(where, f'availability[{index}].mode "{mode}" is not "online" or "on campus"')
        start = _time(check, where, index, entry, "start")
        end = _time(check, where, index, entry, "end")
        location = entry.get("location", "")
        if not isinstance(location, str) or len(location.strip()) > 300:
            check.fail(
                where, f"availability[{index}].location must be text of 300 characters at most"
            )
        if start is not None and end is not None:
            length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            if length <= 0:
                check.fail(
                    where,
                    f"availability[{index}] starts at {start:%H:%M}, not before its end "
                    f"{end:%H:%M}",
                )
            elif length < session:
                check.fail(
                    where,
                    f"availability[{index}] is shorter than one {session}-minute session",
                )
        if check.failures == failures_before:
            slot = _SlotPlan(WEEKDAY_NAMES.index(day), start, end, mode, location.strip())
            plans.append((index, slot))
    _check_overlaps(check, where, plans)
    return tuple(slot for _, slot in plans)


def _time(check: _Checker, where: str, index: int, entry: dict, key: str) -> time | None:
    if key not in entry:
        return None
    value = entry[key]
    found = _HH_MM.match(value) if isinstance(value, str) else None
    if found is None:
        check.fail(where, f'availability[{index}].{key} "{value}" is not a time (HH:MM)')
        return None
    return time(int(found.group(1)), int(found.group(2)))


def _check_overlaps(check: _Checker, where: str, plans: list[tuple[int, _SlotPlan]]) -> None:
    ordered = sorted(plans, key=lambda item: (item[1].weekday, item[1].start))
    for (first, a), (second, b) in zip(ordered, ordered[1:], strict=False):
        if a.weekday == b.weekday and b.start < a.end:
            check.fail(where, f"availability[{second}] overlaps availability[{first}]")


# --- Writing ----------------------------------------------------------------------------------


def roster_import(data: dict) -> RosterSummary:
    """Check the roster, then create or update what differs, all in one transaction.

    Raise ``RosterError`` (nothing written) when anything in ``data`` is wrong.
    """
    subject_plans, tutor_plans = _check(data)
    summary = RosterSummary()
    with transaction.atomic():
        subjects = _write_subjects(subject_plans, summary)
        _write_courses(subject_plans, subjects, summary)
        _write_tutors(tutor_plans, subjects, summary)
    return summary


def _write_subjects(plans: list[_SubjectPlan], summary: RosterSummary) -> dict[str, Subject]:
    existing = {s.name: s for s in Subject.objects.filter(name__in=[p.name for p in plans])}
    for plan in plans:
        subject = existing.get(plan.name)
        if subject is None:
            existing[plan.name] = Subject.objects.create(name=plan.name, aliases=list(plan.aliases))
            summary.subjects.created += 1
        elif subject.aliases != list(plan.aliases):
            subject.aliases = list(plan.aliases)
            subject.save(update_fields=["aliases"])
            summary.subjects.updated += 1
        else:
            summary.subjects.unchanged += 1
    return existing


def _write_courses(
    plans: list[_SubjectPlan], subjects: dict[str, Subject], summary: RosterSummary
) -> None:
    wanted = {code: subjects[plan.name] for plan in plans for code in plan.courses}
    existing = {c.code: c for c in Course.objects.filter(code__in=wanted)}
    for code, subject in wanted.items():
        course = existing.get(code)
        if course is None:
            Course.objects.create(code=code, subject=subject)
            summary.courses.created += 1
        elif course.subject_id != subject.pk:
            course.subject = subject
            course.save(update_fields=["subject"])
            summary.courses.updated += 1
        else:
            summary.courses.unchanged += 1


def _write_tutors(
    plans: list[_TutorPlan], subjects: dict[str, Subject], summary: RosterSummary
) -> None:
    # Stored emails may differ in case from the file's lower-cased ones: match on lower().
    existing = {
        t.email_lower: t
        for t in Tutor.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[p.email for p in plans])
        .prefetch_related("subjects", "availability")
    }
    for plan in plans:
        wanted_subjects = {subjects[name].pk for name in plan.subjects}
        fields = {
            "name": plan.name,
            "pronouns": plan.pronouns,
            "email": plan.email,
            "bio": plan.bio,
            "is_active": plan.is_active,
        }
        tutor = existing.get(plan.email)
        if tutor is None:
            tutor = Tutor.objects.create(**fields)
            tutor.subjects.set(wanted_subjects)
            summary.tutors.created += 1
            _write_slots(tutor, [], plan.slots, summary.slots)
            continue
        changed = [key for key, value in fields.items() if getattr(tutor, key) != value]
        if changed:
            for key in changed:
                setattr(tutor, key, fields[key])
            tutor.save(update_fields=changed)
        current_subjects = {s.pk for s in tutor.subjects.all()}
        if current_subjects != wanted_subjects:
            tutor.subjects.set(wanted_subjects)
        if changed or current_subjects != wanted_subjects:
            summary.tutors.updated += 1
        else:
            summary.tutors.unchanged += 1
        _write_slots(tutor, list(tutor.availability.all()), plan.slots, summary.slots)


def _write_slots(
    tutor: Tutor, current: list[AvailabilitySlot], plans: tuple[_SlotPlan, ...], counts: Counts
) -> None:
    """Make the tutor's weekly slots equal ``plans``, touching only the rows that differ."""
    by_key = {(slot.weekday, slot.start): slot for slot in current}
    wanted_keys = {(plan.weekday, plan.start) for plan in plans}
    stale = [slot.pk for key, slot in by_key.items() if key not in wanted_keys]
    if stale:
        # Delete first: a shortened slot may otherwise overlap a new one for a moment.
        AvailabilitySlot.objects.filter(pk__in=stale).delete()
        counts.removed += len(stale)
    new = []
    for plan in plans:
        slot = by_key.get((plan.weekday, plan.start))
        if slot is None:
            new.append(AvailabilitySlot(tutor=tutor, **asdict(plan)))
            continue
        changed = [
            key for key in ("end", "mode", "location") if getattr(slot, key) != getattr(plan, key)
        ]
        if changed:
            for key in changed:
                setattr(slot, key, getattr(plan, key))
            slot.save(update_fields=changed)
            counts.updated += 1
        else:
            counts.unchanged += 1
    if new:
        AvailabilitySlot.objects.bulk_create(new)
        counts.created += len(new)
