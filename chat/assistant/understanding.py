"""Read one message a student typed to the scheduling assistant and say what it means.

Pure and deterministic: no database, no network, no clock of its own (the caller passes
``today``) and no Django models. The roster comes in as data (:class:`Vocabulary`), so the
caller decides how to load it and may cache it; the index built from it is cached here.

Reading a message
=================

The text is normalised first: Unicode compatibility forms folded (full-width letters,
ligatures), accents, invisible characters and apostrophes dropped ("can't" reads "cant"),
curly quotes straightened, lower-cased, a thumbs-up read as "yes" and a thumbs-down as "no".
Only the first :data:`READ_LIMIT` characters are read, which bounds the cost of hostile input;
the original text is kept untouched in :attr:`Understanding.text`.

Readers then run in this order, and each one *takes* what it understood so no later reader
sees it again (that is how "CS 110A" never becomes the time 11:00, or "12/7" the time 12:00):

1. "good morning/afternoon/evening/day" at the very start is a greeting, not a part of day.
2. Course codes, for known departments only (:data:`DEFAULT_DEPARTMENTS` plus those in the
   roster), with or without space or hyphen: "CS 110A", "cs110a", "cs-110a". A known code adds
   its subject. So "at 10" or "mon 10" is never a course.
3. Dates, read as the next such date on or after ``today`` unless a year is given: "12/7"
   (US month/day), "Dec 7", "December 7th", "7 Dec", "the 7th of December", "on the 7th".
4. Clock times: "10:30", "3:30 pm", "10am", "10 a.m.", "10a", "noon", "3 o'clock", "10ish",
   the start of a range ("10-11am" is 10:00, "11-1pm" is 11:00), and a number after "at",
   "around", "about", "by", "after", "before", "from", "between", "@" or "~" ("after 4" is
   simply 16:00). An impossible time ("9:75", "13pm") gives no time at all.
5. Choices by number: "#2", "option 2", "number 2", "pick 3", "I'll take 2".
6. Then word by word: subjects by exact roster name or alias (also run together or split:
   "java script", "python 3", "c plus plus"); tutors by full name, or by first or last name
   when that names one tutor; a name that is also a common word ("Will", "Park") counts only
   after "with" or "tutor" or alone. Days: weekdays and abbreviations ("tues", "thurs"),
   plurals ("mondays"), "today", "tonight", "tomorrow", "this Friday", "next Monday". Parts
   of the day: "morning", "afternoon", "evening", "night"/"tonight" (evening), "after
   school" (afternoon), "after work" (evening). Mode: "online", "zoom", "remote", "virtual"
   mean online; "on campus", "campus", "in person", "face to face" mean on campus.
   Ordinals "the second one", "I'll take the first"; "number two", "option three".
7. Typos: a leftover word of five or more letters, beginning with the same letter as a
   subject word or weekday of six or more letters and at most one edit away from it (two
   from one of nine or more letters; a swap of neighbours is one edit): "pyhton", "javscript",
   "assmbly", "thrusday". Short words never match by typo, so "is", "at", "me" or "c" become
   a subject only if the roster lists them exactly as an alias.
8. Course numbers alone ("111B", "270") when exactly one roster course has that number.
9. A bare number as a time: only when the message also names something to search for (a
   subject, course, day, date, part of day, mode or tutor) and the number is not followed by
   a quantity word ("2 hours"). A message that is only a number is a choice, not a time.

Rules
-----

- Hours without am/pm: 1-7 mean pm and 8-11 mean am, because the center is open 8:00-21:00;
  12 is noon; 13-23 and zero-padded hours ("07:00") are 24-hour. A part of the day in the same
  message wins: "tomorrow morning at 7" is 7:00, "evening at 8" is 20:00.
- "this Friday" is the first Friday on or after today; "next Friday" is the Friday of next
  calendar week (weeks start on Monday). On Wednesday 2 December 2026: this Friday is
  4 December, next Friday 11 December, next Monday 7 December, next Wednesday 9 December.
  "today", "tonight", "tomorrow", "this Friday", "next Monday" and dates set both ``day`` and
  ``on_date``; a weekday alone ("Monday", "mondays") sets only ``day``.
- The first day, date, time and part of the day mentioned win, except that an explicit date
  wins over a weekday name ("Monday Dec 8" is Tuesday 8 December).
- Subjects are listed in the order mentioned, without duplicates.
- Both modes mentioned ("online or in person") means either: ``mode`` is None.
- Negation is not understood: "not python" still names Python.

Intent precedence
-----------------

The first rule that fits decides:

1. Nothing readable: UNKNOWN.
2. DONT_CANCEL: a negation a few words before a cancel verb: "don't cancel", "I do not want
   to cancel my booking", "no need to cancel". Never a cancellation of any kind.
   CANCEL_BOOKING: "cancel", "call off", "delete" or "remove" within a few words before
   "booking", "appointment", "session" or "reservation", or "can't make" one of those. So
   "cancel my booking" is not a mere CANCEL. ("drop" is not a cancel verb: "drop-in session".)
3. START_OVER: "start over", "restart", "reset", "begin again", "new search". The request is
   still filled in ("start over with java"), so the caller may search straight away.
4. OTHER_TUTORS: "other tutors", "who else", "anyone else", "other options", "a different
   tutor", "show me more". The request is filled in too ("who else teaches Python?").
5. CHOOSE: a number, a tutor named, or a picking phrase ("the ... one", "take", "pick",
   "choose", "go with") together with a day, time, part of day or mode ("the 10:30 one"), and
   no subject or course named (a subject means a new search). Any day or time found is in the
   request, for the caller to match against the slots on offer. "Monday at 10" on its own
   is a SEARCH; a caller that is offering slots may treat it as a pick.
6. SEARCH: the request has any search term. So "no, tuesday" and "never mind, java" search.
7. CANCEL: "cancel", "stop", "never mind", "forget it", "quit".
8. BACK: "back", "go back", "previous", "undo".
9. YES / NO: as :func:`parse_yes_no`, so "no thanks" is NO rather than THANKS.
10. HELP: "help", "what can you do", "how does this work".
11. THANKS: "thanks", "thank you", "ty", and goodbyes ("bye").
12. GREETING: "hi", "hello", "hey there", "good morning".
13. UNKNOWN.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "READ_LIMIT",
    "WEEKDAYS",
    "Intent",
    "Request",
    "SubjectTerm",
    "Understanding",
    "Vocabulary",
    "find_courses",
    "normalise_course_code",
    "parse_time",
    "parse_yes_no",
    "understand",
]

V = TypeVar("V")

READ_LIMIT = 2000
"""How many characters of a message are read; a real request is far shorter."""

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Department prefixes read as course codes even when the roster lists no course of theirs.
# Words that are also ordinary English ("art", "bus", "data") are left out on purpose, so
# "bus 10" is not a course; a roster course brings its own department in.
DEFAULT_DEPARTMENTS = frozenset(
    "ACCT ANTH ASTR BIO BIOL CHEM CIS CNIT COMM CS CSC ECE ECON EE ENGL ENGR ESL GEOG GEOL "
    "HIST LING MATH PHIL PHYS POLS PSY PSYC SOC SOCI SPAN STAT".split()
)


# --- The interface --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectTerm:
    """A subject as the roster spells it, with its lower-case aliases and course codes."""

    name: str
    aliases: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """The words of the roster: subjects and (tutor id, full name) pairs."""

    subjects: tuple[SubjectTerm, ...]
    tutors: tuple[tuple[int, str], ...] = ()


class Intent(StrEnum):
    """What the student wants from this message."""

    GREETING = "greeting"
    HELP = "help"
    SEARCH = "search"
    OTHER_TUTORS = "other_tutors"
    CHOOSE = "choose"
    CANCEL = "cancel"
    START_OVER = "start_over"
    BACK = "back"
    CANCEL_BOOKING = "cancel_booking"
    DONT_CANCEL = "dont_cancel"
    YES = "yes"
    NO = "no"
    THANKS = "thanks"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Request:
    """Search criteria found in a message; every field is optional."""

    subjects: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()
    day: str | None = None
    on_date: datetime.date | None = None
    time: datetime.time | None = None
    part_of_day: str | None = None
    mode: str | None = None

    def has_search_terms(self) -> bool:
        """Return whether the message named anything to search by."""
        return bool(self.subjects or self.courses or self.part_of_day or self.mode) or any(
            value is not None for value in (self.day, self.on_date, self.time)
        )

    def is_empty(self) -> bool:
        """Return whether nothing at all was found."""
        return not self.has_search_terms()


@dataclass(frozen=True)
class Understanding:
    """What one message means: the intent, the criteria, and any number or tutor picked."""

    intent: Intent
    request: Request
    number: int | None = None
    tutor_id: int | None = None
    text: str = ""

    def search_criteria(self) -> dict[str, object]:
        """Return the request in the shape of the session's ``lastSearchCriteria``."""
        request = self.request
        return {
            "skill": list(request.subjects),
            "day": request.day,
            "time": request.time.strftime("%H:%M") if request.time is not None else None,
            "partOfDay": request.part_of_day,
            "mode": request.mode,
            "text": self.text,
        }


