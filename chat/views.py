"""The chat pages: thin adapters over chat.credentials, the assistant and chat.render.

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
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import credentials, state, store
from chat import render as chat_render
from chat.assistant.turn import take_turn
from chat.credentials import BrowserBinding
from chat.forms import SayForm
from chat.models import ChatSession, DeviceLink
from tutoring.models import Mode, Tutor
from tutoring.ratelimits import (
    chat_write_wait,
    session_create_wait,
    state_write_wait,
    too_many_requests_page,
)

logger = logging.getLogger(__name__)

_DATABASE_ERRORS = (OperationalError, InterfaceError)
# Pages that show or carry a device link's token send only the origin as Referer, so the token
# never travels in a Referer header. Not "no-referrer": Chromium then sends "Origin: null" with
# the pages' form posts, which Django's CSRF check refuses.
LINK_REFERRER_POLICY = "strict-origin"
# The largest id a row can have (a 64-bit signed integer); a larger number names nothing.
MAX_ROW_ID = 2**63 - 1


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
    binding: BrowserBinding,
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
    # Re-signed on every visit: the idle expiry starts again, the absolute one does not.
    credentials.set_cookie(response, binding)
    return _private(response)


def _browser(request: HttpRequest) -> tuple[BrowserBinding | None, ChatSession | None]:
    """Return this browser's cookie binding and the session it opens now (either may be None)."""
    binding = credentials.binding_from_request(request)
    return binding, credentials.session_for_binding(binding)


def _fresh_session() -> tuple[BrowserBinding, ChatSession]:
    session = store.session_create()
    return BrowserBinding.new(session.pk), session


def _no_longer_available() -> str:
    return _(
        "The conversation this browser had is no longer available here: it was ended "
        "(“New conversation”) or the link it was opened with was revoked. This is a new "
        "conversation."
    )


def _error_fragment(error: str) -> str:
    return render_to_string("chat/_error.html", {"error": error, "oob": True})


def _too_many_new_sessions(request: HttpRequest) -> HttpResponse | None:
    """Count a new session against the client's limit; return the 429 page when over it."""
    wait = session_create_wait(request)
    if wait is None:
        return None
    return _private(too_many_requests_page(request, retry_after=wait))


# --- the chat page ---------------------------------------------------------------------------


@require_GET
@database_unavailable_page
def page(request: HttpRequest) -> HttpResponse:
    """Show this browser's conversation; the first visit starts one."""
    binding, session = _browser(request)
    notice = ""
    if session is None:
        # A genuine cookie whose conversation has gone: say so, rather than silently
        # showing an empty conversation.
        notice = _no_longer_available() if binding is not None else ""
        if refused := _too_many_new_sessions(request):
            return refused
        binding, session = _fresh_session()
    return _page(request, session, binding, notice=notice)


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
    binding, session = _browser(request)
    shown = form.data.get("conversation")
    if session is None or (shown and shown != credentials.conversation_key(session.pk)):
        return _conversation_moved(request, form, binding, session)
    wait = chat_write_wait(request, session.pk)
    if wait is not None:
        message = _("You're sending messages very fast. Please wait %(seconds)s seconds.") % {
            "seconds": wait
        }
        response = _refused(request, session, binding, form, status=429, error=message)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _refused(request, session, binding, form, status=422, error=form.first_error)
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
        return _refused(request, session, binding, form, status=409, error=message, keep_text=False)
    except store.IdempotencyConflict:
        message = _("That message was already sent with different words. Please send it again.")
        return _refused(request, session, binding, form, status=409, error=message)
    except store.SessionNotFound:  # ended (or deleted) while this post was on its way
        return _conversation_moved(request, form, None, None)
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
    binding: BrowserBinding,
    form: SayForm,
    *,
    status: int,
    error: str,
    keep_text: bool = True,
) -> HttpResponse:
    """Answer a post that changed nothing: say why, keep the text, show the current state."""
    if not request.htmx:
        text = form.kept_text if keep_text else ""
        return _page(request, session, binding, status=status, error=error, text=text)
    # The page still has the text in its message box; it needs the error, and after a
    # conflict the current panel.
    body = _error_fragment(error)
    if status == 409:
        after = form.cleaned_data.get("after") if hasattr(form, "cleaned_data") else None
        after = session.last_seq if after is None else after
        body += chat_render.render_update(session, after_seq=after, request=request)
    return _private(HttpResponse(body, status=status))


def _conversation_moved(
    request: HttpRequest,
    form: SayForm,
    binding: BrowserBinding | None,
    session: ChatSession | None,
) -> HttpResponse:
    """Answer a post from a tab showing a conversation this browser has left (or lost).

    The text is never sent anywhere: not to the conversation the tab showed (this browser
    no longer holds it), and not to whatever conversation the browser holds now.
    """
    if session is None or binding is None:
        if refused := _too_many_new_sessions(request):
            return refused
        binding, session = _fresh_session()
    if request.htmx:
        # Reload the tab; chat.js put the typed text aside and puts it back after the reload.
        response = HttpResponse(status=409)
        response["HX-Refresh"] = "true"
        credentials.set_cookie(response, binding)
        return _private(response)
    form.is_valid()
    notice = _(
        "This browser has moved on to another conversation (started in another tab), so "
        "your message was not sent. Here is the current conversation; your text is in the "
        "message box."
    )
    return _page(request, session, binding, status=409, notice=notice, text=form.kept_text)


