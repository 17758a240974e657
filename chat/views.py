"""The chat pages: thin adapters over chat.binding, the assistant and chat.render.

Every control is a plain ``<form method="post">`` or link, so the pages work without
JavaScript; with htmx, ``POST /say`` answers with the same out-of-band update the WebSocket
sends (``chat.render.render_update``) instead of a redirect. Nothing slow runs here: under
daphne all sync code of a process shares one thread (tutoring/handlers.py).
"""

import functools
import logging

import segno
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chat import binding, state, store
from chat import render as chat_render
from chat.assistant.conversation import take_turn
from chat.forms import SayForm
from chat.models import ChatSession
from tutoring.models import Mode, Tutor
from tutoring.ratelimits import chat_write_wait

logger = logging.getLogger(__name__)

_DATABASE_ERRORS = (OperationalError, InterfaceError)


# --- helpers ---------------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a page about one student's conversation out of shared caches and indexes."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _unavailable(request: HttpRequest, context: dict | None = None) -> HttpResponse:
    response = render(request, "chat/unavailable.html", context or {}, status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    return _private(response)


def database_unavailable_page(view):
    """Answer 503 with a friendly page (not Django's 500) while the database is down."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _DATABASE_ERRORS:
            logger.warning("database unavailable for a chat page", exc_info=True)
            return _unavailable(request)

    return wrapper


def _page(
    request: HttpRequest,
    session: ChatSession,
    *,
    status: int = 200,
    error: str = "",
    text: str = "",
    notice: str = "",
) -> HttpResponse:
    context = {
        **chat_render.page_context(session),
        "nav": "chat",
        "error": error,
        "text": text,
        "notice": notice,
    }
    response = render(request, "chat/page.html", context, status=status)
    # Re-sent on every visit, so the cookie expires 180 days after the last one.
    binding.bind_session(response, session.pk)
    return _private(response)


def _error_fragment(error: str) -> str:
    return render_to_string("chat/_error.html", {"error": error, "oob": True})


# --- the chat page ---------------------------------------------------------------------------


@require_GET
@database_unavailable_page
def page(request: HttpRequest) -> HttpResponse:
    """Show this browser's conversation; the first visit starts one."""
    session = binding.session_from_request(request) or store.session_create()
    return _page(request, session)


@require_POST
def say(request: HttpRequest) -> HttpResponse:
    """Let the student say something: a typed message, a button, or a form step's fields."""
    form = SayForm(request.POST)
    try:
        return _say(request, form)
    except _DATABASE_ERRORS:
        logger.warning("database unavailable for a chat message", exc_info=True)
        if request.htmx:
            # chat.js keeps the text and resends it with the same client id.
            response = HttpResponse(_("The server is unavailable."), status=503)
            response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
            return response
        form.is_valid()
        return _unavailable(request, {"resend": form.data, "text": form.kept_text})


def _say(request: HttpRequest, form: SayForm) -> HttpResponse:
    session = binding.session_from_request(request)
    shown = form.data.get("conversation")
    if session is None or (shown and shown != binding.conversation_key(session.pk)):
        return _conversation_moved(request, form, session)
    wait = chat_write_wait(request, session.pk)
    if wait is not None:
        message = _("You're sending messages very fast. Please wait %(seconds)s seconds.") % {
            "seconds": wait
        }
        response = _refused(request, session, form, status=429, error=message)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _refused(request, session, form, status=422, error=form.first_error)
    data = form.cleaned_data
    try:
        result = take_turn(
            session.pk,
            text=data["message"],
            client_id=data["client_id"],
            expected_version=data["version"],
        )
    except store.VersionConflict:
        message = _(
            "The conversation moved on (perhaps in another tab), so that choice was not "
            "sent. Here is where it stands now."
        )
        return _refused(request, session, form, status=409, error=message, keep_text=False)
    except store.IdempotencyConflict:
        message = _("That message was already sent with different words. Please send it again.")
        return _refused(request, session, form, status=409, error=message)
    except store.SessionNotFound:
        return _conversation_moved(request, form, None)
    if not request.htmx:
        return _see_other(reverse("chat:page"))
    session = state.session_get(session.pk)
    after = result.messages[0].seq - 1
    if data["after"] is not None:
        after = min(after, data["after"])
    update = chat_render.render_update(session, after_seq=after, request=request)
    return _private(HttpResponse(update + _error_fragment("")))


def _refused(
    request: HttpRequest,
    session: ChatSession,
    form: SayForm,
    *,
    status: int,
    error: str,
    keep_text: bool = True,
) -> HttpResponse:
    """Answer a post that changed nothing: say why, keep the text, show the current state."""
    if not request.htmx:
        text = form.kept_text if keep_text else ""
        return _page(request, session, status=status, error=error, text=text)
    # The page still has the text in its message box; it needs the error, and after a
    # conflict the current panel.
    body = _error_fragment(error)
    if status == 409:
        after = form.cleaned_data.get("after") if hasattr(form, "cleaned_data") else None
        after = session.last_seq if after is None else after
        body += chat_render.render_update(session, after_seq=after, request=request)
    return _private(HttpResponse(body, status=status))


def _conversation_moved(
    request: HttpRequest, form: SayForm, session: ChatSession | None
) -> HttpResponse:
    """Answer a post from a tab showing a conversation this browser has left (or lost)."""
    session = session or store.session_create()
    if request.htmx:
        # Reload the tab; chat.js put the typed text aside and puts it back after the reload.
        response = HttpResponse(status=409)
        response["HX-Refresh"] = "true"
        binding.bind_session(response, session.pk)
        return _private(response)
    form.is_valid()
    notice = _(
        "This browser has moved on to another conversation (started in another tab), so "
        "your message was not sent. Here is the current conversation; your text is in the "
        "message box."
    )
    return _page(request, session, status=409, notice=notice, text=form.kept_text)


@require_GET
@database_unavailable_page
def earlier_messages(request: HttpRequest) -> HttpResponse:
    """Show the page of messages before ``?before=<seq>`` ("Show earlier messages")."""
    session = binding.session_from_request(request)
    if session is None:
        return HttpResponseRedirect(reverse("chat:page"))
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        before = session.last_seq + 1
    before = max(1, min(before, session.last_seq + 1))
    earlier = state.messages_page(session, before=before, limit=chat_render.page_size())
    context = {**chat_render.history_context(earlier), "nav": "chat"}
    template = "chat/_earlier_update.html" if request.htmx else "chat/messages.html"
    return _private(render(request, template, context))


@require_POST
@database_unavailable_page
def new_conversation(request: HttpRequest) -> HttpResponse:
    """Start a fresh conversation in this browser; links to the old one stop working."""
    old = binding.session_from_request(request)
    if old is not None:
        try:
            store.session_rotate_device_link(old.pk)
        except store.SessionNotFound:
            pass
    session = store.session_create()
    response = _see_other(reverse("chat:page"))
    binding.bind_session(response, session.pk)
    return _private(response)


# --- other devices -----------------------------------------------------------------------------


@require_GET
@database_unavailable_page
def device(request: HttpRequest) -> HttpResponse:
    """Show a link and a QR code that open this conversation on another device."""
    session = binding.session_from_request(request)
    if session is None:
        return HttpResponseRedirect(reverse("chat:page"))
    token = binding.device_link_token(session)
    url = request.build_absolute_uri(reverse("chat:continue", args=[token]))
    qr = segno.make(url, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=_("QR code of the link")
    )
    context = {
        "url": url,
        "qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our own URL
        "days": binding.DEVICE_LINK_MAX_AGE // 86400,
        "nav": "chat",
    }
    response = render(request, "chat/device.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


@require_GET
@database_unavailable_page
def continue_on_device(request: HttpRequest, token: str) -> HttpResponse:
    """Open the conversation a device link names in this browser, then show it."""
    session = binding.session_from_device_token(token)
    if session is None:
        return _private(render(request, "chat/link_invalid.html", {"nav": "chat"}, status=404))
    response = _see_other(reverse("chat:page"))
    binding.bind_session(response, session.pk)
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


# --- the tutor directory -----------------------------------------------------------------------


@require_GET
@database_unavailable_page
def tutors(request: HttpRequest) -> HttpResponse:
    """List every active tutor with subjects and weekly hours (the center's local time)."""
    directory = Tutor.objects.filter(is_active=True).prefetch_related("subjects", "availability")
    rows = [
        {
            "tutor": tutor,
            "subjects": [subject.name for subject in tutor.subjects.all()],
            "hours": [
                {
                    "day": window.get_weekday_display(),
                    "start": window.start,
                    "end": window.end,
                    "mode": Mode(window.mode).label,
                    "room": window.location if window.mode == Mode.ON_CAMPUS else "",
                }
                for window in tutor.availability.all()
            ],
        }
        for tutor in directory
    ]
    context = {"tutors": rows, "time_zone": settings.CENTER_TIME_ZONE, "nav": "tutors"}
    return render(request, "chat/tutors.html", context)