def understand(text: str, *, vocabulary: Vocabulary, today: datetime.date) -> Understanding:
    """Return what the student meant by ``text``, reading dates relative to ``today``."""
    scan = _Scan(text)
    reading = _read(scan, _index_for(vocabulary), today)
    return Understanding(
        intent=_decide_intent(scan.words, reading),
        request=reading.request,
        number=reading.number,
        tutor_id=reading.tutor_id,
        text=text,
    )


def parse_yes_no(text: str) -> bool | None:
    """Return True for a plain yes, False for a plain no, None for anything else."""
    return _yes_no(_Scan(text).words)


def parse_time(text: str) -> datetime.time | None:
    """Return the time of day the text names, or None.

    Unlike :func:`understand`, a bare number is read as a time here ("10" is 10:00), since the
    caller asked for a time. Course codes and dates are skipped first.
    """
    scan = _Scan(text)
    # Taken only so that their numbers are not read as hours; any reference date will do.
    _take_courses(scan, DEFAULT_DEPARTMENTS)
    _take_dates(scan, datetime.date(2000, 1, 1))
    clocks = _take_clocks(scan)
    tokens = scan.tokens()
    part = _first(_PART_PHRASES.take(tokens))
    if not clocks:
        clocks = _take_bare_hour(tokens)
    return _time_of(clocks, part)


def normalise_course_code(text: str) -> str | None:
    """Return a course code as "CS 110A" from "cs110a", "CS 110A" or "cs-110a", else None."""
    match = _COURSE_CODE.fullmatch(_normalise(text).strip())
    return f"{match[1].upper()} {match[2].upper()}" if match else None


