"""Keep every answer under ``/api/`` JSON, whatever went wrong and wherever."""

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from chat.errors import error_response

_BODY_METHODS = {"POST", "PUT", "PATCH"}
_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This method is not allowed here.",
    500: "Something went wrong on our side; the request may be retried.",
}


class ApiErrorMiddleware:
    """Refuse bad hosts, oversized and non-JSON bodies up front; make every error JSON.

    Both sync- and async-capable: on the lean API handler (tutoring/asgi.py) it is the only
    middleware, and running it natively async saves a thread hand-off per request.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse | Awaitable]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        return self._refuse(request) or self._as_json(self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return await self.get_response(request)
        return self._refuse(request) or self._as_json(await self.get_response(request))

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return error_response(
                503,
                "database_unavailable",
                "The database is unavailable; try again shortly.",
                retry_after=settings.DATABASE_RETRY_AFTER,
            )
        return None

    def _as_json(self, response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        status = response.status_code
        converted = error_response(status, None, _MESSAGES.get(status, response.reason_phrase))
        if status == 405 and response.has_header("Allow"):
            converted["Allow"] = response["Allow"]
        converted.headers.setdefault("X-Content-Type-Options", "nosniff")
        return converted

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        """Return an error response for a request that must not reach a view, else None."""
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks for pages
        except DisallowedHost:
            return error_response(400, "bad_host", "This host name is not served here.")
        if request.method not in _BODY_METHODS:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, None, "Content-Length is not a number.")
        too_large = error_response(413, None, f"The request body is larger than {limit} bytes.")
        if length > limit:
            return too_large
        try:
            body = request.body
        except RequestDataTooBig:
            return too_large
        if body and request.content_type != "application/json":
            return error_response(415, None, "Send the request body as application/json.")
        return None
