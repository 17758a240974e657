"""The booking form, defined once: its steps, their fields, questions, readers and panels.

Everything that knows the form reads this table: the draft model's steps
(``chat.models.BookingStep``), the API schemas (wire names), the state JSON, the panel
templates, the support text, the admin and the dialogue policy. A field has one name
everywhere (``college_email``, ``additional_notes``, as ``Booking`` spells them); only the
JSON API uses the camelCase wire name of DESIGN.md (``ccsfEmail``, ``additionalNotes``).

Filling the form is slot filling: a message may answer several fields at once ("Ana Lopez
ana@gmail.com, school email alopez@mail.ccsf.edu"), in any order; ``read_answer`` returns what
it found and what is still missing, and the next question is the first step not yet answered.
The readers are pure (no database): the roster's course codes come in as an argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.assistant.understanding import find_courses, parse_yes_no
from tutoring.answers import (
    HELP_MAX_CHARS,
    InvalidAnswer,
    clean_college_email,
    clean_email,
    clean_help_text,
    clean_student_id,
    clean_student_name,
)

MAX_FREE_TEXT = HELP_MAX_CHARS
COMPLETE = "complete"


@dataclass(frozen=True)
class FormField:
    name: str  # as Booking, BookingDraft and StudentAnswers spell it
    wire: str  # bookingInfo's camelCase name (DESIGN.md)
    label: str


@dataclass(frozen=True)
class Step:
    key: str  # BookingStep value, the API's bookingInfo.step
    label: str
    fields: tuple[str, ...]
    required: bool  # False: "skip", "none", "I don't have one" answer it
    template: str  # the panel's part of the form for this step (chat/panels/steps/)
    typed: bool = True  # answered by typing into a field (else by buttons)
    field_label: str = ""  # the panel field's label, when the question is not enough
    skip_button: bool = False  # the panel offers "Skip" (classes: leaving it empty is "none")

    @property
    def why_key(self) -> str:
        """The CenterFact that says why this step asks what it asks."""
        return f"why:{self.key}"


FIELDS = (
    FormField("student_name", "studentName", gettext_lazy("name")),
    FormField("student_email", "studentEmail", gettext_lazy("personal email")),
    FormField("college_email", "ccsfEmail", gettext_lazy("college email")),
    FormField("student_id", "studentId", gettext_lazy("student ID")),
    FormField("allow_other_students", "allowOtherStudents", gettext_lazy("others may join")),
    FormField("classes", "classes", gettext_lazy("classes")),
    FormField("specific_help", "specificHelp", gettext_lazy("what you need help with")),
    FormField("additional_notes", "additionalNotes", gettext_lazy("notes")),
)
FIELD = {f.name: f for f in FIELDS}
WIRE = {f.name: f.wire for f in FIELDS}

_T = "chat/panels/steps/"
STEPS = (
    Step(
        "name-email",
        gettext_lazy("name and email"),
        ("student_name", "student_email"),
        True,
        _T + "_name_email.html",
    ),
    Step("ccsf-email", gettext_lazy("college email"), ("college_email",), True, _T + "_email.html"),
    Step(
        "student-id",
        gettext_lazy("student id"),
        ("student_id",),
        False,
        _T + "_text.html",
        field_label=gettext_lazy("Student ID (optional)"),
        skip_button=True,
    ),
    Step(
        "allow-others",
        gettext_lazy("other students may join"),
        ("allow_other_students",),
        True,
        _T + "_yes_no.html",
        typed=False,
    ),
    Step("classes", gettext_lazy("classes"), ("classes",), False, _T + "_classes.html"),
    Step(
        "specific-help",
        gettext_lazy("what help is needed"),
        ("specific_help",),
        True,
        _T + "_long_text.html",
        field_label=gettext_lazy("What would you like help with?"),
    ),
    Step(
        "additional-notes",
        gettext_lazy("notes"),
        ("additional_notes",),
        False,
        _T + "_long_text.html",
        field_label=gettext_lazy("Notes for the tutor (optional)"),
        skip_button=True,
    ),
    Step("confirm", gettext_lazy("confirm"), (), True, _T + "_confirm.html", typed=False),
)
STEP = {step.key: step for step in STEPS}
# The model's choices: every step, then "complete" (booked).
STEP_CHOICES = tuple((step.key, step.label) for step in STEPS) + (
    (COMPLETE, gettext_lazy("complete")),
)
QUESTION_STEPS = tuple(step.key for step in STEPS if step.key != "confirm")
STEP_OF_FIELD = {name: step.key for step in STEPS for name in step.fields}
# Kept for the panel and older callers: the steps in order, "confirm" last.
STEP_KEYS = tuple(step.key for step in STEPS)


def step_number(step: str) -> int:
    """Return the 1-based position of ``step`` among the steps."""
    return STEP_KEYS.index(step) + 1


def previous_step(step: str) -> str | None:
    index = STEP_KEYS.index(step)
    return STEP_KEYS[index - 1] if index > 0 else None


def question(step: str) -> str:
    """Return the question asked at ``step``."""
    domain = settings.COLLEGE_EMAIL_DOMAIN
    return {
        "name-email": _(
            "What's your name and personal email? For example: *Sam Lee, sam@example.com*"
        ),
        "ccsf-email": _("What's your college email (ending in @%(domain)s)?") % {"domain": domain},
        "student-id": _("What's your student ID? (Optional: say *skip* if you don't have it.)"),
        "allow-others": _(
            "May other students join this session if they need the same help? (yes/no)"
        ),
        "classes": _("Which class is this for? Give the course code, like *CS 110A* (or *none*)."),
        "specific-help": _("What specifically would you like help with?"),
        "additional-notes": _("Anything else the tutor should know? (Or say *skip*.)"),
        "confirm": _("Shall I book it? (yes/no)"),
    }[step]


# --- which step comes next ----------------------------------------------------------------------


def is_answered(step: str, values: dict, skipped: frozenset[str] = frozenset()) -> bool:
    """Return whether ``step`` needs no question: its fields are there, or it was skipped."""
    if step == "confirm":
        return False
    fields = STEP[step].fields
    present = all(_present(values.get(name)) for name in fields)
    return present or (not STEP[step].required and step in skipped)


def _present(value) -> bool:
    return value not in (None, "", [])


def missing_required(values: dict) -> str | None:
    """Return the first required step whose answer is missing, or None."""
    for step in QUESTION_STEPS:
        if STEP[step].required and not is_answered(step, values):
            return step
    return None


def next_step(values: dict, skipped: frozenset[str], after: str | None = None) -> str:
    """Return the step to ask next: the first unanswered one, past ``after`` for optional ones.

    A required answer that is missing is always asked first; an optional step is asked once
    (in order) and not again once the form went past it.
    """
    missing = missing_required(values)
    start = STEP_KEYS.index(after) + 1 if after in STEP_KEYS else 0
    for step in QUESTION_STEPS[start:]:
        if not is_answered(step, values, skipped):
            if missing is not None and STEP_KEYS.index(missing) < STEP_KEYS.index(step):
                return missing
            return step
    return missing or "confirm"


# --- reading answers ----------------------------------------------------------------------------

_EMAIL = re.compile(r"[^\s<>,;:()\[\]\"'/]+@[^\s<>,;:()\[\]\"'/]+\.[a-z]{2,}", re.I)
# "skip", "none", "i dont have one", "idk", "n/a", "no id", "not sure", "nothing else".
_SKIP = re.compile(
    r"^(?:skip(?: it| this| that)?|none|no+|nope|nah|n/?a|na|nothing(?: else)?|no thanks|"
    r"no notes?|no id|-+|idk|i ?d(?:on'?t|ont) know|dunno|not sure|i (?:do not|don'?t|dont) "
    r"(?:have|know)(?: (?:one|it|an? (?:id|student id)|my (?:id|student id)))?|"
    r"(?:i )?(?:don'?t|dont|do not) remember(?: it)?|not? (?:needed|applicable)|"
    r"that'?s (?:it|all)|all good|i'?m good|im good|nothing to add|no class|not for a class|"
    r"(?:it'?s )?not for (?:a|any) class|leave it (?:out|blank)|pass)$",
    re.I,
)
_NAME_LEADS = re.compile(
    r"\b(?:hi|hello|hey|oops|sorry|actually|ok|okay|so|well|yes|yeah|sure)\b[\s,!.]*|"
    r"\b(?:my (?:full )?name(?: is|'s)|name(?: is|:)|i am|i'm|im|this is|it'?s|call me)\b",
    re.I,
)
_EMAIL_WORDS = re.compile(
    r"\b(?:and|&|my|personal|school|college|ccsf|student|work|home|gmail|e-?mail|address|is|"
    r"at|it'?s|also|plus|the|for|of|mail|one|address|addy)\b",
    re.I,
)
_NOT_NAME_WORDS = re.compile(
    r"\b(?:why|what|when|where|who|how|help|need|want|book|cancel|tutor|session|skip|"
    r"don'?t|dont|have|time|change|instead|monday|tuesday|wednesday|thursday|friday|python|"
    r"java|please|thanks|thank|email|id|number|online|campus|name|just|only|not|no|yes|yeah|"
    r"ok|okay|sure|idk|skip|none|hi|hello|hey|sorry|what|which|later|tomorrow|today|wait|"
    r"h+m+|u+m+|u+h+|lol|lmao|ugh|huh|oops|asdf\w*|test|thing|stuff|something)\b|\?|\d",
    re.I,
)


@dataclass(frozen=True)
class Reading:
    """What one message gave the form: fields found, steps skipped, and what went wrong."""

    values: dict = field(default_factory=dict)  # field name -> value, checked
    skipped: frozenset[str] = frozenset()  # optional steps answered "skip" / "none"
    problem: str | None = None  # for the student: what to fix (nothing is lost)
    college_as_personal: str | None = None  # a college address given as the personal one

    @property
    def empty(self) -> bool:
        return not self.values and not self.skipped and self.problem is None


def is_skip(text: str) -> bool:
    """Return whether ``text`` declines an optional question ("skip", "idk", "i dont have one")."""
    lowered = text.lower().replace("’", "'")
    # "all good, nothing to add": every part of it declines.
    parts = [p for p in re.split(r"\s*(?:[,;.!]|\band\b|\bbut\b)\s*", lowered) if p.strip()]
    if len(parts) > 1 and all(is_skip(part) for part in parts):
        return True
    cleaned = re.sub(r"[\s.!,]+", " ", lowered).strip()
    cleaned = re.sub(r"^(?:um+|uh+|hmm+|sorry|oh|ah|well)\s+", "", cleaned)
    if _SKIP.match(cleaned):
        return True
    # "nope thats it", "no, nothing else", "nah im good": a no, then a skip.
    rest = re.sub(r"^(?:no+|nope|nah|no thanks)\s+", "", cleaned)
    return rest != cleaned and bool(_SKIP.match(rest))


def emails_in(text: str) -> list[str]:
    """Return the valid email addresses in ``text``, lower-cased, in order."""
    found = []
    for match in _EMAIL.finditer(text):
        address = match.group(0).strip(".").lower()
        try:
            validate_email(address)
        except ValidationError:
            continue
        if address not in found:
            found.append(address)
    return found


def is_college_address(address: str) -> bool:
    domain = settings.COLLEGE_EMAIL_DOMAIN.lower()
    return address.endswith("@" + domain) or address.endswith("." + domain)


# A student ID as colleges print them: a letter and 7-8 digits ("W1234567"), or "@" and 8 digits.
_STUDENT_ID = re.compile(r"(?<![\w@.])(?:[A-Za-z]\d{7,8}|@\d{8})(?![\w@])")


def _name_candidate(text: str) -> str | None:
    """Return what is left of ``text`` once emails, IDs and filler words are taken out."""
    rest = _STUDENT_ID.sub(" ", _EMAIL.sub(" ", text))
    rest = re.sub(r"[(\[<\"']\s*[)\]>\"']", " ", rest)
    rest = _NAME_LEADS.sub(" ", rest)
    rest = _EMAIL_WORDS.sub(" ", rest)
    rest = re.sub(r"[\s,;:]+", " ", rest).strip(" .-!")
    if not rest or _NOT_NAME_WORDS.search(rest) or len(rest.split()) > 5:
        return None
    if not re.search(r"[^\W\d_]", rest):
        return None
    return rest


def _checked_name(candidate: str) -> str:
    """Return ``candidate`` as a name (raise ``InvalidAnswer`` saying why it cannot be one)."""
    name = clean_student_name(candidate)
    # Students type names in lower case; the tutor sees them capitalised.
    return name.title() if name.islower() else name


def name_in(text: str) -> str | None:
    """Return a person's name from ``text`` with emails and filler words taken out."""
    candidate = _name_candidate(text)
    if candidate is None:
        return None
    try:
        return _checked_name(candidate)
    except InvalidAnswer:
        return None


