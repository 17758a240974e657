"""The booking form: one question per turn, each answer checked, with a clear re-ask.

Pure functions over the form's fields (the camelCase ``bookingInfo`` dict of DESIGN.md); the
conversation stores the result through the session store. A bad answer never loses what was
collected: the fields come back unchanged with a message saying what to fix.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from chat.assistant.understanding import find_courses, parse_yes_no
from chat.models import BookingStep
from tutoring.answers import (
    HELP_MAX_CHARS,
    InvalidAnswer,
    clean_college_email,
    clean_email,
    clean_help_text,
    clean_student_id,
    clean_student_name,
)

# The questions in order (the model's steps, less "complete", which means booked).
COMPLETE = BookingStep.COMPLETE.value
STEPS = tuple(step for step in BookingStep.values if step != COMPLETE)
MAX_FREE_TEXT = HELP_MAX_CHARS
_EMAIL = re.compile(r"[^\s<>,;:()\[\]\"']+@[^\s<>,;:()\[\]\"']+")
_SKIP_WORDS = {"skip", "none", "no", "nope", "n/a", "na", "nothing", "no thanks", "-"}
_NAME_PREFIX = re.compile(
    r"^\s*(?:hi|hello|hey)?[\s,]*(?:my name is|my name's|i am|i'm|im|name:)\s*", re.I
)


# The step that asks for each field of tutoring.answers (InvalidAnswer.field).
STEP_OF_FIELD = {
    "student_name": BookingStep.NAME_EMAIL.value,
    "student_email": BookingStep.NAME_EMAIL.value,
    "college_email": BookingStep.CCSF_EMAIL.value,
    "student_id": BookingStep.STUDENT_ID.value,
    "allow_other_students": BookingStep.ALLOW_OTHERS.value,
    "classes": BookingStep.CLASSES.value,
    "specific_help": BookingStep.SPECIFIC_HELP.value,
    "additional_notes": BookingStep.ADDITIONAL_NOTES.value,
}


# The bookingInfo key of each field of tutoring.answers.
KEY_OF_FIELD = {
    "student_name": "studentName",
    "student_email": "studentEmail",
    "college_email": "ccsfEmail",
    "student_id": "studentId",
    "allow_other_students": "allowOtherStudents",
    "classes": "classes",
    "specific_help": "specificHelp",
    "additional_notes": "additionalNotes",
}


def empty_form(slot: dict) -> dict:
    """Return a new form at its first step for ``slot``."""
    return {
        "step": STEPS[0],
        "studentName": None,
        "studentEmail": None,
        "ccsfEmail": None,
        "studentId": None,
        "allowOtherStudents": None,
        "classes": [],
        "specificHelp": None,
        "additionalNotes": None,
        "slot": slot,
    }


def step_number(step: str) -> int:
    """Return the 1-based position of ``step`` among the questions."""
    return STEPS.index(step) + 1


def previous_step(step: str) -> str | None:
    """Return the step before ``step``, or None at the first."""
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


# The answers a step must leave behind; the other steps may be skipped.
_REQUIRED = {
    "name-email": ("studentName", "studentEmail"),
    "ccsf-email": ("ccsfEmail",),
    "allow-others": ("allowOtherStudents",),
    "specific-help": ("specificHelp",),
}


def first_missing_step(form: dict) -> str | None:
    """Return the first step whose required answer is missing, or None when all are there."""
    for step in STEPS:
        if any(form.get(field) in (None, "") for field in _REQUIRED.get(step, ())):
            return step
    return None


def is_filled(form: dict) -> bool:
    """Return whether every required answer is there (a slot change can skip to confirm)."""
    return first_missing_step(form) is None


def at_first_missing(form: dict) -> dict:
    """Return ``form`` moved back to its first missing answer when its step is past it.

    A form written through the JSON API may stand at any step with any answers missing;
    the questions then resume where the first answer is missing.
    """
    missing = first_missing_step(form)
    if form["step"] in STEPS and missing is not None:
        if STEPS.index(missing) < STEPS.index(form["step"]):
            return {**form, "step": missing}
    return form


def question(step: str) -> str:
    """Return the question asked at ``step`` (confirm's summary comes from ``summary``)."""
    domain = settings.COLLEGE_EMAIL_DOMAIN
    questions = {
        "name-email": _(
            "What's your name and personal email? For example: *Sam Lee, sam@example.com*"
        ),
        "ccsf-email": _("What's your college email (ending in @%(domain)s)?") % {"domain": domain},
        "student-id": _(
            "What's your student ID? (Letters and digits; say *skip* to leave it out.)"
        ),
        "allow-others": _(
            "May other students join this session if they need the same help? (yes/no)"
        ),
        "classes": _("Which class is this for? Give the course code, like *CS 110A* (or *none*)."),
        "specific-help": _("What specifically would you like help with?"),
        "additional-notes": _("Anything else the tutor should know? (Or say *skip*.)"),
        "confirm": _("Shall I book it? (yes/no)"),
    }
    return questions[step]


@dataclass(frozen=True)
class Answer:
    """The outcome of one answer: the form (changed or not) and an error to re-ask with."""

    form: dict
    error: str | None = None


def take_answer(
    form: dict,
    text: str,
    *,
    known_courses: frozenset[str],
    course_examples: tuple[str, ...] = (),
    reviewing: bool = False,
) -> Answer:
    """Check ``text`` as the answer to the form's current step; advance on success.

    ``reviewing``: the student went back from the summary to change one answer, so the next
    step is the summary again rather than every question after this one.
    """
    step = form["step"]
    reader = _READERS[step]
    examples = course_examples or tuple(sorted(known_courses)[:3])
    fields, error = reader(text.strip(), known_courses, examples)
    if error is not None:
        return Answer(form=form, error=error)
    following = "confirm" if reviewing else STEPS[STEPS.index(step) + 1]
    return Answer(form={**form, **fields, "step": following})


def _email(text: str) -> str | None:
    found = _EMAIL.search(text)
    if not found:
        return None
    address = found.group(0).strip(".").lower()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _read_name_email(text: str, _courses, _examples) -> tuple[dict, str | None]:
    address = _email(text)
    name = _NAME_PREFIX.sub("", _EMAIL.sub(" ", text))
    # Brackets or quotes left empty by taking the address out: "Sam Lee <sam@example.com>".
    name = re.sub(r"[(\[<\"']\s*[)\]>\"']", " ", name)
    name = re.sub(r"[\s,;:]+", " ", name).strip(" .-")
    name = re.sub(r"\b(?:and|my email is|email|e-mail)\s*$", "", name, flags=re.I).strip(" .-")
    if not address and not re.search(r"[^\W\d_]", name):
        return {}, _(
            "I need your name and your personal email, for example *Sam Lee, sam@example.com*."
        )
    if not address:
        return {}, _(
            "That doesn't look like an email address. What's your personal email, with your name?"
        )
    if not re.search(r"[^\W\d_]", name):
        return {}, _(
            "And your name? Please send your name with the email, like *Sam Lee, sam@example.com*."
        )
    try:
        return {"studentName": clean_student_name(name), "studentEmail": clean_email(address)}, None
    except InvalidAnswer as invalid:
        return {}, invalid.message


def _read_college_email(text: str, _courses, _examples) -> tuple[dict, str | None]:
    domain = settings.COLLEGE_EMAIL_DOMAIN.lower()
    address = _email(text)
    if address is None:
        return {}, _(
            "That doesn't look like an email address. Your college email ends in @%(domain)s."
        ) % {"domain": domain}
    try:
        return {"ccsfEmail": clean_college_email(address)}, None
    except InvalidAnswer as invalid:
        return {}, invalid.message


def _read_student_id(text: str, _courses, _examples) -> tuple[dict, str | None]:
    if text.lower().strip(" .!") in _SKIP_WORDS:
        return {"studentId": None}, None
    try:
        return {"studentId": clean_student_id(text.strip().lstrip("@#").strip())}, None
    except InvalidAnswer as invalid:
        return {}, f"{invalid.message} " + _("Or say *skip*.")


def _read_allow_others(text: str, _courses, _examples) -> tuple[dict, str | None]:
    answer = parse_yes_no(text)
    if answer is None:
        return {}, _("Please answer yes or no: may other students join this session?")
    return {"allowOtherStudents": answer}, None


def _read_classes(
    text: str, known_courses: frozenset[str], examples: tuple[str, ...]
) -> tuple[dict, str | None]:
    if text.lower().strip(" .!") in _SKIP_WORDS:
        return {"classes": []}, None
    departments = {code.split(" ")[0] for code in known_courses}
    codes = find_courses(text, departments=departments)
    unknown = [code for code in codes if code not in known_courses]
    if unknown:
        return {}, _("I don't know %(codes)s. Which class is it? For example %(examples)s.") % {
            "codes": ", ".join(unknown),
            "examples": ", ".join(examples),
        }
    if not codes:
        return {}, _("Please give the course code, like *%(example)s*, or say *none*.") % {
            "example": examples[0] if examples else "CS 110A"
        }
    return {"classes": list(codes)}, None


def _read_free_text(field: str, *, optional: bool):
    answer_field = {"specificHelp": "specific_help", "additionalNotes": "additional_notes"}[field]

    def read(text: str, _courses, _examples) -> tuple[dict, str | None]:
        if optional and text.lower().strip(" .!") in _SKIP_WORDS:
            return {field: None}, None
        try:
            return {field: clean_help_text(text, field=answer_field, required=not optional)}, None
        except InvalidAnswer as invalid:
            return {}, invalid.message

    return read


def _read_confirm(text: str, _courses, _examples) -> tuple[dict, str | None]:
    # Confirmation is handled by the conversation (it books); here only the re-ask.
    return {}, _("Please answer yes to book it, or no.")


_READERS = {
    "name-email": _read_name_email,
    "ccsf-email": _read_college_email,
    "student-id": _read_student_id,
    "allow-others": _read_allow_others,
    "classes": _read_classes,
    "specific-help": _read_free_text("specificHelp", optional=False),
    "additional-notes": _read_free_text("additionalNotes", optional=True),
    "confirm": _read_confirm,
}


def summary(form: dict, *, tutor_name: str, slot_label: str) -> str:
    """Return the confirm step's summary of everything collected."""
    yes_no = _("yes") if form.get("allowOtherStudents") else _("no")
    lines = [
        _("Here's your booking:"),
        _("- Tutor: %(name)s") % {"name": tutor_name},
        _("- When: %(when)s") % {"when": slot_label},
        _("- Name: %(name)s (%(email)s)")
        % {"name": form["studentName"], "email": form["studentEmail"]},
        _("- College email: %(email)s") % {"email": form["ccsfEmail"]},
        _("- Student ID: %(id)s") % {"id": form.get("studentId") or _("not given")},
        _("- Others may join: %(answer)s") % {"answer": yes_no},
        _("- Classes: %(classes)s")
        % {"classes": ", ".join(form.get("classes") or []) or _("none")},
        _("- Help with: %(help)s") % {"help": form["specificHelp"]},
        _("- Notes: %(notes)s") % {"notes": form.get("additionalNotes") or _("none")},
        "",
        question("confirm"),
    ]
    return "\n".join(lines)
