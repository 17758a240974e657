"""Security for what the lean handler serves: the JSON API, its docs and ``/health``.

Pages get their headers from the page middleware (``SecurityMiddleware``, django-csp,
``XFrameOptionsMiddleware``). The API is served by a handler with its own short middleware
list (``API_MIDDLEWARE``, tutoring/handlers.py), which ``ApiSecurityMiddleware`` heads:

- plain-HTTP requests are redirected to HTTPS exactly as pages are (Django's
  ``SecurityMiddleware`` logic and settings: ``SECURE_SSL_REDIRECT``,
  ``SECURE_REDIRECT_EXEMPT``), and HSTS, nosniff, Referrer-Policy and COOP are set the same way;
- every response is ``Cache-Control: no-store`` (answers about one student's session must not
  sit in a shared cache), may not be framed (``X-Frame-Options: DENY``), and carries a
  Content-Security-Policy: ``default-src 'none'`` for JSON, the pages' policy for HTML (the
  API docs).

It runs natively async on the lean handler: no thread hand-off per request.

``api_docs_enabled`` guards ``/api/docs`` and ``/api/openapi.json``: they exist only with
``API_DOCS=true`` (default: only with DEBUG), a 404 otherwise.
"""

import functools
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.middleware.security import SecurityMiddleware

# Nothing in a JSON answer may load, run or frame anything.
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ApiSecurityMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse | Awaitable]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        # Django's own rules, called inline (its MiddlewareMixin would hop threads under ASGI).
        self.security = SecurityMiddleware(get_response)
        self.page_policy = build_policy()

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        redirect = self.security.process_request(request)
        return self._secured(request, redirect or self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        redirect = self.security.process_request(request)
        return self._secured(request, redirect or await self.get_response(request))

    def _secured(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = self.security.process_response(request, response)
        headers = response.headers
        headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        is_html = headers.get("Content-Type", "").startswith("text/html")
        headers.setdefault("Content-Security-Policy", self.page_policy if is_html else JSON_POLICY)
        return response


def api_docs_enabled(view: Callable) -> Callable:
    """Serve the API's docs and OpenAPI description only when ``API_DOCS`` is on."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.API_DOCS:
            return HttpResponseNotFound()
        return view(request, *args, **kwargs)

    return wrapper