def _email_fields(text: str, values: dict, step: str) -> tuple[dict, str | None]:
    """Sort the addresses in ``text`` into personal and college; note a college one given alone."""
    found: dict = {}
    college_as_personal = None
    addresses = emails_in(text)
    college = [a for a in addresses if is_college_address(a)]
    personal = [a for a in addresses if not is_college_address(a)]
    if college:
        found["college_email"] = clean_college_email(college[0])
    if personal:
        found["student_email"] = clean_email(personal[0])
    elif college and step == "name-email" and not values.get("student_email"):
        college_as_personal = college[0]
    return found, college_as_personal


def read_answer(step: str, text: str, values: dict, *, known_courses: Collection[str]) -> Reading:
    """Read ``text`` as the answer to ``step``; also take any other field it plainly gives.

    ``known_courses``: the roster's course codes, the ones to give as examples first.
    """
    reader = _READERS.get(step)
    if reader is None:
        return Reading()
    try:
        return reader(text.strip(), values, known_courses)
    except InvalidAnswer as invalid:
        return Reading(problem=invalid.message)


def fields_anywhere(text: str, values: dict) -> dict:
    """Return fields ``text`` plainly gives whatever the step: emails, a stated name or ID."""
    found, _college = _email_fields(text, values, step="")
    stated = re.search(
        r"\bmy (?:full )?name(?: is|'s)\s+([^\d@,.;!?]{2,60}?)(?=$|[,.;!?]| and\b| my\b)",
        text,
        re.I,
    )
    if stated:
        name = name_in(stated.group(1))
        if name:
            found["student_name"] = name
    student_id = re.search(
        r"\b(?:student )?id(?: number)?(?: is|:)\s*([A-Za-z]?\d{5,9})\b", text, re.I
    ) or _STUDENT_ID.search(_EMAIL.sub(" ", text))
    if student_id:
        try:
            found["student_id"] = clean_student_id(
                student_id.group(student_id.lastindex or 0).lstrip("@")
            )
        except InvalidAnswer:
            pass
    return found


