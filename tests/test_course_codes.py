"""One course-code grammar (tutoring.courses) for the roster import, answers and the assistant."""

import json

import pytest
from django.core.management import call_command

from tutoring.courses import normalise_course_code
from tutoring.models import Course


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cs110a", "CS 110A"),
        ("CS-110A", "CS 110A"),
        ("CS 110A", "CS 110A"),
        (" Cs   110a ", "CS 110A"),
        ("chem 1010", "CHEM 1010"),
        ("BIOL1020", "BIOL 1020"),
        ("math80", "MATH 80"),
        ("acct 1", "ACCT 1"),
        ("cnit_201e", "CNIT 201E"),
        ("ｃｓ１１０ａ", "CS 110A"),
    ],
)
def test_a_course_code_is_normalised_to_department_space_number(text, code):
    assert normalise_course_code(text) == code


@pytest.mark.parametrize(
    "text",
    ["python", "110A", "cs", "", "CS 110A please", "c 110", "ABCDEF 1", "CS 12345", "CS 110AB"],
)
def test_anything_else_is_not_a_course_code(text):
    assert normalise_course_code(text) is None


def test_the_model_and_the_import_use_the_same_normaliser():
    assert Course.normalise_course_code("chem 1010") == "CHEM 1010"


@pytest.mark.django_db
def test_the_roster_import_stores_codes_in_the_one_spelling(tmp_path):
    roster = {
        "subjects": [{"name": "Chemistry", "courses": ["chem-1010", "Chem 101a"]}],
        "tutors": [],
    }
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(roster))

    call_command("import_tutors", str(path), verbosity=0)

    assert list(Course.objects.values_list("code", flat=True)) == ["CHEM 1010", "CHEM 101A"]
