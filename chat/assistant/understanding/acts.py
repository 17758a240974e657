"""Dialogue acts: what a message does in the conversation, beside what it searches for.

A message is read into a tuple of acts, most specific first. The dialogue policy walks the
tuple and acts on the first one that fits the moment; a later act is an alternative reading
for when an earlier one does not fit ("6:30" is a ``Pick`` then a ``Search``; "cancel my
booking" is ``Manage(CANCEL)`` then ``Command(STOP)``). An act is only added when the words
really say it: a policy may also look for an act anywhere in the tuple, so "ok what about
stats then" carries no ``Accept`` and a bare "cancel" is only ``Command(STOP)``. Text with
nothing readable gives no acts at all.

The acts never look at the conversation: "6:30" is both a ``Pick`` (of an offered time) and a
``Search`` (when nothing is on offer), and the policy chooses.

Order, when several are found: ``Manage`` (keep / cancel a booking), ``Correct``, ``Ask``,
``Manage`` (reschedule / another / list), ``Command(START_OVER)``, ``Refine``, ``Pick``,
``Accept`` / ``Decline``, ``Search``, ``Command(SKIP)``, then the other commands (stop, back,
help, thanks, greeting).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

# The older intents read these the same way; one pattern each, shared.
from .intents import _BACK, _GREETING, _NEGATED_CANCEL, _START_OVER, _THANKS, _yes_no
from .reading import Request, _Reading
from .times import _Clock


@dataclass(frozen=True)
class Search:
    """Search for sessions with these criteria.

    ``same_tutor`` is set when the message refers to a tutor by pronoun ("does she have
    anything on friday", "does he do anything online"): the tutor on offer.
    """

    request: Request
    same_tutor: bool = False


@dataclass(frozen=True)
class Accept:
    """Yes: "yes", "sure", "ok book it", "sounds good", "👍"."""


@dataclass(frozen=True)
class Decline:
    """No: "no", "nope", "not that one", "none of those", "neither", "no thanks"."""


@dataclass(frozen=True)
class Pick:
    """One of the offered times: by number ("2", "the second one"), by its time and day
    ("6:30 works", "thursday at 6:30"), or by order ("the earliest one": ``order="earliest"``,
    "the last one": ``order="latest"``)."""

    number: int | None = None
    time: datetime.time | None = None
    day: str | None = None
    date: datetime.date | None = None
    order: str | None = None


class RefineKind(StrEnum):
    """A change relative to what is on offer."""

    LATER = "later"
    EARLIER = "earlier"
    OTHER_DAY = "other_day"
    NEXT_WEEK = "next_week"
    ANY_DAY = "any_day"
    ONLINE = "online"
    ON_CAMPUS = "on_campus"
    SOMEONE_ELSE = "someone_else"
    SOONEST = "soonest"
    OTHER_TIME = "other_time"  # "other times?", "a different time": any other time on offer


@dataclass(frozen=True)
class Refine:
    """ "anything later?", "another day", "online instead", "someone else"."""

    kind: RefineKind


class Topic(StrEnum):
    """A question the center gets every day."""

    WHO_TEACHES = "who_teaches"
    TUTOR_TIMES = "tutor_times"
    SUBJECTS = "subjects"
    MODE = "mode"
    LOCATION = "location"
    HOURS = "hours"
    CONTACT = "contact"
    MY_BOOKINGS = "my_bookings"
    LENGTH = "length"  # "how long are the sessions?"
    WHY = "why"
    HELP = "help"


@dataclass(frozen=True)
class Ask:
    """A question. ``step`` (for WHY) is the form step asked about ("student-id"), or None for
    "why do you need this" (the step being asked). ``tutor_ids`` (for TUTOR_TIMES) are the
    tutors named; empty means the tutor on offer ("when is she free")."""

    topic: Topic
    subject: str | None = None
    course: str | None = None
    tutor_ids: tuple[int, ...] = ()
    step: str | None = None


@dataclass(frozen=True)
class Correct:
    """A correction of one field: "oops my email is x@y.com", "change the time to 6:30".

    ``field`` is a form field name (``student_name``, ``student_email``, ``college_email``,
    ``student_id``, ``classes``, ``specific_help``, ``additional_notes``) or ``time`` / ``day``.
    ``value`` is as the student wrote it, except ``day`` ("Thursday"); read a time with
    :func:`parse_time`.
    """

    field: str
    value: str


class ManageKind(StrEnum):
    CANCEL = "cancel"
    KEEP = "keep"
    RESCHEDULE = "reschedule"
    ANOTHER = "another"
    LIST = "list"


@dataclass(frozen=True)
class Manage:
    """Something about the student's bookings. A reschedule or another booking with criteria
    ("can i move it to thursday") is followed by a ``Search`` act with them."""

    kind: ManageKind


class CommandKind(StrEnum):
    STOP = "stop"
    BACK = "back"
    START_OVER = "start_over"
    HELP = "help"
    THANKS = "thanks"
    GREETING = "greeting"
    SKIP = "skip"


@dataclass(frozen=True)
class Command:
    kind: CommandKind


Act = Search | Accept | Decline | Pick | Refine | Ask | Correct | Manage | Command


# --- Reading the acts -----------------------------------------------------------------------


def _find(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# The lookbehind and the bounds keep a 4,000-letter word from being rescanned at each letter.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+"
)
_COLLEGE_WORDS = _find(r"\b(?:school|college|ccsf|student|edu|campus|university|uni)\b")
_PERSONAL_WORDS = _find(r"\b(?:personal|email|e mail|mail|address|gmail|other)\b")
_CORRECTION = _find(
    r"\b(?:oops|oop|whoops|actually|wait|sorry|i meant|meant|wrong|typo|should be|change"
    r"|instead|fix|correction|not)\b"
)
_NAME_IS = re.compile(
    r"\b(?:my name is|my names|my name s|name is|name should be|call me|i go by|spell(?:ed)? it"
    r"|change my name to|my name to)"
    r"\s+([A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*){0,3})",
    re.IGNORECASE,
)
_NAME_STOP = frozenset("not and but my i email is its it please pls thanks from at".split())
_NAME_FILLER = frozenset("actually really just now".split())
_ID_IS = _find(
    r"\b(?:student id|student number|id number|w number|my id|id)\b(?:\s+\w+){0,2}?\s*"
    r"(?:is|its|should be|=)\s+(?:actually\s+|really\s+)?([a-z]?\d[a-z0-9]{3,})\b"
)
_CLASSES_ARE = re.compile(
    r"\bmy (?:class|classes|course|courses) (?:is|are|should be)\s+(.+?)\s*[.!?]*$", re.IGNORECASE
)
# "I gave the wrong class. It is MATH 110A, not MATH 80": the code right after "it is".
_WRONG_CLASS = re.compile(
    r"\bwrong (?:class|course)\b.*?\b(?:it is|it's|its|should be|is)\s+"
    r"([A-Za-z]{2,5}[\s-]*\d{1,4}[A-Za-z]?)",
    re.IGNORECASE,
)
# "I spelled my own name wrong. It is Katharine, with an a.": a name given after saying so.
_WRONG_NAME = re.compile(
    r"\b(?:spelled|spelt|typed|wrote|got|put) my (?:own )?(?:first |last )?name wrong\b.*?"
    r"\b(?:it is|it's|its|should be)\s+([A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+)?)",
    re.IGNORECASE,
)
_CHANGE_TIME = _find(
    r"\b(?:change|switch|move|(?<!cant )(?<!cannot )make it|make that|instead|actually|rather)\b"
)
_CLOCK_TEXT = _find(
    r"(?<![\d:/])(?:\d{1,2}:\d{2}(?:\s*[ap]\.?m\b\.?)?|\d{1,2}\s*[ap]\.?m\b\.?|noon|midday"
    r"|\d{1,2}(?![\d:/]))"
)
# "change the time to 7", "make it 6:30": the clock is a time even without other search words.
_NEW_TIME = _find(
    r"\b(?:(?:change|switch|move) (?:the |my )?time to|make it|make that)\s+(?:at\s+)?"
    r"(\d{1,2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?|noon)(?![\d/:])"
    r"|\b(?:can|could) (?:we|i) (?:do|have|get|make it)\s+(?:at\s+)?"
    r"(\d{1,2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?|noon)(?![\d/:])\s+instead\b"
)
_NEW_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m?\.?)?")
_BOOKING_NOUN = _find(r"\b(?:booking|appointment|session|reservation)s?\b")
_MOVE = _find(r"\b(?:move|moving|push|reschedul\w*|resched|postpone)\b")

_KEEP = _find(
    r"\bkeep (?:it|that|this|them|my|the|both)\b|\bleave it\b|\bdont cancel\b"
    r"|\bi ll keep\b|\bill keep\b"
)
_CANCEL_BOOKING = _find(
    r"\b(?:cancel|unbook|call off|delete|remove)\s+(?:\w+\s+){0,3}?"
    r"(?:booking|appointment|session|reservation|meeting|one)s?\b"
    r"|\b(?:cant|cannot|can not|wont be able to|unable to) (?:make|attend|come to)\b"
    r"|\bcancel (?:it|that|this|them|both)\b"
    r"|\b(?:need|want|have|would like|like|going) to cancel\b|\b(?:can|could) (?:you|u) cancel\b"
)
_BARE_CANCEL = _find(r"\bcancel\b")
_RESCHEDULE = _find(
    r"\b(?:reschedul\w*|resched|postpone)\b"
    r"|\b(?:move|push|shift)\s+(?:it|that|this|my|the)\b"
    r"(?:\s+\w+){0,3}?\s*\b(?:to|til|till|until|back|forward|later|earlier|another|a)\b"
    r"|\b(?:can|could) (?:we|i|you|u) (?:move|push|shift) it\b"
    # "change" and "switch" reschedule only a booking: "change my name" is a correction.
    r"|\b(?:move|push|change|switch|shift)\s+(?:\w+\s+){0,3}?(?:of\s+)?(?:my|the)\s+(?:\w+\s+)?"
    r"(?:booking|appointment|session|reservation)\b"
)
_ANOTHER = _find(
    r"\b(?:book|make|schedule|get|want|need) (?:another|one more|a second|an other)\b"
    r"|\banother (?:session|appointment|booking|one|slot|time)\b"
    r"|\b(?:also|additionally) (?:book|schedule|get|want|need)\b|\bbook (?:again|more)\b"
)
_BOOKING_WORD = (
    r"(?:book|booked|booking|bookings|appointment|appointments|appt|appts|session"
    r"|sessions|reservation|reservations|scheduled)"
)
_MY_BOOKINGS = _find(
    r"\b(?:what|when|which|where|whats|show|list|see|check|view)\b(?:\s+\w+){0,4}?\s+"
    rf"(?:my|i)\b(?:\s+\w+){{0,2}}?\s+{_BOOKING_WORD}\b"
    rf"|\bdid i (?:already |just )?(?:book|booked|schedule|make|sign up)\b"
    rf"|\bdo i have (?:anything|something|any|a|an)\b(?:\s+\w+){{0,2}}?\s+{_BOOKING_WORD}\b"
    rf"|\bhave i (?:booked|got|scheduled)\b"
    rf"|\bmy (?:bookings|appointments|sessions|reservations|booking|appointment|session)\b"
    r"|\bwhat time did i (?:pick|choose|book|get|say)\b|\bwhat did i (?:pick|choose)\b"
    rf"|\bwhat {_BOOKING_WORD} (?:do|did|have) i\b|\bdo i have any {_BOOKING_WORD}\b"
    r"|\bwhen (?:am|do) i (?:meet|meeting|see|seeing|have)\b"
    r"|\b(?:show|list|see|view)(?: me)? (?:the |all )?(?:bookings|appointments|sessions)\b"
    r"|\bwhat (?:did )?i (?:sign(?:ed)? up|register(?:ed)?) for\b"
    r"|\bremind me (?:of |about )?(?:what|when|my)\b"
    r"|^(?:so |and |ok |okay |wait |um )?(?:what|wat|wut|wht)(?: do| did|d)? i (?:have|got)"
    r"(?: booked| scheduled| coming up| again| rn| now| then)*$"
    r"|\b(?:what|wat|wut|wht)\b(?:\s+\w+){0,2}?\s+i (?:have|got) (?:booked|scheduled)\b"
)
_LIST_WORDS = _find(
    r"\b(?:what are|show|list|see|view|check)\b(?:\s+\w+){0,4}?\s+my\b"
    r"|\bwhat \w+ do i have\b|\bmy \w+s\b"
    r"|\bdo i have\b|\bdid i\b"
)

_WHY = _find(
    r"\bwhy\b(?! not\b)|\bwhat (?:is|s|do you need|does it need) (?:\w+\s+){0,4}?for\b"
    r"|\bwhat does (?:that|this|it) mean\b|\bwhat do you mean\b|\bwhat is that\b"
    r"|\bwhats that (?:for|mean)\b|\bdo i (?:have|need) to (?:give|put|answer|say|share)\b"
    r"|\bis (?:it|that|this|the \w+(?: \w+)?) (?:required|optional|necessary|mandatory)\b"
    r"|\bwhats (?:\w+\s+){0,4}?for\b|\b(?:whats|what is) the point\b"
    r"|\bdo i (?:need|have) to (?:have|give|put|share|provide) (?:a |my )?(?:student id|id|school"
    r"|college|email|name)\b|\bdo i need (?:a|my) (?:student id|id|school email|college email)\b"
)
_WHY_STEPS = (
    ("ccsf-email", _find(r"\b(?:school|college|ccsf|student email|edu)\b")),
    ("student-id", _find(r"\b(?:student id|id|w number|student number|sid|id number)\b")),
    ("name-email", _find(r"\b(?:email|e mail|name|names|personal)\b")),
    ("allow-others", _find(r"\b(?:other students|others|group|join|share|sharing|allow)\b")),
    ("classes", _find(r"\b(?:class|classes|course|courses)\b")),
    ("specific-help", _find(r"\b(?:specific|what i need help|topic|topics)\b")),
    ("additional-notes", _find(r"\b(?:notes|note|anything else)\b")),
)
_WHO_TEACHES = _find(
    r"\bwho(?:s| is| are| do| does| can)?\b(?:\s+\w+){0,3}?\s+(?:teach\w*|tutor\w*|help\w*"
    r"|knows|covers|handles|good at|available for|for)\b"
    r"|\b(?:which|what) tutors?\b|\blist (?:of )?(?:the )?tutors\b|\ball (?:the )?tutors\b"
    r"|^(?:so |ok |and )?who (?:does|do|can do) (?!i\b|you\b|u\b|we\b|they\b|me\b)"
)
# "do you have psych tutors", "is there a chem tutor": a question only when a subject is named.
_DO_YOU_TEACH = _find(
    r"\b(?:does|do|is there|are there|have)\s+(?:anyone|anybody|someone|somebody|you|you guys"
    r"|yall|u|a|any|the center)\b(?:\s+\w+){0,3}?\s+(?:teach|tutor|tutors|do|have|cover|offer"
    r"|know|help with|for)\b"
    r"|\bis there (?:a|any|an)\b|\bdo (?:you|u|yall) (?:guys )?(?:also )?(?:have|do|teach)\b"
)
_TUTOR_TIMES = _find(
    r"\b(?:when|what times?|free|available|availability|schedule|open|hours|times|work|works"
    r"|around|in)\b"
)
_SUBJECTS = _find(
    r"\b(?:what|which) (?:subjects|classes|courses|topics|areas|things)\b"
    r"|\bwhat (?:can|do|does) (?:i|you|u|yall|you guys|the center|this)\b(?:\s+\w+){0,2}?\s+"
    r"(?:get help with|help with|tutor|teach|cover|offer|help me with)\b"
    r"|\bwhat (?:can|do) (?:i|you) get (?:tutoring|tutored|help) (?:in|for|with)\b"
    r"|\bwhat (?:is|s) (?:offered|available|covered)\b|\blist (?:of )?(?:subjects|classes)\b"
    r"|\bwhat do (?:you|u|yall) (?:guys )?(?:tutor|teach|cover|offer|do)\b"
)
_MODE_Q = _find(
    r"\b(?:is|its|it is|will it be|is it|is this|is that|will that be|will this be|do i have to"
    r"|is the session|is my session|are sessions|are they|so its|and its)\b"
    r"(?:\s+\w+){0,4}?\s+(?:online|in person|zoom|on campus|campus|remote|virtual|come in"
    r"|on zoom)\b"
    r"|\bdo i (?:need|have) to (?:come in|come to campus|be there|go there|show up)\b"
    r"|\bhow (?:does|do|will) (?:the |an |my |a )?(?:online|zoom|remote|virtual)\b"
)
_WANTS = _find(r"\b(?:can i|could i|can we|could we|instead|rather|prefer|i want|id like|switch)\b")
_LOCATION = _find(
    r"\bwhere\b|\bwheres\b|\bwhat room\b|\bwhich room\b|\baddress\b|\bdirections\b"
    r"|\b(?:what|which) place\b"
    r"|^\W*(?:the |what |which )?room\W*$|\broom number\b"
    r"|\bd[oó]nde\b|\b(?:the |a |zoom |meeting )?(?:link|url)\b"
    r"|\bhow do i get there\b"
    r"|\bwhat building\b|\bwhich building\b|\blocation\b|\blocated\b"
)
_YOU = r"(?:you|u|yall|the center|it)(?: guys| all)?"
_HOURS = _find(
    rf"(?<!\d )\bhours\b(?! ago)|\bwhen (?:are|r|is) {_YOU} open\b"
    rf"|\bwhat time do {_YOU} (?:open|close)\b|\bare {_YOU} open\b"
    rf"|\bwhen do {_YOU} (?:open|close)\b|\bopening times\b|\bclosing time\b"
    rf"|\bwill {_YOU} be open\b"
    r"|^(?:are (?:you|u) )?open (?:on )?(?:weekends?|saturdays?|sundays?|today|tomorrow|late)\b"
)
_LENGTH = _find(
    r"\bhow long (?:is|are|r|will|does|do)?\s*(?:a |the |each |my |it |they )?"
    r"(?:session|sessions|appointment|appointments|meeting|it|they|tutoring)\b"
    r"|\b(?:session|appointment) (?:length|duration)\b|\bhow many minutes\b"
)
_CONTACT = _find(
    r"\b(?:contact|phone|phone number|get in touch)\b|\bcall(?! off)\b"
    r"|\breach (?:you|someone|the center|them|somebody|a person|staff)\b"
    r"|\bemail (?:the|you|someone|them|staff|somebody)\b|\brunning late\b|\bbe late\b"
    r"|\btalk to (?:a|someone|somebody) (?:person|human|real)\b|\btalk to a human\b"
    r"|\b(?:your|the centers?|center) (?:email|phone|number|email address)\b"
)
_HELP_Q = _find(
    r"\bwhat can (?:you|u) do\b|\bhow (?:does|do) (?:this|it|you) work\b"
    r"|\bhow do i (?:use|book)\b|\bwhat (?:do|can) i (?:say|ask|type)\b"
)
_HELP_CMD = _find(
    r"^(?:help|help me|help pls|help please|i need help|commands|instructions|menu|options)$"
    r"|\bim (?:confused|lost)\b|\bi dont understand\b"
)

_LATER = _find(r"\blater\b")
_NOT_LATER = _find(
    r"\b(?:do (?:it|this|that)|come back|try again|check back|talk|see (?:you|ya)|catch (?:you|ya)"
    r"|maybe|ill (?:do|book|try|check)|deal with it|again|book|figure it out|text|ttyl|until)"
    r"(?:\s+\w+){0,2}\s+later\b|\blater than\b|\bsee you later\b"
)
_EARLIER = _find(r"\b(?:earlier|sooner)\b")
_NOT_EARLIER = _find(r"\bearlier than\b|\bearlier today\b|\bas i said earlier\b")
_AFTER_THAT = _find(
    r"\b(?:anything|something|any|one) after that\b|\blater than (?:that|this|those|these)\b"
)
_OTHER_DAY = _find(
    r"\b(?:another|different|other|diff|some other|a different)\s+days?\b|\bother days\b"
    r"|\bnot (?:that day|on that day)\b"
)
_SOMEONE_ELSE = _find(
    r"\b(?:other|another|different|diff|new)\s+(?:\w+\s+){0,1}?(?:tutors?|people|persons?"
    r"|teachers?)\b"
    r"|\b(?:who|anyone|anybody|someone|somebody|any1) (?:else|different)\b"
    r"|\b(?:any|show|see|the) others\b|^others\b"
    r"|\bnot (?:them|him|her|that tutor|this tutor|that person)\b"
    r"|\bother options\b|\b(?:show|see|show me|any) more\b"
)
_OTHER_TIME = _find(
    r"\b(?:other|another|different|diff|more)\s+(?:\w+\s+)?times?\b|\bother slots?\b"
)
_PRONOUN_TUTOR = _find(r"\b(?:he|she|they|him|her|them)\b")
_INSTEAD = _find(r"\b(?:instead|rather|switch|change it|make it|prefer)\b")
_ORDER_PICK = _find(
    r"\b(?:the )?(?:earliest|soonest|first available)(?: one| time| slot| option)\b"
    r"|\bthe earliest\b(?! (?:you|i))|\bthe (?:latest|last) (?:one|time|slot|option)\b"
)

_STOP = _find(
    r"\b(?:stop|never ?mind|nvm|nevermind|forget (?:it|that|about it)|quit|exit|abort"
    r"|changed my mind|no longer need|dont need it anymore|dont want it anymore)\b"
)
_SKIP = _find(
    r"\bskip\b|\bi (?:dont|do not) (?:have|know)(?: (?:one|it|any|that|an id|a student id|my id"
    r"|one yet|it yet|it on me|it offhand))?\b|\bidk\b|\bidc\b|\bdunno\b|\bno idea\b"
    r"|\bprefer not to (?:say|share)\b|\brather not\b|\bdont have (?:one|it|any)\b"
    r"|\bnot sure\b|^no (?:student )?(?:id|number)\b"
)
_SKIP_WHOLE = frozenset(
    {
        ("none",),
        ("nothing",),
        ("n", "a"),
        ("na",),
        ("no", "id"),
        ("no", "notes"),
        ("nothing", "else"),
        ("pass",),
        ("no", "one"),
        ("nope", "none"),
        ("none", "thanks"),
        ("nothing", "thanks"),
        ("not", "applicable"),
        ("dont", "have", "one"),
    }
)
_DECLINE = _find(
    r"^(?:(?:oh|um|uh|hmm|well|sorry|ah|ok|okay)\s+)*(?:no|nope|nah|naw|nay|not really|no way)\b"
    r"|\bnot (?:that|this) one\b|\bnone of (?:those|these|them|that)\b|\bneither\b"
    r"|\bno (?:thanks|thank you|ty|thx)\b|\bnot (?:those|these|interested|for me)\b"
    r"|\b(?:dont|do not) (?:want|like) (?:that|those|these|it|any)\b"
)
_ACCEPT_EXTRA = _find(
    r"^(?:(?:ok|okay|yes|yeah|yep|sure|alright|cool|great|perfect)\s+)*(?:book it|book that"
    r"|lets do it|lets do that|lets go|sounds good|that works|works for me|go ahead|do it"
    r"|perfect|thats perfect|im in|deal|bet|good to go|all good|looks good|yes please"
    r"|say less|say no more|aight)\b"
)


def find_acts(
    text: str, normalised: str, words: tuple[str, ...], reading: _Reading
) -> tuple[Act, ...]:
    """Return the acts of a message in the order described in the module docstring."""
    if not words:
        return ()
    # A long message's move (a yes, a question, a correction) is in its first or last words;
    # its search terms are read from the whole of it. This keeps a 4,000-character message
    # as quick to read as a short one.
    if len(words) > 2 * _MOVE_WORDS:
        words = words[:_MOVE_WORDS] + words[-_MOVE_WORDS:]
    joined = " ".join(words)
    request = reading.request
    names_thing = bool(
        request.subjects or request.courses or request.unknown_subject or request.tutor_ids
    )
    acts: list[Act] = []

    # Keep or cancel a booking: a negated cancel is never a cancel.
    if _NEGATED_CANCEL.search(joined) or _KEEP.search(joined):
        acts.append(Manage(ManageKind.KEEP))
    elif _CANCEL_BOOKING.search(joined):
        acts += [Manage(ManageKind.CANCEL), Command(CommandKind.STOP)]

    acts += _corrections(text, normalised, joined, request)
    manages = []
    if _RESCHEDULE.search(joined):
        manages.append(Manage(ManageKind.RESCHEDULE))
    if _ANOTHER.search(joined):
        manages.append(Manage(ManageKind.ANOTHER))
    # "cancel my appointment" and "change my appointment" are not asking what was booked.
    managing = bool(manages) or any(isinstance(act, Manage) for act in acts)
    asks = _questions(joined, request, names_thing)
    acts += [a for a in asks if not (managing and a == Ask(Topic.MY_BOOKINGS))]
    acts += manages
    if _START_OVER.search(joined):
        acts.append(Command(CommandKind.START_OVER))

    acts += _refinements(
        joined,
        request,
        names_thing or bool(asks),
        bool(reading.declined_tutors),
        reading.declined_day,
    )
    pick = _pick(joined, reading, names_thing)
    new_time = next((a for a in acts if isinstance(a, Correct) and a.field == "time"), None)
    if pick is None and new_time is not None:
        pick = _picked_time(new_time.value)  # "can we do 7 instead" to an offer picks 7 PM
    if pick is not None:
        acts.append(pick)

    answer = _yes_no(words)
    searching = request.has_search_terms()
    if answer is True or (answer is None and not searching and _ACCEPT_EXTRA.search(joined)):
        acts.append(Accept())
    rest = tuple(w for w in words if w not in ("please", "pls", "thanks", "ok", "okay"))
    skips = not searching and (rest in _SKIP_WHOLE or bool(_SKIP.search(joined)))
    declines = answer is False or (_DECLINE.search(joined) and not any(map(_is_answer, acts)))
    if skips:
        # An optional step's "none" or "no id"; to an offer, "none" and "no" are still a no.
        acts.append(Command(CommandKind.SKIP))
        if declines or "none" in rest or "nothing" in rest:
            acts.append(Decline())
    elif declines and not searching:
        acts.append(Decline())
    if searching:
        same_tutor = not request.tutor_ids and bool(_PRONOUN_TUTOR.search(joined))
        # "no, tuesday", "wait no, java not python": the new search is the answer, not a no.
        acts.append(Search(request, same_tutor=same_tutor))
    # "i changed my mind, can i do tuesday": the new search is the answer, not a stop.
    if (_STOP.search(joined) and not searching) or (_BARE_CANCEL.search(joined) and not acts):
        acts.append(Command(CommandKind.STOP))
    if _BACK.search(joined):
        acts.append(Command(CommandKind.BACK))
    if not searching and _HELP_CMD.search(joined):
        acts.append(Command(CommandKind.HELP))
    if _THANKS.search(joined):
        acts.append(Command(CommandKind.THANKS))
    if _GREETING.match(joined):
        acts.append(Command(CommandKind.GREETING))
    # "yes others can join", "sure, anyone can join": a leading yes is a yes when nothing else
    # was understood ("ok what about stats then" is a search, never a yes).
    polite = (Command(CommandKind.THANKS), Command(CommandKind.GREETING))
    if words[0] in _LEADING_YES and all(act in polite for act in acts):
        acts.insert(0, Accept())
    elif words[0] in _LEADING_YES and acts[:2] == [
        Manage(ManageKind.CANCEL),
        Command(CommandKind.STOP),
    ]:
        acts.append(Accept())  # "yes cancel it" confirms a cancellation
    return tuple(dict.fromkeys(acts))


_MOVE_WORDS = 60
_LEADING_YES = frozenset(
    "yes yeah yep yup yea ya sure ok okay alright absolutely definitely".split()
)


def _picked_time(value: str) -> Pick | None:
    """Return a pick of the time a correction names ("7" is 7 PM, as everywhere)."""
    if value == "noon":
        return Pick(time=datetime.time(12))
    match = _NEW_CLOCK.fullmatch(value.replace(" ", ""))
    if match is None:
        return None
    resolved = _Clock(int(match[1]), int(match[2] or 0), match[3]).resolve(None)
    return Pick(time=resolved) if resolved is not None else None


def _is_answer(act: Act) -> bool:
    """Return whether an act already answers the message (so a leading "no" is not a no)."""
    return isinstance(act, Manage | Correct | Pick) or (
        isinstance(act, Refine) and act.kind is not RefineKind.SOMEONE_ELSE
    )


def _corrections(text: str, normalised: str, joined: str, request: Request) -> list[Correct]:
    """Return the fields the message gives or corrects ("oops my email is ...")."""
    found: list[Correct] = []
    corrects = bool(_CORRECTION.search(joined))
    previous_end = 0
    for match in _EMAIL.finditer(text) if "@" in text else ():
        before = " ".join(re.findall(r"[a-z0-9]+", text[previous_end : match.start()].lower()))
        previous_end = match.end()
        if _COLLEGE_WORDS.search(before):
            found.append(Correct("college_email", match[0]))
        elif _PERSONAL_WORDS.search(before) or (corrects and before):
            found.append(Correct("student_email", match[0]))
    name = _NAME_IS.search(text) if "name" in joined or "call" in joined or "go" in joined else None
    if name is not None:
        kept: list[str] = []
        for word in name[1].split():
            if word.lower() in _NAME_STOP:
                break
            if kept or word.lower() not in _NAME_FILLER:
                kept.append(word)
        if kept:
            found.append(Correct("student_name", " ".join(kept)))
    student_id = _ID_IS.search(joined)
    if student_id is not None:
        found.append(Correct("student_id", student_id[1].upper()))
    classes = _CLASSES_ARE.search(text) if "my" in joined else None
    if classes is not None:
        found.append(Correct("classes", classes[1]))
    elif (wrong_class := _WRONG_CLASS.search(text)) is not None:
        found.append(Correct("classes", wrong_class[1]))
    wrong_name = _WRONG_NAME.search(text) if name is None else None
    if wrong_name is not None:
        found.append(Correct("student_name", wrong_name[1]))
    if _BOOKING_NOUN.search(joined):  # "change my session to friday" moves a booking
        return found
    new_time = _NEW_TIME.search(normalised)
    if new_time is not None and request.time is None:
        found.append(Correct("time", new_time[1] or new_time[2]))
    changes = _CHANGE_TIME.search(joined) and not _MOVE.search(joined)
    if changes and not (request.subjects or request.courses or request.tutor_ids):
        if request.time is not None:
            marker = _CHANGE_TIME.search(normalised)
            clock = _CLOCK_TEXT.search(normalised[marker.start() if marker else 0 :])
            if clock is not None:
                found.append(Correct("time", clock[0]))
        if request.day is not None and re.search(r"\b(?:make it|change|switch|instead)\b", joined):
            found.append(Correct("day", request.day))
    return found


def _questions(joined: str, request: Request, names_thing: bool) -> list[Ask | Manage]:
    """Return the questions asked, with what they are about."""
    asks: list[Ask | Manage] = []
    subject = request.subjects[0] if request.subjects else None
    course = request.courses[0] if request.courses else None
    when = bool(
        request.days or request.dates or request.time or request.part_of_day or request.week
    )
    if _WHY.search(joined):
        step = next((step for step, words in _WHY_STEPS if words.search(joined)), None)
        asks.append(Ask(Topic.WHY, step=step))
    if _MY_BOOKINGS.search(joined):
        asks.append(Ask(Topic.MY_BOOKINGS))
        if _LIST_WORDS.search(joined):
            asks.append(Manage(ManageKind.LIST))
    teaches = _WHO_TEACHES.search(joined) or (
        (subject or course or request.unknown_subject) and _DO_YOU_TEACH.search(joined)
    )
    if not when and teaches and not request.tutor_ids:
        if not (_SOMEONE_ELSE.search(joined) and not (subject or course)):
            asks.append(Ask(Topic.WHO_TEACHES, subject=subject, course=course))
    asks_bookings = Ask(Topic.MY_BOOKINGS) in asks  # "when am i meeting maya"
    if request.tutor_ids and not (request.subjects or request.courses or when or asks_bookings):
        if _TUTOR_TIMES.search(joined):
            asks.append(Ask(Topic.TUTOR_TIMES, tutor_ids=request.tutor_ids))
    if not names_thing and _SUBJECTS.search(joined):
        asks.append(Ask(Topic.SUBJECTS))
    both_modes = re.search(r"\bonline\b", joined) and re.search(r"\b(?:in person|campus)\b", joined)
    mode_question = _MODE_Q.search(joined) or (both_modes and not names_thing and not when)
    if mode_question and not _WANTS.search(joined):
        asks.append(Ask(Topic.MODE))
    if not names_thing and _LOCATION.search(joined) and not _MY_BOOKINGS.search(joined):
        asks.append(Ask(Topic.LOCATION))
    if not names_thing and _HOURS.search(joined):
        asks.append(Ask(Topic.HOURS))
    if _CONTACT.search(joined):
        asks.append(Ask(Topic.CONTACT))
    if _LENGTH.search(joined):
        asks.append(Ask(Topic.LENGTH))
    if not request.has_search_terms() and _HELP_Q.search(joined):
        asks.append(Ask(Topic.HELP))
    return asks


def _refinements(
    joined: str, request: Request, names_thing: bool, declined_tutors: bool, declined_day: bool
) -> list[Refine]:
    """Return the changes relative to the offer: explicit ones, and a bare new constraint."""
    found: list[Refine] = []
    if (_LATER.search(joined) and not _NOT_LATER.search(joined)) or _AFTER_THAT.search(joined):
        found.append(Refine(RefineKind.LATER))
    if _EARLIER.search(joined) and not _NOT_EARLIER.search(joined):
        found.append(Refine(RefineKind.EARLIER))
    if _OTHER_DAY.search(joined) or declined_day:
        found.append(Refine(RefineKind.OTHER_DAY))
    if _OTHER_TIME.search(joined):
        found.append(Refine(RefineKind.OTHER_TIME))
    if (_SOMEONE_ELSE.search(joined) and not request.tutor_ids) or declined_tutors:
        found.append(Refine(RefineKind.SOMEONE_ELSE))
    relative = not names_thing and not request.days and not request.dates
    if request.week == "next" and not names_thing:
        found.append(Refine(RefineKind.NEXT_WEEK))
    if request.any_day and not names_thing:
        found.append(Refine(RefineKind.ANY_DAY))
    if request.soonest and not names_thing:
        found.append(Refine(RefineKind.SOONEST))
    if request.mode is not None and (relative or _INSTEAD.search(joined)):
        bare = request.time is None and request.part_of_day is None
        if bare or _INSTEAD.search(joined):
            found.append(
                Refine(RefineKind.ONLINE if request.mode == "online" else RefineKind.ON_CAMPUS)
            )
    return found


def _pick(joined: str, reading: _Reading, names_thing: bool) -> Pick | None:
    """Return the offered time picked, if the message picks one."""
    request = reading.request
    order = None
    if _ORDER_PICK.search(joined):
        order = "latest" if re.search(r"\b(?:latest|last)\b", joined) else "earliest"
    if reading.number is not None or order is not None:
        return Pick(number=reading.number, order=order)
    if names_thing:
        return None
    if request.time is not None or (reading.picks and (request.day or request.on_date)):
        return Pick(time=request.time, day=request.day, date=request.on_date)
    return None
