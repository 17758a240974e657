"""Session ids: issued by the server, unguessable, and never logged in full (rule 7)."""

import secrets

# The shape is defined where log redaction recognises it (tutoring never imports chat).
from tutoring.redaction import SESSION_ID_LENGTH, short_id

# 24 random bytes from the OS CSPRNG = 192 bits, as 32 URL-safe characters.
SESSION_ID_BYTES = 24
SESSION_ID_PATTERN = rf"[A-Za-z0-9_-]{{{SESSION_ID_LENGTH}}}"


def new_session_id() -> str:
    """Return a fresh, unguessable session id."""
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def short_session_id(session_id: str) -> str:
    """Return the loggable form of a session id: enough to correlate, too little to use."""
    return short_id(session_id)