def _read_name_email(text: str, values: dict, _courses) -> Reading:
    found, college_as_personal = _email_fields(text, values, "name-email")
    candidate = _name_candidate(text)
    left = _EMAIL.sub(" ", text).strip(" ,;")
    if candidate is None and re.search(r"[<>{}\[\]\\|`]", left):
        candidate = left  # markup where the name goes: say why it cannot be a name
    if candidate is not None:
        try:
            found["student_name"] = _checked_name(candidate)
        except InvalidAnswer as invalid:
            # Markup or control characters in a name: say so, keep the email if one came.
            return Reading(values=found, problem=invalid.message)
    if not found and not college_as_personal:
        if emails_in(text) == [] and "@" in text:
            return Reading(problem=_("That doesn't look like a complete email address."))
        return Reading()
    return Reading(values=found, college_as_personal=college_as_personal)


def _read_college_email(text: str, values: dict, _courses) -> Reading:
    addresses = emails_in(text)
    found, _unused = _email_fields(text, values, "ccsf-email")
    if "college_email" in found:
        return Reading(values=found)
    if addresses:
        # A personal address at the college question: keep it if the personal one is missing.
        domain = settings.COLLEGE_EMAIL_DOMAIN
        kept = {} if values.get("student_email") else found
        return Reading(
            values=kept,
            problem=_("Your college email ends in @%(domain)s.") % {"domain": domain},
        )
    if "@" in text:
        return Reading(problem=_("That doesn't look like a complete email address."))
    return Reading()


