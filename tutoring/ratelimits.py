"""Rate limits (django-ratelimit's counters in the cache), answered with 429 and Retry-After.

``would_exceed`` counts one request against a limit and says how long to wait when it is
over. Limits are per chat session and per client address for turns and message posts, and
per client address for admin logins (settings ``RATE_LIMIT_*``).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_ratelimit.core import get_usage


def would_exceed(request: HttpRequest, *, group: str, key, rate: str) -> int | None:
    """Count this request; return the seconds to wait when it is over the limit, else None.

    ``key`` is anything django-ratelimit accepts: "ip", or a callable ``(group, request)``.
    """
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def too_many_requests_page(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    response = TemplateResponse(
        request, "too_many_requests.html", {"retry_after": retry_after}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def chat_write_wait(request: HttpRequest, session_id: str) -> int | None:
    """Count a chat write (turn or message) against the session's and the client's limits.

    Return the seconds to wait when either is exceeded, else None.
    """
    waits = [
        would_exceed(
            request,
            group="chat-session",
            key=lambda group, request: session_id,
            rate=settings.RATE_LIMIT_SESSION,
        ),
        would_exceed(request, group="chat-client", key="ip", rate=settings.RATE_LIMIT_CLIENT),
    ]
    over = [wait for wait in waits if wait is not None]
    return max(over) if over else None
