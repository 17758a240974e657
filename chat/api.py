"""The JSON API for chat sessions (DESIGN.md, "HTTP API").

Thin adapters: parse with ``chat.schemas``, call ``chat.store`` or ``chat.state``, answer
JSON. Errors are ``{"error": code, "message": text}``; the handlers at the bottom map
every exception a client can cause to its status.

Every route under ``/session/<id>`` needs a credential for that session (``chat.credentials``):
its access token as ``Authorization: Bearer <token>``, or the browser's chat cookie for it
(writes with the cookie also need the CSRF token, as the pages do). Without one the answer is
the same 404 as for an unknown id, checked before the body is read, so nothing changes.
"""

import re

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf
from pydantic import Field, field_validator

from chat import credentials, state, store
from chat.assistant.turn import take_turn
from chat.errors import error_response
from chat.ids import SESSION_ID_PATTERN
from chat.models import ChatSession
from chat.responses import (
    AvailableTutorsOut,
    BookingInfoPartOut,
    CreatedOut,
    MessagePostedOut,
    MessagesOut,
    PendingMatchOut,
    SearchCriteriaPartOut,
    StateOut,
    TokenOut,
    TurnOut,
)
from chat.schemas import (
    IDEMPOTENCY_KEY,
    BookingInfoIn,
    InputModel,
    Match,
    MessageIn,
    SearchCriteriaIn,
    StatePatch,
)
from tutoring.api import router as tutoring_router
from tutoring.ratelimits import (
    RateLimited,
    chat_write_wait,
    session_create_wait,
    state_write_wait,
)
from tutoring.schemas import MAX_SEQ, errors
from tutoring.security import api_docs_enabled

api = NinjaAPI(
    title="Tutoring chat API",
    version="1",
    description=(
        "Durable chat sessions of the tutoring center's scheduling assistant. Writes accept "
        '`If-Match: "<version>"`; message posts accept `Idempotency-Key`.'
    ),
    urls_namespace="api",
    # Off in production unless API_DOCS=true (tutoring/security.py).
    docs_decorator=api_docs_enabled,
)
_SESSION_ID = re.compile(rf"^{SESSION_ID_PATTERN}$")
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SessionNotFoundError(Exception):
    """Raised for a malformed id, an unknown one, and a missing or wrong credential alike:
    all are the same plain 404."""


class CsrfRefused(Exception):
    """A write authorised by the browser's cookie came without a valid CSRF token."""


# --- credentials (chat.credentials does the checking) -------------------------------------------


def _path_session_id(request: HttpRequest) -> str:
    session_id = (
        request.resolver_match.kwargs.get("session_id", "") if request.resolver_match else ""
    )
    if not _SESSION_ID.match(session_id):
        raise SessionNotFoundError
    return session_id


class AccessToken(AuthBase):
    """``Authorization: Bearer <access token>`` of the session named in the path.

    A request that carries the header is judged by it alone: a wrong token is a 404 even
    with a good cookie.
    """

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "The accessToken returned when the session was created or rotated."

    def __call__(self, request: HttpRequest) -> ChatSession | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        session = credentials.session_for_token(
            _path_session_id(request), credentials.bearer_token(header)
        )
        if session is None:
            raise SessionNotFoundError
        return session


class BrowserCookie(AuthBase):
    """The chat page's cookie, when it opens the session named in the path."""

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_description = (
        "The chat page's signed cookie for this session (__Host-chat_session over HTTPS); "
        "writes also need the CSRF token in X-CSRFToken."
    )

    @property
    def openapi_name(self) -> str:
        return credentials.cookie_name()

    def __call__(self, request: HttpRequest) -> ChatSession:
        session = credentials.session_for_cookie(request, _path_session_id(request))
        if session is None:
            raise SessionNotFoundError
        # A cookie is sent by the browser on its own; a write must prove it came from our
        # own page, exactly as the pages' forms do.
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfRefused
        return session