def _read_student_id(text: str, values: dict, _courses) -> Reading:
    if is_skip(text):
        return Reading(skipped=frozenset({"student-id"}))
    found = fields_anywhere(text, values)
    if "student_id" in found:
        return Reading(values=found)
    candidates = re.findall(r"[@#]?[A-Za-z]?\d[\dA-Za-z-]{3,}", text)
    if len(candidates) == 1 or (not candidates and len(text.split()) == 1):
        token = (candidates[0] if candidates else text).lstrip("@#")
        return Reading(values={**found, "student_id": clean_student_id(token)})
    return Reading(values=found)


def _read_allow_others(text: str, values: dict, _courses) -> Reading:
    answer = parse_yes_no(text)
    lowered = re.sub(r"[-_]+", " ", text.lower())  # "one-on-one"
    if answer is None:
        if re.search(
            r"\b(?:fine|ok|okay|sure|don'?t mind|dont mind|that'?s ok|why not)\b", lowered
        ):
            answer = True
        elif re.search(
            r"\b(?:alone|solo|by myself|on my own|just me|one on one|1 on 1|rather not|prefer not|"
            r"private)\b",
            lowered,
        ):
            answer = False
    if answer is None:
        return Reading()
    return Reading(values={"allow_other_students": answer})


def _read_classes(text: str, values: dict, known_courses: Collection[str]) -> Reading:
    departments = {code.split(" ")[0] for code in known_courses}
    codes = find_courses(text, departments=departments)
    if not codes:
        if is_skip(text):
            return Reading(skipped=frozenset({"classes"}))
        return Reading()
    unknown = [code for code in codes if code not in known_courses]
    if unknown:
        examples = ", ".join(list(known_courses)[:3])
        return Reading(
            problem=_("I don't know %(codes)s here. Which class is it? For example %(examples)s.")
            % {"codes": ", ".join(unknown), "examples": examples}
        )
    return Reading(values={"classes": list(codes)})