def find_courses(text: str, *, departments: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return every course code in the text, normalised, in order and without duplicates.

    Only codes of ``departments`` count (:data:`DEFAULT_DEPARTMENTS` by default), so words
    such as "at 10" or "mon 10" are not taken for courses.
    """
    known = DEFAULT_DEPARTMENTS if departments is None else frozenset(departments)
    return _in_order(_take_courses(_Scan(text), frozenset(d.upper() for d in known)))


# --- Normalising and scanning ---------------------------------------------------------------

_STRAIGHTEN = str.maketrans(
    "\u2018\u2019\u201a\u201b\u2032`\u201c\u201d\u2013\u2014\u2212", "''''''\"\"---"
)
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TOKEN = re.compile(r"[a-z0-9]+(?:\+\+|#)?")


def _normalise(text: str) -> str:
    """Return the first READ_LIMIT characters folded to plain lower-case ASCII where possible."""
    text = text[:READ_LIMIT].replace("\U0001f44d", " yes ").replace("\U0001f44e", " no ")
    text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _INVISIBLE.sub("", text).translate(_STRAIGHTEN).replace("'", "").lower()


def _words(text: str) -> tuple[str, ...]:
    """Return the tokens of a roster term, normalised as messages are."""
    return tuple(_TOKEN.findall(_normalise(text)))


@dataclass
class _Token:
    text: str
    start: int
    used: bool = False


class _Scan:
    """A normalised message whose understood parts are blanked out as readers take them."""

    def __init__(self, text: str) -> None:
        self.text = _normalise(text)
        self.rest = self.text
        self.words = tuple(_TOKEN.findall(self.text))

    def take(
        self, pattern: re.Pattern[str], read: Callable[[re.Match[str]], V | None]
    ) -> list[tuple[int, V]]:
        """Return (position, value) for each match ``read`` accepts, and blank those out."""
        found: list[tuple[int, V]] = []
        pieces: list[str] = []
        end = 0
        for match in pattern.finditer(self.rest):
            value = read(match)
            if value is None:
                continue
            found.append((match.start(), value))
            pieces += [self.rest[end : match.start()], " " * (match.end() - match.start())]
            end = match.end()
        if found:
            self.rest = "".join(pieces) + self.rest[end:]
        return found

    def tokens(self) -> list[_Token]:
        """Return the words not taken yet, with their positions."""
        return [_Token(m.group(), m.start()) for m in _TOKEN.finditer(self.rest)]


def _first(found: Iterable[tuple[int, V]]) -> V | None:
    """Return the value mentioned first, or None."""
    return min(found, key=lambda item: item[0], default=(0, None))[1]


def _in_order(found: Iterable[tuple[int, V]]) -> tuple[V, ...]:
    """Return the values in the order mentioned, each once."""
    return tuple(dict.fromkeys(value for _, value in sorted(found, key=lambda i: i[0])))


class _Phrases(Generic[V]):
    """Phrases to look for among the words of a message, indexed so most words are skipped.

    With ``joined``, a run of two or three words also matches a phrase written together
    ("java script" finds "javascript", "python 3" finds "python3").
    """

    def __init__(self, phrases: Mapping[tuple[str, ...], V], *, joined: bool = False) -> None:
        self.phrases = dict(phrases)
        self.joined: dict[str, V] = {}
        if joined:
            for words, value in phrases.items():
                self.joined.setdefault("".join(words), value)
        # A phrase can only start at a word that begins one, or at a prefix of a joined one.
        self.starts = {words[0] for words in phrases} | {
            key[:n] for key in self.joined for n in range(1, len(key) + 1)
        }
        self.longest = max(max(map(len, phrases), default=1), 3 if joined else 1)

    def take(self, tokens: list[_Token]) -> list[tuple[int, V]]:
        """Take each phrase found among the free tokens, longest first."""
        found: list[tuple[int, V]] = []
        i = 0
        while i < len(tokens):
            hit = self._at(tokens, i) if tokens[i].text in self.starts else None
            if hit is None:
                i += 1
                continue
            size, value = hit
            found.append((tokens[i].start, value))
            for token in tokens[i : i + size]:
                token.used = True
            i += size
        return found

    def _at(self, tokens: list[_Token], i: int) -> tuple[int, V] | None:
        """Return (size, value) of the longest phrase starting at token ``i``, or None."""
        for size in range(min(self.longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            if any(token.used for token in window):
                continue
            words = tuple(token.text for token in window)
            if words in self.phrases:
                return size, self.phrases[words]
            if size > 1 and "".join(words) in self.joined:
                return size, self.joined["".join(words)]
        return None


# --- Words and phrases ----------------------------------------------------------------------


def _spelled(spec: str, value: V) -> dict[tuple[str, ...], V]:
    """Return {phrase words: value} for phrases written "one|two words|three"."""
    return {tuple(phrase.split()): value for phrase in spec.split("|")}


class _DayRef(NamedTuple):
    kind: str  # "weekday" (no date), "this", "next" or "offset" (days from today)
    value: int
    part: str | None = None


_WEEKDAY_WORDS = {
    **dict.fromkeys(("monday", "mon", "mondays"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "tuesdays", "tusday"), 1),
    **dict.fromkeys(("wednesday", "wed", "weds", "wednesdays", "wensday", "wendsday"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "thursdays"), 3),
    **dict.fromkeys(("friday", "fri", "fridays"), 4),
    **dict.fromkeys(("saturday", "sat", "saturdays"), 5),
    **dict.fromkeys(("sunday", "sun", "sundays"), 6),
}
_TOMORROW_WORDS = ("tomorrow", "tomorow", "tommorow", "tommorrow", "tmrw", "tmr", "2morrow")
_PARTS = ("morning", "afternoon", "evening")


def _build_day_phrases() -> dict[tuple[str, ...], _DayRef]:
    phrases: dict[tuple[str, ...], _DayRef] = {}
    for word, weekday in _WEEKDAY_WORDS.items():
        phrases[(word,)] = _DayRef("weekday", weekday)
        for prefix in (("this",), ("coming",), ("this", "coming")):
            phrases[(*prefix, word)] = _DayRef("this", weekday)
        phrases[("next", word)] = _DayRef("next", weekday)
    phrases[("today",)] = _DayRef("offset", 0)
    phrases[("tonight",)] = _DayRef("offset", 0, "evening")
    for part in _PARTS:
        phrases[("this", part)] = _DayRef("offset", 0, part)
    for word in _TOMORROW_WORDS:
        phrases[(word,)] = _DayRef("offset", 1)
    phrases[("day", "after", "tomorrow")] = _DayRef("offset", 2)
    return phrases


_DAY_PHRASES = _Phrases(_build_day_phrases())

_PART_PHRASES = _Phrases(
    {
        **_spelled("morning|mornings", "morning"),
        **_spelled("afternoon|afternoons|after school", "afternoon"),
        **_spelled("evening|evenings|night|nights|after work", "evening"),
    }
)

_ONLINE, _ON_CAMPUS = "online", "on campus"
_MODE_PHRASES = _Phrases(
    {
        **_spelled(
            "online|on line|zoom|remote|remotely|virtual|virtually|video|google meet|webcam"
            "|from home",
            _ONLINE,
        ),
        **_spelled(
            "on campus|campus|in person|inperson|face to face|f2f|onsite|on site|irl"
            "|at the center|at the centre",
            _ON_CAMPUS,
        ),
    }
)

_NUMBER_WORDS = dict(
    zip("one two three four five six seven eight nine ten".split(), range(1, 11), strict=True)
)
_ORDINALS = {
    **dict(
        zip(
            "first second third fourth fifth sixth seventh eighth ninth tenth".split(),
            range(1, 11),
            strict=True,
        )
    ),
    **dict(zip("1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split(), range(1, 11), strict=True)),
}
_CHOICE_LEADS = tuple(
    _spelled("option|choice|number|num|pick|choose|take|select|go with|tutor|slot", None)
)
_CHOICE_WORD_PHRASES = _Phrases(
    {(*lead, word): n for lead in _CHOICE_LEADS for word, n in _NUMBER_WORDS.items()}
)
# What may follow an ordinal for it to be a pick: "the second one", "the first option",
# "I'll take the first" (nothing) or "the first please"; not "first thing in the morning".
_AFTER_ORDINAL = {"one", "option", "choice", "tutor", "slot", "time", "session", "person"}
_MAY_FOLLOW_ORDINAL = _AFTER_ORDINAL | {
    "please",
    "pls",
    "plz",
    "thanks",
    "thank",
    "then",
    "instead",
}
_PICK_VERBS = {"take", "pick", "choose", "select"}

# Words that, after a number, make it a quantity rather than a time or a choice.
_QUANTITY_WORDS = frozenset(
    "hour hours hr hrs h minute minutes min mins session sessions people person persons "
    "student students week weeks day days time times tutor tutors class classes month months "
    "year years of more x pages problems questions friends dollars".split()
)
_NUMBER_FILLER = frozenset(
    "please pls plz thanks thank you ty ok okay um uh hmm so just lets do go with i ill id "
    "take pick choose want the option number choice".split()
)

# Tutor first or last names that are also everyday words: they count only after "with" or
# "tutor", or as the whole message.
_NAME_WORDS = frozenset(
    "will may mark bill grace rose june april august sun joy hope faith chase art pat sue don "
    "ray max jack frank rich sky summer autumn dawn eve ivy lily gene guy hunter major miles "
    "penny reed rob sage stone wade warren young king long white brown green black park hall "
    "wood hill lee page bell price star chance an al ed jo am".split()
)
# Real words that sit one edit from a subject or weekday and must not be taken for it.
_NOT_TYPOS = frozenset("assemble assembled assembles sundae sundry".split())
_TYPO_TARGET_MIN = 6
_TYPO_WORD_MIN = 5

_KEYWORDS = frozenset(
    word
    for table in (_DAY_PHRASES, _PART_PHRASES, _MODE_PHRASES, _CHOICE_WORD_PHRASES)
    for phrase in table.phrases
    for word in phrase
)


# --- The roster index -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    subjects: _Phrases[str]
    typo_targets: dict[str, str | _DayRef]
    course_subjects: dict[str, str]
    courses_by_number: dict[str, tuple[str, ...]]
    departments: frozenset[str]
    tutor_phrases: _Phrases[int]
    guarded_names: dict[str, int]


def _index_for(vocabulary: Vocabulary) -> _Index:
    """Return the index of a vocabulary, cached when the vocabulary is hashable."""
    try:
        return _cached_index(vocabulary)
    except TypeError:  # built with lists instead of tuples: still works, just not cached
        return _build_index(vocabulary)


@functools.lru_cache(maxsize=16)
def _cached_index(vocabulary: Vocabulary) -> _Index:
    return _build_index(vocabulary)


def _build_index(vocabulary: Vocabulary) -> _Index:
    phrases: dict[tuple[str, ...], str] = {}
    typo_targets: dict[str, str | _DayRef] = {
        day.lower(): _DayRef("weekday", number) for number, day in enumerate(WEEKDAYS)
    }
    course_subjects: dict[str, str] = {}
    for subject in vocabulary.subjects:
        for term in (subject.name, *subject.aliases):
            words = _words(term)
            if not words:
                continue
            phrases.setdefault(words, subject.name)
            if len(words) == 1 and words[0].isalpha() and len(words[0]) >= _TYPO_TARGET_MIN:
                typo_targets.setdefault(words[0], subject.name)
        for course in subject.courses:
            code = normalise_course_code(course)
            if code is not None:
                course_subjects.setdefault(code, subject.name)
    by_number: dict[str, list[str]] = {}
    for code in course_subjects:
        by_number.setdefault(code.split()[1], []).append(code)
    tutor_phrases, guarded = _tutor_names(vocabulary.tutors)
    return _Index(
        subjects=_Phrases(phrases, joined=True),
        typo_targets=typo_targets,
        course_subjects=course_subjects,
        courses_by_number={number: tuple(codes) for number, codes in by_number.items()},
        departments=DEFAULT_DEPARTMENTS | {code.split()[0] for code in course_subjects},
        tutor_phrases=_Phrases(tutor_phrases),
        guarded_names=guarded,
    )


def _tutor_names(
    tutors: Iterable[tuple[int, str]],
) -> tuple[dict[tuple[str, ...], int], dict[str, int]]:
    """Return the names that pick a tutor: safe phrases, and names that need context."""
    full: dict[tuple[str, ...], int] = {}
    single: dict[str, set[int]] = {}
    for tutor_id, name in tutors:
        words = _words(name)
        if not words:
            continue
        full.setdefault(words, tutor_id)
        for word in {words[0], words[-1]}:
            if len(word) >= 2 and not word.isdigit():
                single.setdefault(word, set()).add(tutor_id)
    # A first or last name shared by two tutors picks neither; the full name still does.
    unique = {word: ids.pop() for word, ids in single.items() if len(ids) == 1}
    risky = _NAME_WORDS | _KEYWORDS
    safe = {(word,): tid for word, tid in unique.items() if word not in risky}
    guarded = {word: tid for word, tid in unique.items() if word in risky}
    return {**safe, **full}, guarded


# --- Readers that work on the text ----------------------------------------------------------

_COURSE_CODE = re.compile(r"([a-z]{2,5})[\s-]*(\d{1,3}[a-z]?)")
_COURSE_IN_TEXT = re.compile(r"(?<![a-z0-9])([a-z]{2,5})[\s-]*(\d{1,3}[a-z]?)(?![a-z0-9])")
_GOOD_PART_GREETING = re.compile(
    r"^[\W_]*(?:(?:hi|hello|hey)\b[\W_]*)?good[\W_]+(?:morning|afternoon|evening|day)\b"
)


def _take_courses(scan: _Scan, departments: frozenset[str]) -> list[tuple[int, str]]:
    def read(match: re.Match[str]) -> str | None:
        department = match[1].upper()
        return f"{department} {match[2].upper()}" if department in departments else None

    return scan.take(_COURSE_IN_TEXT, read)


_MONTHS = {
    **dict.fromkeys(("january", "jan"), 1),
    **dict.fromkeys(("february", "feb"), 2),
    **dict.fromkeys(("march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    "may": 5,
    **dict.fromkeys(("june", "jun"), 6),
    **dict.fromkeys(("july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A number followed by am/pm or a colon is a time: "may 3pm" is not the 3rd of May.
_NOT_A_TIME = r"(?!\s*(?:[ap]\.?m\b|[:.]\d))"
_SLASH_DATE = re.compile(r"(?<![\d/:])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?\b{_NOT_A_TIME}(?:,?\s*(\d{{4}})\b)?"
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b\.?")
_ON_THE_NTH = re.compile(r"\bon\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")


def _take_dates(scan: _Scan, today: datetime.date) -> list[tuple[int, datetime.date]]:
    def slash(match: re.Match[str]) -> datetime.date | None:
        year = int(match[3]) if match[3] else None
        if year is not None and year < 100:  # "12/7/26"
            year += 2000
        return _upcoming(today, int(match[1]), int(match[2]), year)

    def month_day(match: re.Match[str]) -> datetime.date | None:
        year = int(match[3]) if match[3] else None
        return _upcoming(today, _MONTHS[match[1]], int(match[2]), year)

    def day_month(match: re.Match[str]) -> datetime.date | None:
        return _upcoming(today, _MONTHS[match[2]], int(match[1]), None)

    def nth(match: re.Match[str]) -> datetime.date | None:
        return _upcoming_day_of_month(today, int(match[1]))

    return [
        *scan.take(_SLASH_DATE, slash),
        *scan.take(_MONTH_DAY, month_day),
        *scan.take(_DAY_MONTH, day_month),
        *scan.take(_ON_THE_NTH, nth),
    ]


def _upcoming(today: datetime.date, month: int, day: int, year: int | None) -> datetime.date | None:
    """Return month/day in ``year``, or the next such date on or after today; None if invalid."""
    try:
        if year is not None:
            return datetime.date(year, month, day)
        candidate = datetime.date(today.year, month, day)
        return candidate if candidate >= today else datetime.date(today.year + 1, month, day)
    except ValueError:  # 2/30, 13/1, or 29 February in a year without one
        return None


def _upcoming_day_of_month(today: datetime.date, day: int) -> datetime.date | None:
    """Return the next date on or after today that falls on this day of a month."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


@dataclass(frozen=True)
class _Clock:
    """A time as written, before the am/pm rules decide what it means."""

    hour: int
    minute: int = 0
    meridiem: str | None = None  # "a" or "p"
    twenty_four_hour: bool = False  # zero-padded ("07:00") or midnight

    def resolve(self, part_of_day: str | None) -> datetime.time | None:
        """Return the time meant, using the part of the day for a bare hour; None if invalid."""
        hour = self.hour
        if self.meridiem is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if self.meridiem == "p" else 0)
        elif self.twenty_four_hour or hour == 0 or hour >= 12:
            if hour > 23:
                return None
        elif part_of_day == "morning":
            pass
        elif part_of_day in ("afternoon", "evening") or hour <= _LAST_BARE_PM_HOUR:
            hour += 12
        return datetime.time(hour, self.minute) if 0 <= self.minute <= 59 else None


