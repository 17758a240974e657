"""Normalising a message and scanning it: tokens, taken spans, phrase tables."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

READ_LIMIT = 4000
"""How many characters of a message are read: enough for a long message read to its end."""

_STRAIGHTEN = str.maketrans(
    "\u2018\u2019\u201a\u201b\u2032`\u201c\u201d\u2013\u2014\u2212", "''''''\"\"---"
)
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TOKEN = re.compile(r"[a-z0-9]+(?:\+\+|#)?")


# Thumbs up, OK hand and check marks are a yes; thumbs down a no.
_EMOJI_WORDS = (
    ("\U0001f44d", " yes "),
    ("\U0001f44c", " yes "),
    ("\u2705", " yes "),
    ("\u2714", " yes "),
    ("\U0001f44e", " no "),
)


def _normalise(text: str) -> str:
    """Return the first READ_LIMIT characters folded to plain lower-case ASCII where possible."""
    text = text[:READ_LIMIT]
    for emoji, word in _EMOJI_WORDS:
        text = text.replace(emoji, word)
    text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    text = _INVISIBLE.sub("", text).translate(_STRAIGHTEN).replace("'", "").lower()
    # "630 pm", "1030am": a clock time typed without its colon.
    return _COLONLESS_CLOCK.sub(r"\1:\2 \3", text)


_COLONLESS_CLOCK = re.compile(r"(?<![\d:/])(\d{1,2})([0-5]\d)\s*([ap]\.?m\b)")


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


def _spelled(spec: str, value: V) -> dict[tuple[str, ...], V]:
    """Return {phrase words: value} for phrases written "one|two words|three"."""
    return {tuple(phrase.split()): value for phrase in spec.split("|")}
