"""Questions about the roster answered from data (tutoring.directory).

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific: the first bookable start is
11:00 AM that day.
"""

import pytest

from tests.tutors import book, local, make_tutor
from tutoring.directory import (
    closest_subjects,
    courses_covered,
    subjects_covered,
    tutor_times,
    who_teaches,
)
from tutoring.models import Course, Subject, Tutor

pytestmark = pytest.mark.django_db


def names(matches) -> list[str]:
    return [match.tutor.name for match in matches]


def test_the_subjects_covered_are_those_an_active_tutor_teaches(
    frozen_clock, ada_weekly, ben_weekly
):
    Subject.objects.create(name="Cobol")
    Tutor.objects.filter(pk=ben_weekly.pk).update(is_active=False)

    assert subjects_covered() == ["C++", "Python"]


def test_the_courses_covered_are_those_of_a_covered_subject(frozen_clock, ada_weekly):
    python = Subject.objects.get(name="Python")
    Course.objects.create(code="CS 131B", subject=python)
    Course.objects.create(code="CS 110A", subject=python)
    Course.objects.create(code="COBOL 1", subject=Subject.objects.create(name="Cobol"))

    assert courses_covered() == ["CS 110A", "CS 131B"]


def test_who_teaches_a_subject_lists_every_tutor_with_their_next_three_times(
    frozen_clock, ada_weekly, ben_weekly
):
    make_tutor("Cy Moss", ["Python"], ("Thursday", "10:00", "12:00", "online", ""))

    matches = who_teaches("python", now=frozen_clock)

    assert names(matches) == ["Ada Lin", "Cy Moss"]
    assert [slot.start for slot in matches[0].slots] == [
        local(12, 2, 11),
        local(12, 2, 11, 30),
        local(12, 2, 14),
    ]
    assert matches[1].slots[0].start == local(12, 3, 10)
    assert matches[0].reasoning == (
        "Teaches C++ and Python; next free Wednesday Dec 2 at 11:00 AM, online."
    )


def test_who_teaches_a_course_finds_the_tutors_of_its_subject(frozen_clock, ada_weekly):
    Course.objects.create(code="CS 110A", subject=Subject.objects.get(name="Python"))

    assert names(who_teaches(course="cs-110a", now=frozen_clock)) == ["Ada Lin"]
    assert who_teaches(course="CS 999", now=frozen_clock) == []
    assert who_teaches("Chemistry", now=frozen_clock) == []


def test_a_fully_booked_tutor_is_still_listed_last_without_times(
    frozen_clock, ada_weekly, ben_weekly
):
    ben_weekly.subjects.add(Subject.objects.get(name="Python"))
    for slot in tutor_times(ben_weekly.pk, now=frozen_clock, limit=100).slots:
        book(ben_weekly, slot.start)

    matches = who_teaches("Python", now=frozen_clock)

    assert names(matches) == ["Ada Lin", "Ben Ortiz"]
    assert matches[1].slots == ()
    assert "no open time in the next 14 days" in matches[1].reasoning


def test_a_tutors_times_are_their_next_open_sessions(frozen_clock, ben_weekly):
    book(ben_weekly, local(12, 3, 18))

    match = tutor_times(ben_weekly.pk, now=frozen_clock, limit=2)

    assert match.tutor == ben_weekly
    assert [slot.start for slot in match.slots] == [local(12, 3, 18, 30), local(12, 7, 10)]


def test_an_unknown_or_inactive_tutor_has_no_times(frozen_clock, ada_weekly):
    Tutor.objects.filter(pk=ada_weekly.pk).update(is_active=False)

    assert tutor_times(ada_weekly.pk, now=frozen_clock) is None
    assert tutor_times(999999, now=frozen_clock) is None


@pytest.mark.parametrize("count", [3, 12])
def test_directory_queries_run_a_constant_number_of_queries(
    frozen_clock, django_assert_max_num_queries, count
):
    for number in range(count):
        make_tutor(
            f"Tutor {number:02}",
            ["Python", f"Subject {number}"],
            ("Monday", "10:00", "12:00", "online", ""),
        )
    first = Tutor.objects.order_by("pk").first()

    with django_assert_max_num_queries(4):
        matches = who_teaches("Python", now=frozen_clock)
        for match in matches:
            [subject.name for subject in match.tutor.subjects.all()]
    with django_assert_max_num_queries(4):
        who_teaches(course="CS 110A", now=frozen_clock)
    with django_assert_max_num_queries(4):
        tutor_times(first.pk, now=frozen_clock)
    with django_assert_max_num_queries(1):
        subjects_covered()
    with django_assert_max_num_queries(2):
        closest_subjects("pyton")
    assert len(matches) == count


@pytest.mark.parametrize(
    ("word", "closest"),
    [
        ("pyton", "Python"),
        ("calc", "Calculus"),
        ("data struct", "Data Structures"),
        ("statistic", "Statistics"),
        ("js", "JavaScript"),
    ],
)
def test_the_closest_subjects_forgive_typos_abbreviations_and_aliases(demo_roster, word, closest):
    assert closest_subjects(word)[0] == closest


def test_closest_subjects_are_covered_subjects_at_most_limit(demo_roster):
    found = closest_subjects("chemistry", limit=3)

    assert len(found) == 3
    assert set(found) <= set(subjects_covered())
    assert closest_subjects("", limit=3) == []