# The center opens at 8:00, so a bare "3" means 15:00 but a bare "9" means 9:00.
_LAST_BARE_PM_HOUR = 7

_MERIDIEM = r"(?:\s*(?P<m1>[ap])\.?m\b\.?|(?P<m2>[ap])\b)"
_QUANTITY_AHEAD = (
    r"(?!\s*(?:hours?|hrs?|minutes?|mins?|sessions?|people|persons?|students?|weeks?|days?"
    r"|times|tutors?|classes|months?|years?)\b)"
)
# "10-11am" starts at 10am and "11-1pm" at 11am: the start takes the end's am/pm unless that
# would put it after the end.
_RANGE_TIME = re.compile(
    rf"(?<![\d:])(\d{{1,2}})(?::([0-5]\d))?\s*(?:-|to|till|til|until)\s*(\d{{1,2}})(?::[0-5]\d)?"
    rf"{_MERIDIEM}"
)
_COLON_TIME = re.compile(rf"(?<![\d:])(\d{{1,2}}):(\d{{2}})(?![\d:]){_MERIDIEM}?")
_MERIDIEM_TIME = re.compile(rf"(?<![\d:])(\d{{1,2}}){_MERIDIEM}")
_NAMED_TIME = re.compile(r"\b(?:12\s*)?(noon|midday|mid-day|midnight)\b")
_OCLOCK_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*o\s*clock\b")
_ISH_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*-?ish\b")
_MARKED_TIME = re.compile(
    r"(?:\b(?:at|around|round|about|approx|approximately|by|after|before|from|between"
    rf"|until|till|til)\b|[@~])\s*(\d{{1,2}})\b(?![:/]){_QUANTITY_AHEAD}"
)


