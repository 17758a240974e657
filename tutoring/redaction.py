"""What a log line may hold: ids shortened, request data unable to forge a line.

Whole chat session ids and booking uids are credentials (a session id opens a conversation; a
booking uid opens the booking's cancel page and calendar file with the student's name and
email), and requests carry them in their paths, so every log record passes through
``RedactLogRecords`` (settings.LOGGING puts it on every handler): anything shaped like a
session id or a booking uid is cut to a short form that correlates lines without opening
anything, "continue on another device" tokens are dropped, and control characters (newlines,
escapes, bidi overrides) are written as escapes, so a ``%0A`` in a URL cannot start a forged
line in the plain format. The filter works on the text, so no caller can forget it; the
app's own lines use the short forms too (``short_id``), so they hold nothing even without it.

This lives in ``tutoring`` (the project package) because tutoring's own code logs paths and
bookings and ``tutoring`` never imports ``chat``; ``chat.ids`` takes the session-id shape from
here.
"""

import logging
import re
import uuid

# Chat session ids (issued by chat.ids): 32 URL-safe characters.
SESSION_ID_LENGTH = 32
SHORT_ID_CHARS = 6

# Anything shaped like a session id, standing on its own (paths, messages, reprs). A booking
# uid's 32-hex-digit form (uuid.hex) has this shape too.
_SESSION_ID = re.compile(
    rf"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{{{SESSION_ID_LENGTH}}}(?![A-Za-z0-9_-])"
)
# Booking uids in their usual form (paths /bookings/<uid>.ics and /bookings/<uid>/cancel).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# "Continue on another device" tokens in paths (chat.credentials): credentials until revoked.
_DEVICE_TOKEN = re.compile(r"(/continue/)[^\s/?#]+")

# C0 and C1 controls (newline, carriage return, escape …), line and paragraph separators,
# bidi marks and overrides (U+202E shows text reversed), and lone surrogates (which a stream
# cannot even encode).
_OTHER_CONTROLS = r"\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(rf"[\x00-\x1f{_OTHER_CONTROLS}]")
_CONTROL_BUT_NEWLINE = re.compile(rf"[\x00-\x09\x0b-\x1f{_OTHER_CONTROLS}]")
_LINE = re.compile(r"^", re.MULTILINE)
_FLUSH_LINE = re.compile(r"^(?! )", re.MULTILINE)
_ESCAPES = {"\n": r"\n", "\r": r"\r", "\t": r"\t"}


def short_id(value: object) -> str:
    """Return the loggable form of an id or uid: enough to correlate, too little to use."""
    return f"{str(value)[:SHORT_ID_CHARS]}…"


def short_booking_uid(uid: uuid.UUID | str) -> str:
    """Return the loggable form of a booking's public uid ("3f2a9c…")."""
    return short_id(uid)


def redact(text: str) -> str:
    """Return ``text`` with session ids and booking uids shortened and device tokens dropped."""
    text = _DEVICE_TOKEN.sub(r"\1…", text)
    text = _UUID.sub(lambda found: short_id(found.group(0)), text)
    return _SESSION_ID.sub(lambda found: short_id(found.group(0)), text)


def escape_controls(text: str) -> str:
    """Return ``text`` with every control character written as an escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_escape, text)


def _escape(found: re.Match) -> str:
    char = found.group(0)
    if char in _ESCAPES:
        return _ESCAPES[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def loggable(text: str) -> str:
    """Return ``text`` as a log line may hold it: redacted, on one line, no controls."""
    # Redact first: an escape written next to an id ("\\n" + id) would hide its shape.
    return escape_controls(redact(text))


def _indented(text: str, *, only_flush_lines: bool = False) -> str:
    """Return multi-line text (a traceback) redacted, its lines indented.

    Formatters write it on the lines after the record's own; a record line never starts
    with a space, so nothing inside a traceback (an exception's message may quote request
    data) can pass for a line of its own. With ``only_flush_lines`` only lines that do not
    start with a space are indented, which makes it idempotent.
    """
    text = _CONTROL_BUT_NEWLINE.sub(_escape, redact(text))
    return (_FLUSH_LINE if only_flush_lines else _LINE).sub("    ", text)


# Attributes every LogRecord has; anything else came in through ``extra`` (Django's request
# logging passes the request itself, whose repr holds the path) and is written out by the
# JSON formatter, so it is made loggable too.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}
_TRACEBACK_FORMATTER = logging.Formatter()


class RedactLogRecords(logging.Filter):
    """Make every record loggable: see the module docstring. Safe to apply more than once."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = loggable(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRIBUTES or isinstance(value, (int, float, bool, type(None))):
                continue
            setattr(record, name, loggable(str(value)))
        if record.exc_info:
            # Formatted here, so every formatter prints the redacted text; with exc_info
            # cleared, a second pass of this filter leaves it alone.
            text = record.exc_text or _TRACEBACK_FORMATTER.formatException(record.exc_info)
            record.exc_text, record.exc_info = _indented(text), None
        if record.stack_info:
            record.stack_info = _indented(record.stack_info, only_flush_lines=True)
        return True
