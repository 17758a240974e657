"""The roster index: subjects, aliases, course codes and tutor names, built once per roster.

Misspellings are measured with rapidfuzz rather than by hand:

- Subject and weekday typos ("pyhton", "thrusday") use its optimal string alignment distance
  (an edit, or a swap of neighbours, counts one), compiled, with the same small budgets as
  before: one edit, two for words of nine or more letters, first letter kept.
- Tutor names ("Prya", "marcos", "hanna") use its normalised similarity (``fuzz.ratio``, 80 or
  more): the mistakes allowed grow with the length of the name, which suits names of four to
  ten letters better than a fixed budget, and a word two names fit equally names neither.

Both run only on words no other reader took, and never on words common in messages, so "will",
"lines" or "have" do not become tutors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from tutoring import courses

from .lexicon import (
    _CHOICE_WORD_PHRASES,
    _MODE_PHRASES,
    _NAME_WORDS,
    _NOT_NAMES,
    _NOT_TYPOS,
    _PART_PHRASES,
    _TYPO_TARGET_MIN,
    _TYPO_WORD_MIN,
    DEFAULT_DEPARTMENTS,
    WEEKDAYS,
)
from .scanning import _normalise, _Phrases, _Scan, _Token, _words
from .times import _DAY_PHRASES, _DayRef

V = TypeVar("V")


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


def normalise_course_code(text: str) -> str | None:
    """Return a course code as "CS 110A" from "cs110a", "CS 110A" or "cs-110a", else None.

    The one grammar of ``tutoring.courses`` (pure, no models), after this module's own
    normalising (accents, invisible characters), so the import and the assistant agree.
    """
    return courses.normalise_course_code(_normalise(text))


_KEYWORDS = frozenset(
    word
    for table in (_DAY_PHRASES, _PART_PHRASES, _MODE_PHRASES, _CHOICE_WORD_PHRASES)
    for phrase in table.phrases
    for word in phrase
)


@dataclass(frozen=True)
class _Index:
    subjects: _Phrases[str]
    typo_targets: dict[str, str | _DayRef]
    course_subjects: dict[str, str]
    courses_by_number: dict[str, tuple[str, ...]]
    departments: frozenset[str]
    tutor_phrases: _Phrases[tuple[int, ...]]
    guarded_names: dict[str, tuple[int, ...]]
    fuzzy_names: dict[str, tuple[int, ...]]


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
    tutor_phrases, guarded, fuzzy = _tutor_names(vocabulary.tutors)
    return _Index(
        subjects=_Phrases(phrases, joined=True),
        typo_targets=typo_targets,
        course_subjects=course_subjects,
        courses_by_number={number: tuple(codes) for number, codes in by_number.items()},
        departments=DEFAULT_DEPARTMENTS | {code.split()[0] for code in course_subjects},
        tutor_phrases=_Phrases(tutor_phrases),
        guarded_names=guarded,
        fuzzy_names=fuzzy,
    )


def _tutor_names(
    tutors: Iterable[tuple[int, str]],
) -> tuple[
    dict[tuple[str, ...], tuple[int, ...]], dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]
]:
    """Return the names that name tutors: safe phrases, names that need context, and the
    first and last names a misspelling is compared with.

    A first or last name shared by two tutors ("Chris") names both; the full name names one.
    """
    full: dict[tuple[str, ...], tuple[int, ...]] = {}
    single: dict[str, list[int]] = {}
    for tutor_id, name in tutors:
        words = _words(name)
        if not words:
            continue
        full.setdefault(words, (tutor_id,))
        for word in dict.fromkeys((words[0], words[-1])):
            if len(word) >= 2 and not word.isdigit():
                single.setdefault(word, []).append(tutor_id)
    named = {word: tuple(dict.fromkeys(ids)) for word, ids in single.items()}
    risky = _NAME_WORDS | _KEYWORDS
    safe = {(word,): ids for word, ids in named.items() if word not in risky}
    guarded = {word: ids for word, ids in named.items() if word in risky}
    fuzzy = {word: ids for word, ids in named.items() if len(word) >= _FUZZY_NAME_MIN}
    return {**safe, **full}, guarded, fuzzy


# --- Readers that work on the text ----------------------------------------------------------

_COURSE_CODE = re.compile(r"([a-z]{2,5})[\s-]*(\d{1,4}[a-z]?)")
_COURSE_IN_TEXT = re.compile(r"(?<![a-z0-9])([a-z]{2,5})[\s-]*(\d{1,4}[a-z]?)(?![a-z0-9])")
_GOOD_PART_GREETING = re.compile(
    r"^[\W_]*(?:(?:hi|hello|hey)\b[\W_]*)?good[\W_]+(?:morning|afternoon|evening|day)\b"
)


def _take_courses(scan: _Scan, departments: frozenset[str]) -> list[tuple[int, str]]:
    def read(match: re.Match[str]) -> str | None:
        department = match[1].upper()
        return f"{department} {match[2].upper()}" if department in departments else None

    return scan.take(_COURSE_IN_TEXT, read)


# A name that is also a word ("Will", "Grace") names a tutor only next to words like these.
_NAME_BEFORE = frozenset(
    "with tutor see book get had want prefer ask and or about is does has can".split()
)
# "grace's times": a possessive names the tutor when a word about their time follows.
_POSSESSED = frozenset("times schedule availability hours slots time openings".split())
_NAME_AFTER = frozenset(
    "free available around teach teaches tutors then pls please instead again free".split()
)


_WHEN_AFTER = frozenset(
    "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday fri friday sat"
    " saturday sun sunday today tonight tomorrow tmrw tmr next this on at".split()
)


def _take_tutors(
    tokens: list[_Token], index: _Index, *, alone: bool
) -> list[tuple[int, tuple[int, ...]]]:
    """Take every tutor named: full names, unique or shared first and last names, and names
    that are also words when the context says they are names (misspellings come later, from
    :func:`_take_misspelt_tutors`, once subject words are taken)."""
    found = index.tutor_phrases.take(tokens)
    for i, token in enumerate(tokens):
        if token.used:
            continue
        before = tokens[i - 1].text if i > 0 else ""
        after = tokens[i + 1].text if i + 1 < len(tokens) else ""
        name = token.text
        if name not in index.guarded_names and after in _POSSESSED and name.endswith("s"):
            name = name[:-1]
        if name not in index.guarded_names:
            continue
        # "grace thu 6pm": a message that opens with the name and goes on to say when.
        opens_with_when = i == 0 and (after in _WHEN_AFTER or after[:1].isdigit())
        if (
            alone
            or opens_with_when
            or before in _NAME_BEFORE
            or after in _NAME_AFTER
            or after in _POSSESSED
        ):
            found.append((token.start, index.guarded_names[name]))
            token.used = True
    return found


def _take_misspelt_tutors(tokens: list[_Token], index: _Index) -> list[tuple[int, tuple[int, ...]]]:
    """Take leftover words that misspell a tutor's first or last name ("prya", "marcos")."""
    found = []
    for token in tokens:
        ids = None if token.used else _close_name(token.text, index.fuzzy_names)
        if ids is not None:
            found.append((token.start, ids))
            token.used = True
    return found


