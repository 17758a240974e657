"""The booking form is defined once (chat.assistant.booking_form) and everything agrees with it."""

import dataclasses

import pytest

from chat.assistant import booking_form
from chat.assistant.booking_form import (
    FIELDS,
    STEPS,
    fields_anywhere,
    is_skip,
    name_in,
    next_step,
    read_answer,
)
from chat.models import BookingDraft, BookingStep
from chat.schemas import BookingInfoIn
from tutoring.answers import StudentAnswers
from tutoring.models import Booking

COURSES = frozenset({"CS 110A", "CS 111B", "MATH 120"})


def test_the_models_steps_are_the_tables():
    assert BookingStep.values == [step.key for step in STEPS] + [booking_form.COMPLETE]


def test_every_field_has_one_name_in_the_draft_the_booking_and_the_answers():
    names = [f.name for f in FIELDS]
    draft_fields = {f.name for f in BookingDraft._meta.get_fields()}
    booking_fields = {f.name for f in Booking._meta.get_fields()}
    answer_fields = [f.name for f in dataclasses.fields(StudentAnswers)]
    assert set(names) <= draft_fields
    assert set(names) <= booking_fields
    assert answer_fields == names


def test_the_api_spells_each_field_by_its_wire_name():
    aliases = {name: field.alias or name for name, field in BookingInfoIn.model_fields.items()}
    for form_field in FIELDS:
        assert aliases[form_field.name] == form_field.wire


def test_every_step_names_fields_of_the_table_and_says_why():
    known = {f.name for f in FIELDS}
    for step in STEPS:
        assert set(step.fields) <= known
        assert step.why_key == f"why:{step.key}"
        assert booking_form.question(step.key)


@pytest.mark.parametrize(
    "text",
    [
        "skip",
        "none",
        "i dont have one",
        "I don't have one.",
        "idk",
        "n/a",
        "no id",
        "dunno",
        "not sure",
        "nope",
        "Skip it",
        "i don't know",
    ],
)
def test_optional_steps_accept_the_ways_students_decline(text):
    assert is_skip(text)
    reading = read_answer("student-id", text, {}, known_courses=COURSES)
    assert reading.skipped == {"student-id"}
    assert reading.problem is None


@pytest.mark.parametrize("text", ["W1234567", "my id is W1234567", "@12345678"])
def test_a_student_id_is_read_from_a_sentence(text):
    reading = read_answer("student-id", text, {}, known_courses=COURSES)
    assert reading.values["student_id"] in ("W1234567", "12345678")


def test_name_and_both_emails_in_one_message_fill_three_fields(settings):
    settings.COLLEGE_EMAIL_DOMAIN = "mail.ccsf.edu"
    text = "Ana Lopez ana.lopez@gmail.com and my school email is alopez@mail.ccsf.edu"

    reading = read_answer("name-email", text, {}, known_courses=COURSES)

    assert reading.values == {
        "student_name": "Ana Lopez",
        "student_email": "ana.lopez@gmail.com",
        "college_email": "alopez@mail.ccsf.edu",
    }


def test_a_name_alone_is_kept_and_only_the_email_is_asked():
    reading = read_answer("name-email", "my name is Carlos Mendoza", {}, known_courses=COURSES)

    assert reading.values == {"student_name": "Carlos Mendoza"}
    assert "email" in booking_form.missing_part("name-email", reading.values).lower()


def test_a_college_address_given_as_the_personal_one_is_noticed(settings):
    settings.COLLEGE_EMAIL_DOMAIN = "mail.ccsf.edu"

    reading = read_answer("name-email", "Sam Lee slee@mail.ccsf.edu", {}, known_courses=COURSES)

    assert reading.college_as_personal == "slee@mail.ccsf.edu"
    assert "student_email" not in reading.values


def test_an_email_anywhere_corrects_the_personal_email():
    assert fields_anywhere("oops my email is ben.ortiz@gmail.com", {}) == {
        "student_email": "ben.ortiz@gmail.com"
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("sam lee", "Sam Lee"),
        ("Hi, I'm Dana Kim", "Dana Kim"),
        ("why do you need this", None),
        ("python on monday", None),
        ("12345", None),
    ],
)
def test_names_are_read_and_questions_are_not_names(text, name):
    assert name_in(text) == name


def test_the_next_step_skips_what_is_answered_and_returns_to_a_missing_required_one():
    values = {"student_name": "Sam", "student_email": "s@example.com", "college_email": None}
    assert next_step(values, frozenset()) == "ccsf-email"
    values["college_email"] = "s@mail.ccsf.edu"
    assert next_step(values, frozenset(), after="name-email") == "student-id"
    assert next_step(values, frozenset({"student-id"}), after="student-id") == "allow-others"
