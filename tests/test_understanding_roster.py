"""Tutor names, subject typos, course codes and subjects the roster does not have.

Pure: no database. The clock is fixed at Wednesday 2 December 2026.
"""

from datetime import date

import pytest

from chat.assistant.understanding import (
    Request,
    SubjectTerm,
    Vocabulary,
    normalise_course_code,
    understand,
)
from tests.understanding_roster import (
    CHRIS_D,
    CHRIS_N,
    GRACE,
    HANA,
    INES,
    MARCUS,
    MAYA,
    PRIYA,
    SAM,
    VOCABULARY,
    WILL,
)

TODAY = date(2026, 12, 2)


def request_of(text: str, vocabulary: Vocabulary = VOCABULARY) -> Request:
    return understand(text, vocabulary=vocabulary, today=TODAY).request


@pytest.mark.parametrize(
    ("text", "tutors"),
    [
        ("hana", (HANA,)),
        ("sql with hana", (HANA,)),
        ("i want to book with hana kim", (HANA,)),
        ("Can I book with Priya on Thursday?", (PRIYA,)),
        ("can i see priya on saturday", (PRIYA,)),
        ("maya chen", (MAYA,)),
        ("what times does maya have", (MAYA,)),
        ("Prya on thursday", (PRIYA,)),
        ("is marcos bell available friday", (MARCUS,)),
        ("hanna tomorrow", (HANA,)),
        ("ines thursday", (INES,)),
        ("Inês thursday", (INES,)),
        ("is inez free saturday", (INES,)),
        ("grace thu 6pm", (GRACE,)),
        ("maya or hana, monday", (MAYA, HANA)),
        ("jordan pls", ()),
        ("can i book with chris", (CHRIS_N, CHRIS_D)),
        ("chris nakamura", (CHRIS_N,)),
        ("is will free on sunday", (WILL,)),
        ("python with will", (WILL,)),
        ("i had grace last time, is she free thursday", (GRACE,)),
        ("ok grace then", (GRACE,)),
        ("sam", (SAM,)),
        ("does grace have anything friday", (GRACE,)),
        ("what about grace", (GRACE,)),
        ("grace's times", (GRACE,)),
        ("can will help me with stats", (WILL,)),
    ],
)
def test_tutors_are_named_by_first_last_or_full_name_or_a_misspelling(text, tutors):
    assert request_of(text).tutor_ids == tutors


@pytest.mark.parametrize(
    "text",
    [
        "will anyone be around for python friday",
        "i will take python on monday",
        "may i get python help",
        "python help please",
        "can i have more time",
        "those lines of code are broken",
        "any python tutors available",
        "when will you be open",
        "i will be there at 3",
        "by the grace of god, python",
    ],
)
def test_ordinary_words_are_not_tutors(text):
    assert request_of(text).tutor_ids == ()


@pytest.mark.parametrize(
    "text",
    [
        "Sam Lee sam.lee@gmail.com",
        "Sam Lee sam.lee@gmail.com slee@mail.ccsf.edu W1234567",
        "sam.lee2@mail.ccsf.edu",
        "actually my name is Samuel Lee not Sam",
    ],
)
def test_the_students_own_name_is_not_a_tutor(text):
    assert request_of(text).tutor_ids == ()


def test_the_older_tutor_field_is_the_first_single_tutor():
    understanding = understand("sql with hana", vocabulary=VOCABULARY, today=TODAY)
    assert understanding.tutor_id == HANA


def test_a_shared_first_name_fills_no_single_tutor():
    understanding = understand("can i book with chris", vocabulary=VOCABULARY, today=TODAY)
    assert understanding.tutor_id is None


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("pyhton tmrw", ("Python",)),
        ("javscript monday", ("JavaScript",)),
        ("assmbly", ("MIPS Assembly",)),
        ("statistcs", ("Statistics",)),
        ("wait no, java not python", ("Java",)),
        ("java instead of python", ("Java",)),
        ("not python", ("Python",)),
    ],
)
def test_subjects_with_typos_and_negation(text, subjects):
    assert request_of(text).subjects == subjects


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("i need a chemistry tutor", None),  # the roster has Chemistry
        ("english essay help", "English"),
        ("do you have psych tutors", "Psychology"),
        ("do you have anyone for art history", "Art History"),
        ("bio on tues or fri", "Biology"),
        ("physics tuesday morning", "Physics"),
        ("accounting friday at noon", "Accounting"),
        ("CS 999", "CS 999"),
        ("engl 1b", "ENGL 1B"),
        ("span 2", "SPAN 2"),
        ("python monday", None),
        ("cs 110a", None),
        ("banana", None),
    ],
)
def test_subjects_the_roster_lacks_are_named(text, unknown):
    assert request_of(text).unknown_subject == unknown


def test_a_subject_lacking_from_one_roster_is_known_in_another():
    sciences = Vocabulary(subjects=(SubjectTerm("Physics", ("phys",), ("PHYS 4A",)),))
    assert request_of("physics tuesday", sciences).subjects == ("Physics",)
    assert request_of("python tuesday", sciences).unknown_subject == "Python"


def test_a_course_of_a_roster_without_courses_is_not_called_unknown():
    bare = Vocabulary(subjects=(SubjectTerm("Python"),))
    assert request_of("CS 999", bare).unknown_subject is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cs110a", "CS 110A"),
        ("CS-110A", "CS 110A"),
        ("chem 1010", "CHEM 1010"),
        ("MATH 80", "MATH 80"),
        ("engl 1b", "ENGL 1B"),
        ("hello", None),
        ("cs 12345", None),
    ],
)
def test_course_codes_take_one_to_four_digits(text, code):
    assert normalise_course_code(text) == code


def test_a_four_digit_course_maps_to_its_subject():
    request = request_of("chem 1010 help friday")
    assert (request.courses, request.subjects) == (("CHEM 1010",), ("Chemistry",))


def test_a_subject_word_is_never_a_misspelt_tutor_name():
    roster = Vocabulary(subjects=(SubjectTerm("Physics"),), tutors=((1, "Linus Park"),))
    request = request_of("linux help monday", roster)
    assert (request.tutor_ids, request.unknown_subject) == ((), "Linux")
    assert request_of("lnus tomorrow", roster).tutor_ids == (1,)