def _take_clocks(scan: _Scan) -> list[tuple[int, _Clock]]:
    def checked(clock: _Clock) -> _Clock | None:
        return clock if clock.resolve(None) is not None else None

    def colon(match: re.Match[str]) -> _Clock:
        # Taken even when impossible ("9:75"), so its numbers are not read as another time.
        hour, meridiem = match[1], match["m1"] or match["m2"]
        padded = hour.startswith("0") or int(hour) == 0
        return _Clock(int(hour), int(match[2]), meridiem, padded and not meridiem)

    def range_start(match: re.Match[str]) -> _Clock | None:
        start, end, meridiem = int(match[1]), int(match[3]), match["m1"] or match["m2"]
        if start % 12 > end % 12:
            meridiem = "a" if meridiem == "p" else "p"
        return checked(_Clock(start, int(match[2] or 0), meridiem))

    def with_meridiem(match: re.Match[str]) -> _Clock | None:
        return checked(_Clock(int(match[1]), 0, match["m1"] or match["m2"]))

    def named(match: re.Match[str]) -> _Clock:
        return _Clock(0, twenty_four_hour=True) if match[1] == "midnight" else _Clock(12)

    def hour(match: re.Match[str]) -> _Clock | None:
        return checked(_Clock(int(match[1]), twenty_four_hour=match[1].startswith("0")))

    return [
        *scan.take(_RANGE_TIME, range_start),
        *scan.take(_COLON_TIME, colon),
        *scan.take(_MERIDIEM_TIME, with_meridiem),
        *scan.take(_NAMED_TIME, named),
        *scan.take(_OCLOCK_TIME, hour),
        *scan.take(_ISH_TIME, hour),
        *scan.take(_MARKED_TIME, hour),
    ]


