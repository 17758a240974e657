"""The intent of a message (the older, single-label reading kept beside the acts)."""

from __future__ import annotations

import re
from enum import StrEnum

from .lexicon import _NO_PHRASES, _YES_NO_FILLER, _YES_PHRASES
from .reading import _Reading
from .scanning import _spelled


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
    r"^(?:hi+|hello+|hey+|hiya|heya|howdy|yo|greetings|hola|sup|whats up|wassup|ola|buenas"
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
