"""Keep every answer under ``/api/`` JSON, whatever went wrong and wherever."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
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
    """Refuse oversized and non-JSON bodies up front, and turn any non-JSON error into one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        refused = self._refuse_body(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            status = response.status_code
            converted = error_response(status, None, _MESSAGES.get(status, response.reason_phrase))
            if status == 405 and response.has_header("Allow"):
                converted["Allow"] = response["Allow"]
            return converted
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return error_response(
                503,
                "database_unavailable",
                "The database is unavailable; try again shortly.",
                retry_after=settings.DATABASE_RETRY_AFTER,
            )
        return None

    def _refuse_body(self, request: HttpRequest) -> HttpResponse | None:
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