@require_GET
@database_unavailable_page
def earlier_messages(request: HttpRequest) -> HttpResponse:
    """Show the page of messages before ``?before=<seq>`` ("Show earlier messages")."""
    session = credentials.session_from_request(request)
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
    """End this browser's conversation for every holder and start a fresh one here.

    Ending it revokes its device links and its API token, and closes its open sockets on
    every device (``store.session_end``); the rows stay for staff and retention.
    """
    if refused := _too_many_new_sessions(request):
        return refused
    old = credentials.session_from_request(request)
    if old is not None:
        store.session_end(old.pk)
    binding, _session = _fresh_session()
    response = _see_other(reverse("chat:page"))
    credentials.set_cookie(response, binding)
    return _private(response)


# --- other devices -----------------------------------------------------------------------------


def _device_page(
    request: HttpRequest,
    session: ChatSession,
    binding: BrowserBinding,
    *,
    new_link: tuple[DeviceLink, str] | None = None,
) -> HttpResponse:
    context = {
        "links": credentials.device_links_listed(session.pk),
        "this_link_id": binding.link_id,
        "days": settings.DEVICE_LINK_DAYS,
        "nav": "chat",
    }
    if new_link is not None:
        link, token = new_link
        url = request.build_absolute_uri(reverse("chat:continue", args=[token]))
        qr = segno.make(url, error="m").svg_inline(
            scale=4, border=4, dark="#000", light="#fff", title=_("QR code of the link")
        )
        context.update(
            new_url=url,
            new_link=link,
            qr=mark_safe(qr),  # noqa: S308 - segno's own SVG of our own URL
        )
    response = render(request, "chat/device.html", context)
    response["Referrer-Policy"] = LINK_REFERRER_POLICY
    return _private(response)


@require_GET
@database_unavailable_page
def device(request: HttpRequest) -> HttpResponse:
    """List this conversation's live device links, each with a Revoke button."""
    binding, session = _browser(request)
    if session is None:
        return HttpResponseRedirect(reverse("chat:page"))
    return _device_page(request, session, binding)


@require_POST
@database_unavailable_page
def device_link_create(request: HttpRequest) -> HttpResponse:
    """Make a new link to this conversation and show it (and its QR code) this once.

    Only the token's hash is stored, so this answer is the only place its URL ever appears.
    """
    binding, session = _browser(request)
    if session is None:
        return _see_other(reverse("chat:page"))
    if wait := state_write_wait(session.pk):
        return _private(too_many_requests_page(request, retry_after=wait))
    try:
        new_link = credentials.device_link_issue(session.pk)
    except store.SessionNotFound:  # ended a moment ago
        return _see_other(reverse("chat:page"))
    return _device_page(request, session, binding, new_link=new_link)


@require_POST
@database_unavailable_page
def device_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    """Revoke one link: it opens nothing more, and browsers that came through it lose access."""
    session = credentials.session_from_request(request)
    if session is None:
        return _see_other(reverse("chat:page"))
    if link_id > MAX_ROW_ID:
        raise Http404("no such link")
    try:
        store.device_link_revoke(session.pk, link_id=link_id)
    except store.DeviceLinkNotFound:
        raise Http404("no such link")  # another conversation's link, or none at all
    except store.SessionNotFound:
        return _see_other(reverse("chat:page"))
    return _see_other(reverse("chat:device"))


def _link_invalid(request: HttpRequest) -> HttpResponse:
    response = render(request, "chat/link_invalid.html", {"nav": "chat"}, status=404)
    response["Referrer-Policy"] = LINK_REFERRER_POLICY
    return _private(response)


@require_http_methods(["GET", "POST"])
@database_unavailable_page
def continue_on_device(request: HttpRequest, token: str) -> HttpResponse:
    """Open the conversation a device link belongs to in this browser, once confirmed.

    GET only explains what will happen and asks; nothing switches without the confirming
    POST (with its CSRF token), so following someone else's link can never silently put a
    student into a conversation its owner reads.
    """
    link = credentials.device_link_for_token(token)
    if link is None:
        return _link_invalid(request)
    current = credentials.session_from_request(request)
    already_here = current is not None and current.pk == link.session_id
    if request.method == "POST":
        if already_here:
            return _see_other(reverse("chat:page"))
        if not store.device_link_use(link.session_id, link_id=link.pk):
            return _link_invalid(request)  # revoked or expired a moment ago
        response = _see_other(reverse("chat:page"))
        credentials.set_cookie(response, BrowserBinding.new(link.session_id, link_id=link.pk))
        response["Referrer-Policy"] = LINK_REFERRER_POLICY
        return _private(response)
    context = {"already_here": already_here, "has_conversation": current is not None}
    response = render(request, "chat/continue.html", context | {"nav": "chat"})
    response["Referrer-Policy"] = LINK_REFERRER_POLICY
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
