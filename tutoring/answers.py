"""The booking form's answers, checked one way wherever they come from.

A booking's answers can be written by the chat's booking form, by a client of the JSON API
(``PUT /booking-info``), by an HTML form post or, later, by staff booking for a student. All
of them end in ``tutoring.booking.booking_create``, which checks every answer again with these
functions at the moment the booking is made; the chat's form and the API's schema call the
same functions when an answer arrives, so a student hears about a problem at the step that
caused it. Nothing here touches the database except ``clean_classes`` (the roster's courses).

Each ``clean_*`` returns the value as it will be stored, or raises ``InvalidAnswer`` naming the
field (the ``Booking`` field name) with a sentence for the student.
"""

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from tutoring.courses import normalise_course_code
from tutoring.models import Course

NAME_MAX_CHARS = 100
EMAIL_MAX_CHARS = 254
HELP_MAX_CHARS = 1000
MAX_CLASSES = 20
STUDENT_ID = re.compile(r"[A-Za-z0-9]{4,20}")

# Characters that change how text around them is displayed (U+202E shows a name reversed)
# without being visible themselves: the bidirectional embeddings, overrides and isolates,
# and the direction marks.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# Joiners are "format" characters too, but emoji sequences (👩‍💻) need them.
_JOINERS = frozenset("\u200c\u200d")
# Besides letters, marks, digits and spaces, a name may hold these: O'Neil, Mary-Jane, Jr.
_NAME_PUNCTUATION = frozenset("'’‘-.")


@dataclass(frozen=True)
class StudentAnswers:
    """The booking form's answers (checked again by ``validated_answers`` when booking)."""

    student_name: str
    student_email: str
    college_email: str
    student_id: str | None
    allow_other_students: bool
    classes: tuple[str, ...]
    specific_help: str
    additional_notes: str | None


class InvalidAnswer(ValueError):
    """An answer that cannot go into a booking; ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def unsafe_character(text: str, *, allow_newlines: bool = False) -> str | None:
    """Return the first character of ``text`` that must not be stored or shown, else None.

    Control characters (NUL, escape, CR …), lone surrogates, unassigned and private-use code
    points, and invisible format characters such as the bidi overrides.
    """
    for char in text:
        if allow_newlines and char in "\n\t":
            continue
        if char in _JOINERS:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            return char
    return None


def clean_student_name(value: str | None) -> str:
    """Return the student's name with spaces tidied; letters, digits, spaces and ' - . only."""
    if unsafe_character(value or ""):
        raise InvalidAnswer(
            "student_name",
            _("A name can't hold line breaks or invisible characters. What's your name?"),
        )
    name = " ".join((value or "").split())
    if not name:
        raise InvalidAnswer("student_name", _("Please tell me your name."))
    if len(name) > NAME_MAX_CHARS:
        raise InvalidAnswer(
            "student_name",
            _("That name is too long: please keep it under %(limit)s characters.")
            % {"limit": NAME_MAX_CHARS},
        )
    if not all(_name_character(char) for char in name) or not any(c.isalpha() for c in name):
        raise InvalidAnswer(
            "student_name",
            _(
                "A name can hold letters, spaces, apostrophes, hyphens and periods only. "
                "What's your name?"
            ),
        )
    return name


def _name_character(char: str) -> bool:
    if char == " " or char in _NAME_PUNCTUATION:
        return True
    return unicodedata.category(char)[0] in "LMN" and char not in BIDI_CONTROLS


def clean_email(value: str | None, *, field: str = "student_email") -> str:
    """Return a syntactically valid email address, lower-cased."""
    address = (value or "").strip().lower()
    try:
        if len(address) > EMAIL_MAX_CHARS or unsafe_character(address):
            raise ValidationError("unsafe")
        validate_email(address)
    except ValidationError:
        raise InvalidAnswer(
            field, _("That doesn't look like an email address, like *sam@example.com*.")
        ) from None
    return address


def clean_college_email(value: str | None) -> str:
    """Return the student's college address: a valid email in ``COLLEGE_EMAIL_DOMAIN``."""
    domain = settings.COLLEGE_EMAIL_DOMAIN.lower()
    address = clean_email(value, field="college_email")
    if not address.endswith("@" + domain):
        raise InvalidAnswer(
            "college_email",
            _("A college email must end in @%(domain)s.") % {"domain": domain},
        )
    return address


def clean_student_id(value: str | None) -> str | None:
    """Return the student id upper-cased (4 to 20 letters and digits), or None if not given."""
    candidate = (value or "").strip()
    if not candidate:
        return None
    if not STUDENT_ID.fullmatch(candidate):
        raise InvalidAnswer(
            "student_id",
            _("A student ID is 4 to 20 letters and digits, like *W12345678*."),
        )
    return candidate.upper()


def clean_classes(codes: Iterable[str], *, known: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return the course codes, normalised, each one a course of the roster.

    ``known`` is the roster's codes when the caller has them; otherwise they are read.
    """
    codes = list(codes)
    if len(codes) > MAX_CLASSES:
        raise InvalidAnswer(
            "classes", _("Please name at most %(limit)s classes.") % {"limit": MAX_CLASSES}
        )
    normalised = []
    for code in codes:
        course = normalise_course_code(code) if isinstance(code, str) else None
        if course is None:
            raise InvalidAnswer("classes", _("Give course codes like *CS 110A*."))
        normalised.append(course)
    roster = (
        set(known)
        if known is not None
        else set(Course.objects.filter(code__in=normalised).values_list("code", flat=True))
    )
    unknown = [code for code in normalised if code not in roster]
    if unknown:
        raise InvalidAnswer(
            "classes",
            _("We don't have %(codes)s on our list of classes.") % {"codes": ", ".join(unknown)},
        )
    return tuple(dict.fromkeys(normalised))


def clean_help_text(value: str | None, *, field: str, required: bool) -> str | None:
    """Return free text for the tutor (what help is needed, notes), or None when optional."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidAnswer(field, _("Tell me a little more, so the tutor can prepare."))
        return None
    if len(text) > HELP_MAX_CHARS:
        raise InvalidAnswer(
            field,
            _("Please keep it under %(limit)s characters.") % {"limit": HELP_MAX_CHARS},
        )
    if unsafe_character(text, allow_newlines=True):
        raise InvalidAnswer(
            field, _("That text holds invisible or control characters; please type it again.")
        )
    if required and len(re.sub(r"\W", "", text)) < 3:
        raise InvalidAnswer(field, _("Tell me a little more, so the tutor can prepare."))
    return text


def validated_answers(answers: StudentAnswers) -> StudentAnswers:
    """Return ``answers`` with every field checked and normalised; raise ``InvalidAnswer``.

    Fields are checked in the order the form asks for them, so the first problem reported is
    the earliest step to go back to.
    """
    if not isinstance(answers.allow_other_students, bool):
        raise InvalidAnswer("allow_other_students", _("Please answer yes or no."))
    return dataclasses.replace(
        answers,
        student_name=clean_student_name(answers.student_name),
        student_email=clean_email(answers.student_email),
        college_email=clean_college_email(answers.college_email),
        student_id=clean_student_id(answers.student_id),
        classes=clean_classes(answers.classes),
        specific_help=clean_help_text(answers.specific_help, field="specific_help", required=True),
        additional_notes=clean_help_text(
            answers.additional_notes, field="additional_notes", required=False
        ),
    )
