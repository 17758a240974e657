"""Questions about the roster, answered from data: what the center covers and who teaches it.

"What subjects do you have?", "who teaches java?", "what times does Maya have?" and "we
don't tutor chemistry; the closest we have is …". Read-only; every function runs a constant
number of queries, however many tutors there are.

``closest_subjects`` uses rapidfuzz (WRatio: the best of whole-string, partial and
token-set ratios) rather than difflib: it scores "calc" against "Calculus" and "data struct"
against "Data Structures" as close, where difflib's ratio punishes the length difference.
"""

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from rapidfuzz import fuzz, process, utils

from tutoring.courses import normalise_course_code
from tutoring.models import Course, Subject, Tutor
from tutoring.ranking import TutorMatch
from tutoring.slots import OfferedSlot, upcoming_slots
from tutoring.wording import directory_reasoning

# "Who teaches X" shows each tutor's next few times, enough to choose without a long list.
WHO_TEACHES_SLOTS = 3


def _active_tutors():
    return Tutor.objects.filter(is_active=True)


def subjects_covered() -> list[str]:
    """Return the subjects at least one active tutor teaches, by name."""
    return list(
        Subject.objects.filter(tutors__is_active=True)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )


def courses_covered() -> list[str]:
    """Return the course codes whose subject at least one active tutor teaches, in order."""
    return list(
        Course.objects.filter(subject__tutors__is_active=True)
        .distinct()
        .order_by("code")
        .values_list("code", flat=True)
    )


def _matches(tutors: list[Tutor], *, now: datetime.datetime, per_tutor: int) -> list[TutorMatch]:
    free = upcoming_slots(tutors=tutors, now=now)
    rows: list[tuple[tuple, TutorMatch]] = []
    for tutor in tutors:
        slots: tuple[OfferedSlot, ...] = tuple(free[tutor.pk][:per_tutor])
        match = TutorMatch(
            tutor=tutor,
            score=1.0 if slots else 0.0,
            reasoning=directory_reasoning(tutor, slots),
            slots=slots,
        )
        # Soonest free first; tutors with no open time last, by name.
        soonest = slots[0].start.astimezone(datetime.UTC) if slots else None
        rows.append(((soonest is None, soonest or now, tutor.name, tutor.pk), match))
    rows.sort(key=lambda row: row[0])
    return [match for _key, match in rows]


def _prefetched(tutors):
    return tutors.prefetch_related(
        Prefetch("subjects", queryset=Subject.objects.order_by("name")), "availability"
    ).order_by("name", "pk")


def who_teaches(
    subject: str | None = None,
    course: str | None = None,
    *,
    now: datetime.datetime | None = None,
) -> list[TutorMatch]:
    """Return every active tutor of ``subject`` (name, any case) or ``course`` ("cs 111b"),
    each with their next open times (WHO_TEACHES_SLOTS), soonest free first.

    A tutor with no open time in the bookable window is listed last with no slots: the
    student still learns who teaches it. An unknown subject or course gives []. With
    neither, every active tutor. Five queries at most.
    """
    now = now or timezone.now()
    tutors = _active_tutors()
    if course is not None:
        code = normalise_course_code(course)
        subject_ids = Course.objects.filter(code=code).values("subject_id")
        tutors = tutors.filter(subjects__in=subject_ids)
    if subject is not None:
        tutors = tutors.filter(subjects__name__iexact=subject)
    found = list(_prefetched(tutors.distinct()))
    return _matches(found, now=now, per_tutor=WHO_TEACHES_SLOTS)


def tutor_times(
    tutor_id: int, now: datetime.datetime | None = None, limit: int = 5
) -> TutorMatch | None:
    """Return an active tutor with their next ``limit`` open times; None if there is none."""
    now = now or timezone.now()
    tutor = _prefetched(_active_tutors().filter(pk=tutor_id)).first()
    if tutor is None:
        return None
    return _matches([tutor], now=now, per_tutor=limit)[0]


def closest_subjects(word: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` covered subjects closest to ``word`` ("chemistry", "calc"),
    closest first. Subject aliases count ("py" finds Python). Two queries.
    """
    covered = set(subjects_covered())
    choices: list[tuple[str, str]] = []
    for name, aliases in Subject.objects.filter(name__in=covered).values_list("name", "aliases"):
        choices.append((name, name))
        choices.extend((str(alias), name) for alias in aliases or ())
    if not word or not choices:
        return []
    scored = process.extract(
        word,
        [text for text, _name in choices],
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=None,
    )
    closest: list[str] = []
    for _text, _score, index in scored:
        name = choices[index][1]
        if name not in closest:
            closest.append(name)
        if len(closest) == limit:
            break
    return closest