_FUZZY_NAME_MIN = 4
_FUZZY_NAME_SCORE = 80  # one wrong letter in a five-letter name ("prya", "marcos", "danial")


def _sounded(name: str) -> str:
    """Spell alike what sounds alike in names: "inez" is "ines", "kristin" is "cristin"."""
    return name.replace("z", "s").replace("ph", "f")


def _close_name(word: str, names: Mapping[str, tuple[int, ...]]) -> tuple[int, ...] | None:
    """Return the tutors whose first or last name ``word`` misspells, if exactly one name fits.

    rapidfuzz's normalised similarity (``fuzz.ratio``) scales the allowed mistakes with the
    length of the name, which a fixed edit budget does not, and it is compiled, so comparing
    every leftover word with every name stays well under a millisecond. Words that are common
    in messages are never compared, and the first letter must agree, as with subject typos.
    """
    if len(word) < _FUZZY_NAME_MIN or not word.isalpha() or word in _NOT_NAMES:
        return None
    if word in names or word in _NAME_WORDS:  # a name itself was read (or left) on purpose
        return None
    candidates = [name for name in names if name[0] == word[0]]
    scored = process.extract(
        word,
        candidates,
        scorer=fuzz.ratio,
        score_cutoff=_FUZZY_NAME_SCORE,
        limit=2,
        processor=_sounded,
    )
    if not scored or (len(scored) == 2 and scored[0][1] == scored[1][1]):
        return None
    return names[scored[0][0]]


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
    """Return the edit distance (a swap of neighbours counts one) if within limit, else None.

    rapidfuzz's optimal string alignment distance is exactly this measure, compiled.
    """
    distance = OSA.distance(a, b, score_cutoff=limit)
    return distance if distance <= limit else None


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