def _time_of(clocks: list[tuple[int, _Clock]], part_of_day: str | None) -> datetime.time | None:
    """Return the first valid time among the clocks found."""
    times = ((position, clock.resolve(part_of_day)) for position, clock in clocks)
    return _first((position, time) for position, time in times if time is not None)


_HASH_NUMBER = re.compile(r"#\s*(\d{1,2})\b")
_LEAD_NUMBER = re.compile(
    r"\b(?:option|choice|number|num|no\.|pick|choose|take|select|go with|tutor|slot)"
    rf"\s*#?\s*(\d{{1,2}})\b(?![:/]){_QUANTITY_AHEAD}"
)


def _take_choice_numbers(scan: _Scan) -> list[tuple[int, int]]:
    def read(match: re.Match[str]) -> int | None:
        number = int(match[1])
        return number if number >= 1 else None

    return [*scan.take(_HASH_NUMBER, read), *scan.take(_LEAD_NUMBER, read)]


# --- Readers that work on words -------------------------------------------------------------


def _take_tutor(tokens: list[_Token], index: _Index, *, alone: bool) -> int | None:
    found = index.tutor_phrases.take(tokens)
    for i, token in enumerate(tokens):
        if token.used or token.text not in index.guarded_names:
            continue
        if alone or (i > 0 and tokens[i - 1].text in ("with", "tutor")):
            found.append((token.start, index.guarded_names[token.text]))
            token.used = True
    return _first(found)


def _take_ordinals(tokens: list[_Token]) -> list[tuple[int, int]]:
    """Take "the second one", "the first option" and "I'll take the first"."""
    found = []
    for i, token in enumerate(tokens):
        if token.used or token.text not in _ORDINALS:
            continue
        if i > 0 and tokens[i - 1].text == "a":  # "wait a second"
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is not None and after.text not in _MAY_FOLLOW_ORDINAL:
            continue
        found.append((token.start, _ORDINALS[token.text]))
        token.used = True
        if after is not None and after.text in _AFTER_ORDINAL:
            after.used = True
    return found


def _take_typos(tokens: list[_Token], targets: Mapping[str, V]) -> list[tuple[int, V]]:
    """Take leftover words that are a small typo away from exactly one target."""
    found = []
    for token in tokens:
        word = token.text
        if token.used or len(word) < _TYPO_WORD_MIN or not word.isalpha() or word in _NOT_TYPOS:
            continue
        value = _closest(word, targets)
        if value is not None:
            found.append((token.start, value))
            token.used = True
    return found


def _closest(word: str, targets: Mapping[str, V]) -> V | None:
    """Return the value of the nearest target within its edit budget, unless two tie."""
    best: V | None = None
    best_distance: int | None = None
    tied = False
    for target, value in targets.items():
        if target[0] != word[0]:  # typos rarely hit the first letter; this keeps words apart
            continue
        distance = _edit_distance(word, target, 2 if len(target) >= 9 else 1)
        if distance is None:
            continue
        if best_distance is None or distance < best_distance:
            best, best_distance, tied = value, distance, False
        elif distance == best_distance and value != best:
            tied = True
    return None if tied else best


def _edit_distance(a: str, b: str, limit: int) -> int | None:
    """Return the edit distance (a swap of neighbours counts one) if within limit, else None."""
    if abs(len(a) - len(b)) > limit:
        return None
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:  # the distance can only grow from here
            return None
        before, previous = previous, row
    return previous[-1] if previous[-1] <= limit else None


def _take_course_numbers(tokens: list[_Token], index: _Index) -> list[tuple[int, str]]:
    """Take "111B" or "270" alone when exactly one roster course has that number."""
    found = []
    for token in tokens:
        if token.used or not _COURSE_NUMBER.fullmatch(token.text):
            continue
        codes = index.courses_by_number.get(token.text.upper(), ())
        if len(codes) == 1:
            found.append((token.start, codes[0]))
            token.used = True
    return found


