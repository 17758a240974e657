"""The log filter under the names chat code and tests know it by.

It lives in ``tutoring.redaction``: tutoring's own log lines (the access log, bookings) need
it too, and ``tutoring`` never imports ``chat``.
"""

from tutoring.redaction import RedactLogRecords as RedactSessionIds
from tutoring.redaction import redact as redact_session_ids

__all__ = ["RedactSessionIds", "redact_session_ids"]