router = Router(tags=["sessions"], auth=[AccessToken(), BrowserCookie()], by_alias=True)


# --- helpers ------------------------------------------------------------------------------


def _etag(version: int) -> str:
    return f'"{version}"'


def _json(
    data: dict | list | None, *, version: int | None = None, status: int = 200
) -> HttpResponse:
    response = JsonResponse(data, status=status, safe=False)
    if version is not None:
        response["ETag"] = _etag(version)
    return response


def _checked_id(session_id: str) -> str:
    if not _SESSION_ID.match(session_id):
        raise SessionNotFoundError
    return session_id


def _session(session_id: str) -> ChatSession:
    session = state.session_get(_checked_id(session_id))
    if session is None:
        raise SessionNotFoundError
    return session


def _authorised(request: HttpRequest) -> ChatSession:
    """Return the session the credential opened, as read while checking it."""
    return request.auth


def _expected_version(request: HttpRequest) -> int | None:
    """Return the version named by ``If-Match``, or None when any version will do."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    found = _IF_MATCH.match(raw)
    if found is None:
        raise HttpError(400, 'If-Match must be a version in quotes, for example "3".')
    return int(found.group(1))


def _idempotency_key(request: HttpRequest, body_client_id: str | None) -> str | None:
    header = request.headers.get("Idempotency-Key")
    if header is None:
        return body_client_id
    if not IDEMPOTENCY_KEY.match(header):
        raise HttpError(400, "Idempotency-Key must be 1 to 100 visible ASCII characters.")
    if body_client_id is not None and body_client_id != header:
        raise HttpError(400, "Idempotency-Key and clientId disagree.")
    return header


def _enforce_rate_limit(request: HttpRequest, session_id: str) -> None:
    wait = chat_write_wait(request, _checked_id(session_id))
    if wait is not None:
        raise RateLimited(wait, f"Too many messages; try again in {wait} seconds.")


def _state_response(session_id: str, *, status: int = 200) -> HttpResponse:
    session = _session(session_id)
    return _json(state.session_state_json(session), version=session.version, status=status)


def _part_response(session_id: str, part: str, session: ChatSession | None = None) -> HttpResponse:
    """Answer with one state part; ``session`` as already read, else read it now."""
    session = session or _session(session_id)
    if part in (store.PART_PENDING_MATCH, store.PART_AVAILABLE_TUTORS):
        matches = state.session_matches(session)
        value = (
            state.pending_match_json(matches)
            if part == store.PART_PENDING_MATCH
            else state.available_tutors_json(matches)
        )
    elif part == store.PART_SEARCH_CRITERIA:
        value = state.search_criteria_json(state.session_search_criteria(session))
    else:
        value = state.booking_info_json(state.session_booking_draft(session))
    return _json({part: value, "version": session.version}, version=session.version)


def _enforce_state_write_limit(session_id: str) -> None:
    wait = state_write_wait(_checked_id(session_id))
    if wait is not None:
        raise RateLimited(wait, f"Too many changes to this session; try again in {wait} seconds.")


def _write(request: HttpRequest, session_id: str):
    _enforce_state_write_limit(session_id)
    return store.session_write(_checked_id(session_id), expected_version=_expected_version(request))


# --- sessions -------------------------------------------------------------------------------


def _no_store(response: HttpResponse) -> HttpResponse:
    """Keep an answer that carries a secret out of every cache."""
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/sessions",
    response={201: CreatedOut, **errors(429, body=True)},
    auth=None,
    summary="Create a session with the greeting",
    description=(
        "Returns the state and, this once, `accessToken`: send it as "
        "`Authorization: Bearer <accessToken>` on every route of the session."
    ),
)
def create_session(request: HttpRequest):
    wait = session_create_wait(request)
    if wait is not None:
        raise RateLimited(
            wait, f"Too many new sessions from this address; try again in {wait} seconds."
        )
    session, token = credentials.session_create_with_token()
    session = _session(session.id)
    body = {**state.session_state_json(session), "accessToken": token}
    return _no_store(_json(body, version=session.version, status=201))


@router.post(
    "/session/{session_id}/token",
    response={200: TokenOut, **errors(403, 404, 429, body=True)},
    summary="Replace the access token",
    description="Returns a new `accessToken`; the one used until now stops working at once.",
)
def rotate_token(request: HttpRequest, session_id: str):
    _enforce_state_write_limit(session_id)
    token = credentials.access_token_rotate(_checked_id(session_id))
    return _no_store(_json({"accessToken": token}))


@router.get(
    "/session/{session_id}",
    response={200: StateOut, 304: None, **errors(404)},
    summary="The session's state and latest messages",
)
def get_session(request: HttpRequest, session_id: str):
    session = _authorised(request)
    if request.headers.get("If-None-Match") == _etag(session.version):
        response = HttpResponse(status=304)
        response["ETag"] = _etag(session.version)
        return response
    return _json(state.session_state_json(session), version=session.version)


@router.patch(
    "/session/{session_id}",
    response={200: StateOut, **errors(403, 404, 412, 429, body=True)},
    summary="Change some state parts at once",
)
def patch_session(request: HttpRequest, session_id: str, patch: StatePatch):
    given = patch.model_fields_set
    with _write(request, session_id) as write:
        if "pending_match" in given:
            write.set_pending_match(patch.pending_match)
        if "last_search_criteria" in given:
            write.set_search_criteria(patch.last_search_criteria)
        if "available_tutors_list" in given:
            write.set_available_tutors(patch.available_tutors_list or [])
        if "booking_info" in given:
            write.set_booking_info(patch.booking_info)
    return _state_response(session_id)


@router.delete(
    "/session/{session_id}",
    response={204: None, **errors(403, 404, 412, 429)},
    summary="Delete the session",
)
def delete_session(request: HttpRequest, session_id: str):
    _enforce_state_write_limit(session_id)
    store.session_delete(_checked_id(session_id), expected_version=_expected_version(request))
    return HttpResponse(status=204)


@router.post(
    "/session/{session_id}/reset",
    response={200: StateOut, **errors(403, 404, 412, 429, body=True)},
    summary="Back to the greeting-only state",
)
def reset_session(request: HttpRequest, session_id: str):
    with _write(request, session_id) as write:
        write.reset()
    return _state_response(session_id)


# --- messages -------------------------------------------------------------------------------


class MessagesQuery(Schema):
    after: int | None = Field(default=None, ge=0, le=MAX_SEQ)
    before: int | None = Field(default=None, ge=1, le=MAX_SEQ)
    limit: int = Field(default=50, ge=1, le=MAX_SEQ)


@router.get(
    "/session/{session_id}/messages",
    response={200: MessagesOut, **errors(404)},
    summary="Messages in seq order, a page at a time",
)
def list_messages(request: HttpRequest, session_id: str, query: Query[MessagesQuery]):
    if query.after is not None and query.before is not None:
        raise HttpError(400, "Give after or before, not both.")
    limit = min(query.limit, settings.CHAT_MAX_PAGE)
    session = _authorised(request)
    messages = state.messages_page(session, after=query.after, before=query.before, limit=limit)
    if query.before is not None or query.after is None:
        has_more = bool(messages) and messages[0].seq > 1
    else:
        has_more = bool(messages) and messages[-1].seq < session.last_seq
    return _json(
        {
            "messages": [state.message_json(m) for m in messages],
            "hasMore": has_more,
            "version": session.version,
        },
        version=session.version,
    )


@router.post(
    "/session/{session_id}/messages",
    response={
        201: MessagePostedOut,
        200: MessagePostedOut,
        **errors(403, 404, 409, 412, 429, body=True),
    },
    summary="Append a message (200 with Idempotent-Replayed: true for a retry)",
)
def post_message(request: HttpRequest, session_id: str, message: MessageIn):
    _enforce_rate_limit(request, session_id)
    stored, created, version = store.session_append_message(
        _checked_id(session_id),
        role=message.role,
        content=message.content,
        tutor_match=message.tutor_match,
        client_id=_idempotency_key(request, message.client_id),
        expected_version=_expected_version(request),
    )
    response = _json(
        {"message": state.message_json(stored), "version": version},
        version=version,
        status=201 if created else 200,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


# --- the assistant ------------------------------------------------------------------------------


class TurnIn(InputModel):
    text: str
    client_id: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("text")
    @classmethod
    def _text_fits(cls, value: str) -> str:
        return MessageIn._content_fits(value)


@router.post(
    "/session/{session_id}/turns",
    response={201: TurnOut, 200: TurnOut, **errors(403, 404, 409, 412, 429, body=True)},
    summary="The student says something; the assistant answers (200 for a retry)",
)
def post_turn(request: HttpRequest, session_id: str, turn: TurnIn):
    _enforce_rate_limit(request, session_id)
    result = take_turn(
        _checked_id(session_id),
        text=turn.text,
        client_id=_idempotency_key(request, turn.client_id),
        expected_version=_expected_version(request),
    )
    session = _session(session_id)
    response = _json(
        {
            "messages": [state.message_json(m) for m in result.messages],
            "state": state.session_state_json(session),
        },
        version=session.version,
        status=200 if result.replayed else 201,
    )
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


# --- state parts ------------------------------------------------------------------------------


@router.get(
    "/session/{session_id}/pending-match",
    response={200: PendingMatchOut, **errors(404)},
    summary="The pending match",
)
def get_pending_match(request: HttpRequest, session_id: str):
    return _part_response(session_id, store.PART_PENDING_MATCH, _authorised(request))


@router.put(
    "/session/{session_id}/pending-match",
    response={200: PendingMatchOut, **errors(403, 404, 412, 429, body=True)},
    summary="Replace the pending match",
)
def put_pending_match(request: HttpRequest, session_id: str, match: Match):
    with _write(request, session_id) as write:
        write.set_pending_match(match)
    return _part_response(session_id, store.PART_PENDING_MATCH)


@router.delete(
    "/session/{session_id}/pending-match",
    response={200: PendingMatchOut, **errors(403, 404, 412, 429)},
    summary="Clear the pending match",
)
def delete_pending_match(request: HttpRequest, session_id: str):
    with _write(request, session_id) as write:
        write.set_pending_match(None)
    return _part_response(session_id, store.PART_PENDING_MATCH)


@router.get(
    "/session/{session_id}/booking-info",
    response={200: BookingInfoPartOut, **errors(404)},
    summary="The booking in progress",
)
def get_booking_info(request: HttpRequest, session_id: str):
    return _part_response(session_id, store.PART_BOOKING_INFO, _authorised(request))


@router.put(
    "/session/{session_id}/booking-info",
    response={200: BookingInfoPartOut, **errors(403, 404, 412, 429, body=True)},
    summary="Replace the booking in progress",
)
def put_booking_info(request: HttpRequest, session_id: str, info: BookingInfoIn):
    with _write(request, session_id) as write:
        write.set_booking_info(info)
    return _part_response(session_id, store.PART_BOOKING_INFO)


@router.delete(
    "/session/{session_id}/booking-info",
    response={200: BookingInfoPartOut, **errors(403, 404, 412, 429)},
    summary="Clear the booking in progress",
)
def delete_booking_info(request: HttpRequest, session_id: str):
    with _write(request, session_id) as write:
        write.set_booking_info(None)
    return _part_response(session_id, store.PART_BOOKING_INFO)


@router.get(
    "/session/{session_id}/search-criteria",
    response={200: SearchCriteriaPartOut, **errors(404)},
    summary="The last search",
)
def get_search_criteria(request: HttpRequest, session_id: str):
    return _part_response(session_id, store.PART_SEARCH_CRITERIA, _authorised(request))


@router.put(
    "/session/{session_id}/search-criteria",
    response={200: SearchCriteriaPartOut, **errors(403, 404, 412, 429, body=True)},
    summary="Replace the last search",
)
def put_search_criteria(request: HttpRequest, session_id: str, criteria: SearchCriteriaIn):
    with _write(request, session_id) as write:
        write.set_search_criteria(criteria)
    return _part_response(session_id, store.PART_SEARCH_CRITERIA)


@router.get(
    "/session/{session_id}/available-tutors",
    response={200: AvailableTutorsOut, **errors(404)},
    summary="The tutors last shown",
)
def get_available_tutors(request: HttpRequest, session_id: str):
    return _part_response(session_id, store.PART_AVAILABLE_TUTORS, _authorised(request))


@router.put(
    "/session/{session_id}/available-tutors",
    response={200: AvailableTutorsOut, **errors(403, 404, 412, 429, body=True)},
    summary="Replace the tutors last shown",
)
def put_available_tutors(request: HttpRequest, session_id: str, tutors: list[Match]):
    if len(tutors) > 20:
        raise HttpError(400, "At most 20 tutors can be shown at once.")
    with _write(request, session_id) as write:
        write.set_available_tutors(tutors)
    return _part_response(session_id, store.PART_AVAILABLE_TUTORS)


api.add_router("/chat", router)
api.add_router("", tutoring_router)


# --- errors ---------------------------------------------------------------------------------


def _field_name(loc: tuple) -> str:
    """Return the field as the client names it: ``text``, not ninja's ``body.turn.text``."""
    if loc[:1] == ("body",):
        loc = loc[2:]  # "body" and the view's parameter name
    elif loc[:1] in (("query",), ("path",), ("header",)):
        loc = loc[1:]
    return ".".join(str(part) for part in loc)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "field": _field_name(tuple(error.get("loc", ()))),
            "problem": error.get("msg", "is invalid"),
        }
        for error in exc.errors
    ]
    first = details[0] if details else {"field": "", "problem": "is invalid"}
    message = f"{first['field'] or 'The request'}: {first['problem']}"
    return error_response(400, "invalid", message, details=details)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "bad_json" if exc.status_code == 400 and "parse" in exc.message else None
    return error_response(exc.status_code, code, exc.message)


