"""A logging filter that never lets a whole session id (or a link that opens one) reach a log."""

import logging
import re

from chat.ids import SESSION_ID_LENGTH, short_session_id

# Anything shaped like a session id, standing on its own (paths, messages, reprs).
_SESSION_ID = re.compile(
    rf"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{{{SESSION_ID_LENGTH}}}(?![A-Za-z0-9_-])"
)

# "Continue on another device" tokens in paths (chat.binding): credentials for a week.
_DEVICE_TOKEN = re.compile(r"(/continue/)[^\s/?#]+")


def redact_session_ids(text: str) -> str:
    text = _DEVICE_TOKEN.sub(r"\1…", text)
    return _SESSION_ID.sub(lambda found: short_session_id(found.group(0)), text)


# Attributes every LogRecord has; anything else came in through ``extra`` (Django's request
# logging passes the request itself, whose repr holds the path) and is written out by the
# JSON formatter, so it is redacted too.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class RedactSessionIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_session_ids(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRIBUTES or isinstance(value, (int, float, bool, type(None))):
                continue
            setattr(record, name, redact_session_ids(str(value)))
        return True