def _read_free_text(name: str, step: str) -> Callable[[str, dict, frozenset], Reading]:
    def read(text: str, values: dict, _courses) -> Reading:
        if not STEP[step].required and is_skip(text):
            return Reading(skipped=frozenset({step}))
        return Reading(
            values={name: clean_help_text(text, field=name, required=STEP[step].required)}
        )

    return read


_READERS = {
    "name-email": _read_name_email,
    "ccsf-email": _read_college_email,
    "student-id": _read_student_id,
    "allow-others": _read_allow_others,
    "classes": _read_classes,
    "specific-help": _read_free_text("specific_help", "specific-help"),
    "additional-notes": _read_free_text("additional_notes", "additional-notes"),
}


def missing_part(step: str, values: dict) -> str:
    """Return the question for only what ``step`` still lacks ("And your personal email?")."""
    if step == "name-email":
        if values.get("student_name") and not values.get("student_email"):
            return _("Thanks, %(name)s. And your personal email?") % {
                "name": values["student_name"].split()[0]
            }
        if values.get("student_email") and not values.get("student_name"):
            return _("Got your email. And your name?")
    return question(step)


def summary_lines(values: dict, *, tutor_name: str, when: str) -> list[str]:
    """Return the confirm step's summary of everything collected."""
    yes_no = _("yes") if values.get("allow_other_students") else _("no")
    return [
        _("Here's your booking:"),
        _("- Tutor: %(name)s") % {"name": tutor_name},
        _("- When: %(when)s") % {"when": when},
        _("- Name: %(name)s (%(email)s)")
        % {"name": values.get("student_name"), "email": values.get("student_email")},
        _("- College email: %(email)s") % {"email": values.get("college_email")},
        _("- Student ID: %(id)s") % {"id": values.get("student_id") or _("not given")},
        _("- Others may join: %(answer)s") % {"answer": yes_no},
        _("- Classes: %(classes)s")
        % {"classes": ", ".join(values.get("classes") or []) or _("none")},
        _("- Help with: %(help)s") % {"help": values.get("specific_help")},
        _("- Notes: %(notes)s") % {"notes": values.get("additional_notes") or _("none")},
    ]
