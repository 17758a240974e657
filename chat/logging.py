"""A logging filter that never lets a whole session id reach a log line."""

import logging
import re

from chat.ids import SESSION_ID_LENGTH, short_session_id

# Anything shaped like a session id, standing on its own (paths, messages, reprs).
_SESSION_ID = re.compile(
    rf"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{{{SESSION_ID_LENGTH}}}(?![A-Za-z0-9_-])"
)


def redact_session_ids(text: str) -> str:
    return _SESSION_ID.sub(lambda found: short_session_id(found.group(0)), text)


class RedactSessionIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_session_ids(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