_COURSE_NUMBER = re.compile(r"\d{3}[a-z]?|\d{2}[a-z]")


def _take_bare_hour(tokens: list[_Token]) -> list[tuple[int, _Clock]]:
    """Take the first free number that can be an hour and is not a quantity ("2 hours")."""
    for i, token in enumerate(tokens):
        if token.used or not token.text.isdigit() or len(token.text) > 2:
            continue
        if not 1 <= int(token.text) <= 23:
            continue
        if i + 1 < len(tokens) and tokens[i + 1].text in _QUANTITY_WORDS:
            continue
        token.used = True
        return [(token.start, _Clock(int(token.text), twenty_four_hour=token.text[0] == "0"))]
    return []


def _whole_message_number(words: tuple[str, ...]) -> int | None:
    """Return the number when the message is only a number, give or take "please"."""
    meaningful = [word for word in words if word not in _NUMBER_FILLER]
    if len(meaningful) != 1:
        return None
    word = meaningful[0]
    if word.isdigit() and 1 <= int(word) <= 99:
        return int(word)
    return _NUMBER_WORDS.get(word)


def _has_pick_phrase(words: tuple[str, ...]) -> bool:
    """Return whether the message picks ("take", "go with", "the ... one", "that one")."""
    if _PICK_VERBS.intersection(words) or " go with " in f" {' '.join(words)} ":
        return True
    for i, word in enumerate(words):
        if word in ("one", "ones") and {"the", "that", "this"}.intersection(words[:i]):
            return True
    return False


# --- Putting the request together -----------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    request: Request
    number: int | None
    tutor_id: int | None
    picks: bool  # a picking phrase ("the ... one", "take") was used


def _read(scan: _Scan, index: _Index, today: datetime.date) -> _Reading:
    """Run the readers in order over the message and assemble what they found."""
    scan.take(_GOOD_PART_GREETING, lambda match: True)
    courses = _take_courses(scan, index.departments)
    dates = _take_dates(scan, today)
    clocks = _take_clocks(scan)
    numbers = _take_choice_numbers(scan)

    tokens = scan.tokens()
    subjects = index.subjects.take(tokens)
    tutor_id = _take_tutor(tokens, index, alone=len(scan.words) == 1)
    day_refs = _DAY_PHRASES.take(tokens)
    parts = _PART_PHRASES.take(tokens)
    modes = _MODE_PHRASES.take(tokens)
    numbers += _CHOICE_WORD_PHRASES.take(tokens) + _take_ordinals(tokens)
    for position, typo in _take_typos(tokens, index.typo_targets):
        if isinstance(typo, _DayRef):
            day_refs.append((position, typo))
        else:
            subjects.append((position, typo))
    courses += _take_course_numbers(tokens, index)
    subjects += [(p, index.course_subjects[c]) for p, c in courses if c in index.course_subjects]

    parts += [(position, ref.part) for position, ref in day_refs if ref.part]
    part = _first(parts)
    day, on_date = _choose_day(day_refs, dates, today)
    found_modes = {mode for _, mode in modes}
    number = _first(numbers)
    if number is None:
        number = _whole_message_number(scan.words)
    context = subjects or courses or day or part or found_modes or tutor_id is not None
    if not clocks and context:
        clocks = _take_bare_hour(tokens)
    request = Request(
        subjects=_in_order(subjects),
        courses=_in_order(courses),
        day=day,
        on_date=on_date,
        time=_time_of(clocks, part),
        part_of_day=part,
        mode=found_modes.pop() if len(found_modes) == 1 else None,
    )
    return _Reading(request, number, tutor_id, _has_pick_phrase(scan.words))


def _choose_day(
    refs: list[tuple[int, _DayRef]],
    dates: list[tuple[int, datetime.date]],
    today: datetime.date,
) -> tuple[str | None, datetime.date | None]:
    """Return (weekday, date): the first date mentioned wins, else the first weekday."""
    resolved = [(position, _resolve_day(ref, today)) for position, ref in refs]
    resolved += [(position, date) for position, date in dates]
    on_date = _first((p, d) for p, d in resolved if isinstance(d, datetime.date))
    if on_date is not None:
        return WEEKDAYS[on_date.weekday()], on_date
    weekday = _first(resolved)
    return (WEEKDAYS[weekday], None) if isinstance(weekday, int) else (None, None)


def _resolve_day(ref: _DayRef, today: datetime.date) -> datetime.date | int:
    """Return the date a day reference means, or just the weekday number for "Monday"."""
    if ref.kind == "offset":
        return today + datetime.timedelta(days=ref.value)
    if ref.kind == "this":
        return today + datetime.timedelta(days=(ref.value - today.weekday()) % 7)
    if ref.kind == "next":
        return today + datetime.timedelta(days=7 - today.weekday() + ref.value)
    return ref.value


# --- Intent ---------------------------------------------------------------------------------

