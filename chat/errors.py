"""The one shape of every JSON error: ``{"error": code, "message": text}``."""

from django.http import JsonResponse

_DEFAULT_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "version_mismatch",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def error_response(
    status: int,
    code: str | None,
    message: str,
    *,
    details: list | None = None,
    retry_after: int | None = None,
) -> JsonResponse:
    """Return a JSON error response; ``code`` defaults to one named after the status."""
    body = {"error": code or _DEFAULT_CODES.get(status, "error"), "message": message}
    if details:
        body["details"] = details
    response = JsonResponse(body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