@api.exception_handler(SessionNotFoundError)
@api.exception_handler(store.SessionNotFound)
@api.exception_handler(AuthenticationError)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One answer for "no such id", "ended" and "no credential for it", so that an id alone
    # tells nothing about the session it names.
    return error_response(404, "not_found", "There is no chat session with that id.")


@api.exception_handler(CsrfRefused)
def _csrf_refused(request: HttpRequest, exc: CsrfRefused) -> HttpResponse:
    return error_response(
        403,
        "csrf_failed",
        "A write with the browser's cookie needs the page's CSRF token (X-CSRFToken), or use "
        "the access token (Authorization: Bearer).",
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return error_response(429, "too_many_requests", exc.message, retry_after=exc.retry_after)


@api.exception_handler(store.VersionConflict)
def _stale(request: HttpRequest, exc: store.VersionConflict) -> HttpResponse:
    response = error_response(
        412,
        "version_mismatch",
        f"The session changed since you read it; it is now at version {exc.current_version}.",
    )
    response["ETag"] = _etag(exc.current_version)
    return response


@api.exception_handler(store.IdempotencyConflict)
def _reused_key(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(409, "idempotency_conflict", str(exc).capitalize() + ".")


@api.exception_handler(store.UnknownTutor)
def _unknown_tutor(request: HttpRequest, exc: store.UnknownTutor) -> HttpResponse:
    return error_response(400, "unknown_tutor", str(exc).capitalize() + ".")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    return error_response(
        503,
        "database_unavailable",
        "The database is unavailable; try again shortly.",
        retry_after=settings.DATABASE_RETRY_AFTER,
    )