_BOOKING_NOUN = r"(?:booking|appointment|session|reservation|meeting)s?\b"
_CANCEL_VERB = r"(?:cancel|unbook|call off|delete|remove)"
# "don't cancel", "I do not want to cancel my booking", "please never cancel it": a negation
# a few words before the verb. ("can't make it" is a reason to cancel, not a negation.)
_NEGATED_CANCEL = re.compile(
    r"\b(?:dont|do not|doesnt|does not|didnt|did not|wont|will not|never|not|no need to)\s+"
    r"(?:\w+\s+){0,3}?" + _CANCEL_VERB + r"\b"
)
_CANCEL_BOOKING = re.compile(
    r"\b(?:cancel|unbook|call off|delete|remove)\s+(?:\w+\s+){0,3}?"
    + _BOOKING_NOUN
    + r"|\b(?:cant|cannot|can not|wont be able to|unable to) (?:make|attend|come to)\b"
    + r"(?:\s+\w+){0,3}?\s+"
    + _BOOKING_NOUN
)
_START_OVER = re.compile(
    r"\b(?:start(?:ing)? (?:over|again|fresh|afresh|from scratch)|restart|reset|begin again"
    r"|new search|from scratch|start a new (?:search|chat|conversation)|clear everything)\b"
)
_OTHER_TUTORS = re.compile(
    r"\b(?:other|another|different|more)\s+(?:\w+\s+){0,2}?(?:tutors?|options?|choices?"
    r"|people|persons?|ones?)\b"
    r"|\b(?:who|anyone|anybody|someone|somebody) else\b|\bothers\b"
    r"|\b(?:show|see|show me|any) more\b|^more\b"
)
_CANCEL = re.compile(
    r"\b(?:cancel|stop|never ?mind|nvm|forget (?:it|that|about it)|quit|exit|abort"
    r"|changed my mind)\b"
)
_BACK = re.compile(
    r"^(?:(?:oops|wait|sorry|um|uh|no|actually|please|can we|could we|lets|i want to"
    r"|i need to) )*(?:go )?back\b|\b(?:go|going|step|take me|get) back\b|\bprevious\b|\bundo\b"
)
_HELP = re.compile(
    r"\bhelp\b|\bwhat can (?:you|u|i) do\b|\bhow (?:does|do) (?:this|it|you) work\b"
    r"|\bhow do i (?:use|book)\b|\bwhat (?:do|can) i (?:say|ask)\b|\bcommands\b"
    r"|\binstructions\b|\bim (?:confused|lost)\b|\bi dont understand\b"
)
_THANKS = re.compile(
    r"\b(?:thanks|thank (?:you|u|ya)|thankyou|thx|thnx|thanx|ty|tysm|cheers|appreciate it"
    r"|much appreciated|bye|goodbye|see (?:you|ya))\b"
)
_GREETING = re.compile(
    r"^(?:hi+|hello+|hey+|hiya|heya|howdy|yo|greetings|hola|sup|whats up|wassup"
    r"|good (?:morning|afternoon|evening|day))\b"
)
_LATE_COMMANDS = ((_CANCEL, Intent.CANCEL), (_BACK, Intent.BACK))
_POLITE_COMMANDS = ((_HELP, Intent.HELP), (_THANKS, Intent.THANKS))


def _decide_intent(words: tuple[str, ...], reading: _Reading) -> Intent:
    """Return the intent, applying the precedence in the module docstring."""
    if not words:
        return Intent.UNKNOWN
    text = " ".join(words)
    for pattern, intent in (
        (_NEGATED_CANCEL, Intent.DONT_CANCEL),
        (_CANCEL_BOOKING, Intent.CANCEL_BOOKING),
        (_START_OVER, Intent.START_OVER),
        (_OTHER_TUTORS, Intent.OTHER_TUTORS),
    ):
        if pattern.search(text):
            return intent
    request = reading.request
    if _is_choice(reading) and not (request.subjects or request.courses):
        return Intent.CHOOSE
    if request.has_search_terms():
        return Intent.SEARCH
    for pattern, intent in _LATE_COMMANDS:
        if pattern.search(text):
            return intent
    answer = _yes_no(words)
    if answer is not None:
        return Intent.YES if answer else Intent.NO
    for pattern, intent in _POLITE_COMMANDS:
        if pattern.search(text):
            return intent
    return Intent.GREETING if _GREETING.match(text) else Intent.UNKNOWN


def _is_choice(reading: _Reading) -> bool:
    """Return whether the message picks a number, a tutor, or a slot by its day or time."""
    if reading.number is not None or reading.tutor_id is not None:
        return True
    request = reading.request
    slot_words = (request.day, request.on_date, request.time, request.part_of_day, request.mode)
    return reading.picks and any(value is not None for value in slot_words)


# --- Yes and no -----------------------------------------------------------------------------

_YES_PHRASES = (
    "yes|y|yeah|yea|ya|yah|yep|yup|yess|yes yes|sure|sure thing|ok|okay|okey|oki|k|kk"
    "|alright|all right|fine|sounds good|sounds great|sounds perfect|that works|works for me"
    "|please do|do it|go ahead|go for it|book it|lets do it|lets do that|correct|right"
    "|thats right|thats correct|exactly|perfect|great|definitely|absolutely|of course"
    "|certainly|affirmative|confirm|confirmed|i do|i think so|why not"
)
_NO_PHRASES = (
    "no|n|nope|nah|naw|not really|no thanks|no thank you|dont|do not|please dont|dont do it"
    "|dont book it|negative|not now|not yet|no way|never|i dont think so|definitely not"
    "|absolutely not|of course not|not at all|wrong|thats wrong|incorrect|not interested"
)
_YES_NO_FILLER = (
    "please|pls|plz|thanks|thank you|thank u|thx|ty|so much|very much|oh|um|uh|hmm|well"
    "|really|actually|i think|then|for now|lol|haha"
)


_YES_NO_TABLE = {
    **_spelled(_YES_NO_FILLER, None),
    **_spelled(_YES_PHRASES, True),
    **_spelled(_NO_PHRASES, False),
}
_YES_NO_LONGEST = max(map(len, _YES_NO_TABLE))


def _yes_no(words: tuple[str, ...]) -> bool | None:
    """Return True or False when the words are only yes (or only no) plus politeness."""
    if len(words) > 12:  # a sentence that long is saying something more than yes or no
        return None
    answers: set[bool] = set()
    i = 0
    while i < len(words):
        for size in range(min(_YES_NO_LONGEST, len(words) - i), 0, -1):
            phrase = words[i : i + size]
            if phrase in _YES_NO_TABLE:
                answer = _YES_NO_TABLE[phrase]
                if answer is not None:
                    answers.add(answer)
                i += size
                break
        else:
            return None  # a word that is neither yes, no nor politeness: "maybe", "but"
    return answers.pop() if len(answers) == 1 else None
