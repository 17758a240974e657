"""The only module that writes chat session state (DESIGN.md, rules 1–4).

Every change happens inside ``session_write``: one transaction that locks the session row
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE, which
takes the database write lock), applies the change, bumps ``version`` and commits. Listeners
of ``session_changed`` hear about a change only after it has committed. docs/concurrency.md
explains why this is enough on each database.

Callers pass objects from ``chat.schemas`` (already validated); the store adds the checks
that need the database (a tutor id must name a real tutor).

A session's credentials (the hash of its API token, its device links, its end) are rows of
the session too, so they are written here, under the same lock; ``chat.credentials`` makes
the secrets and checks them. An ended session is, to every writer, a session that is gone.
"""

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.dispatch import Signal
from django.utils import timezone

from chat.ids import short_session_id
from chat.models import (
    BookingDraft,
    ChatMessage,
    ChatSession,
    DeviceLink,
    SearchCriteria,
    SessionMatch,
)
from chat.schemas import BookingInfoIn, Match, SearchCriteriaIn
from chat.state import match_json
from tutoring.models import Tutor

logger = logging.getLogger(__name__)

# Sent after commit with ``change=SessionChange``; the WebSocket fan-out listens here.
session_changed = Signal()
# Sent after commit with ``session_id=`` when who may use a session changed (it ended, a
# device link was revoked): open sockets re-check their credential (chat.broadcast).
session_access_changed = Signal()

PART_MESSAGES = "messages"
PART_PENDING_MATCH = "pendingMatch"
PART_SEARCH_CRITERIA = "lastSearchCriteria"
PART_AVAILABLE_TUTORS = "availableTutorsList"
PART_BOOKING_INFO = "bookingInfo"
PART_RESET = "reset"
PART_ASSISTANT = "assistant"


class SessionNotFound(Exception):
    """No session has that id (or it has ended: to writers, the same thing)."""


class DeviceLinkNotFound(Exception):
    """The session has no device link with that id."""


class VersionConflict(Exception):
    """The client's ``If-Match`` version is not the session's current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the session is at version {current_version}")
        self.current_version = current_version


class IdempotencyConflict(Exception):
    """A client id was reused for a different message."""


class UnknownTutor(Exception):
    """A match names a tutor id that does not exist or is inactive."""

    def __init__(self, tutor_id: int) -> None:
        super().__init__(f"there is no active tutor with id {tutor_id}")
        self.tutor_id = tutor_id


@dataclass(frozen=True)
class SessionChange:
    """What one committed write changed: what a broadcast needs to send."""

    session_id: str
    version: int
    parts: frozenset[str]
    message_ids: tuple[int, ...]


@dataclass
class SessionWrite:
    """The locked session inside ``session_write``, with the operations that change it."""

    session: ChatSession
    parts: set[str] = field(default_factory=set)
    new_messages: list[ChatMessage] = field(default_factory=list)
    _access_change_sent: bool = False

    def access_changed(self) -> None:
        """Tell open sockets, after commit, to re-check their credential (once per write)."""
        if self._access_change_sent:
            return
        self._access_change_sent = True
        session_id = self.session.pk
        transaction.on_commit(
            lambda: session_access_changed.send(sender=ChatSession, session_id=session_id)
        )

    def require_version(self, expected_version: int | None) -> None:
        """Raise ``VersionConflict`` unless the session is at ``expected_version`` (None: any)."""
        if expected_version is not None and self.session.version != expected_version:
            raise VersionConflict(self.session.version)

    def find_retry(self, *, client_id: str | None, role: str, content: str) -> ChatMessage | None:
        """Return the message already stored under ``client_id``, if this is a retry of it."""
        if client_id is None:
            return None
        earlier = ChatMessage.objects.filter(session=self.session, client_id=client_id).first()
        if earlier is not None and (earlier.role != role or earlier.content != content):
            raise IdempotencyConflict("this client id was already used for a different message")
        return earlier

    def append_message(
        self,
        *,
        role: str,
        content: str,
        tutor_match: Match | None = None,
        client_id: str | None = None,
    ) -> ChatMessage:
        """Append a message as the next ``seq``; check ``find_retry`` first for a client id."""
        tutor, snapshot = None, None
        if tutor_match is not None:
            tutor = _active_tutors([tutor_match])[tutor_match.tutor.id]
            snapshot = match_json(
                tutor=tutor,
                score=tutor_match.match_score,
                reasoning=tutor_match.reasoning,
                slots=_slots_json(tutor_match),
            )
        self.session.last_seq += 1
        message = ChatMessage.objects.create(
            session=self.session,
            seq=self.session.last_seq,
            role=role,
            content=content,
            tutor=tutor,
            tutor_match=snapshot,
            client_id=client_id,
        )
        self.new_messages.append(message)
        self.parts.add(PART_MESSAGES)
        return message

    def set_pending_match(self, match: Match | None) -> None:
        """Replace the pending match (None clears it)."""
        self._replace_matches(SessionMatch.Kind.PENDING, [match] if match else [])
        self.parts.add(PART_PENDING_MATCH)

    def set_available_tutors(self, matches: list[Match]) -> None:
        """Replace the list of tutors last shown."""
        self._replace_matches(SessionMatch.Kind.SHOWN, matches)
        self.parts.add(PART_AVAILABLE_TUTORS)

    def set_search_criteria(self, criteria: SearchCriteriaIn | None) -> None:
        """Replace the last search (None clears it)."""
        SearchCriteria.objects.filter(session=self.session).delete()
        if criteria is not None:
            SearchCriteria.objects.create(
                session=self.session,
                skills=criteria.skill,
                day=criteria.day,
                time=criteria.time,
                part_of_day=criteria.part_of_day,
                mode=criteria.mode,
                text=criteria.text,
            )
        self.parts.add(PART_SEARCH_CRITERIA)

    def set_booking_info(self, info: BookingInfoIn | None) -> None:
        """Replace the booking in progress (None clears it)."""
        BookingDraft.objects.filter(session=self.session).delete()
        if info is not None:
            BookingDraft.objects.create(
                session=self.session,
                step=info.step,
                student_name=info.student_name,
                student_email=info.student_email,
                college_email=info.college_email,
                student_id=info.student_id,
                allow_other_students=info.allow_other_students,
                classes=list(info.classes),
                specific_help=info.specific_help,
                additional_notes=info.additional_notes,
                slot=info.slot.model_dump(by_alias=True) if info.slot else None,
            )
        self.parts.add(PART_BOOKING_INFO)

    def set_assistant_context(self, context: dict) -> None:
        """Replace what the assistant remembers between turns (internal, not in the state)."""
        self.session.assistant_context = context
        self.parts.add(PART_ASSISTANT)

    def reset(self) -> None:
        """Forget everything and start again from the greeting."""
        ChatMessage.objects.filter(session=self.session).delete()
        SessionMatch.objects.filter(session=self.session).delete()
        SearchCriteria.objects.filter(session=self.session).delete()
        BookingDraft.objects.filter(session=self.session).delete()
        self.session.assistant_context = {}
        self.session.last_seq = 0
        self.new_messages.clear()
        self.parts.add(PART_RESET)
        self.append_message(role=ChatMessage.Role.ASSISTANT, content=settings.CHAT_GREETING)

    def _replace_matches(self, kind: str, matches: list[Match]) -> None:
        tutors = _active_tutors(matches)
        SessionMatch.objects.filter(session=self.session, kind=kind).delete()
        SessionMatch.objects.bulk_create(
            SessionMatch(
                session=self.session,
                kind=kind,
                position=position,
                tutor=tutors[match.tutor.id],
                score=match.match_score,
                reasoning=match.reasoning,
                available_slots=_slots_json(match),
            )
            for position, match in enumerate(matches)
        )


def _slots_json(match: Match) -> list[dict]:
    return [slot.model_dump(by_alias=True) for slot in match.available_slots]


def _active_tutors(matches: list[Match]) -> dict[int, Tutor]:
    wanted = {match.tutor.id for match in matches}
    if not wanted:
        return {}
    found = Tutor.objects.filter(pk__in=wanted, is_active=True).prefetch_related("subjects")
    tutors = {tutor.pk: tutor for tutor in found}
    for tutor_id in sorted(wanted - tutors.keys()):
        raise UnknownTutor(tutor_id)
    return tutors


@contextmanager
def session_write(
    session_id: str, *, expected_version: int | None = None, include_ended: bool = False
) -> Iterator[SessionWrite]:
    """Lock the session for one atomic change; commit (and bump version) on clean exit.

    Raise ``SessionNotFound`` for an unknown id or an ended session (unless
    ``include_ended``: ending and deleting) and ``VersionConflict`` when
    ``expected_version`` is given and stale. An exception inside the block rolls back
    everything it did. Checked under the lock, so a write that waited while the session
    was being ended is refused, not applied to the ended session.
    """
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().filter(pk=session_id).first()
        if session is None or (session.ended_at is not None and not include_ended):
            raise SessionNotFound(session_id)
        write = SessionWrite(session=session)
        write.require_version(expected_version)
        yield write
        if write.parts:
            session.version += 1
            session.last_activity_at = timezone.now()
            session.save(
                update_fields=["version", "last_seq", "last_activity_at", "assistant_context"]
            )
            change = SessionChange(
                session_id=session.id,
                version=session.version,
                parts=frozenset(write.parts),
                message_ids=tuple(message.pk for message in write.new_messages),
            )
            transaction.on_commit(lambda: session_changed.send(sender=ChatSession, change=change))


def session_create(*, access_token_hash: str | None = None) -> ChatSession:
    """Create a session holding only the greeting (and an API token's hash); return it."""
    with transaction.atomic():
        session = ChatSession.objects.create(access_token_hash=access_token_hash)
        ChatMessage.objects.create(
            session=session, seq=1, role=ChatMessage.Role.ASSISTANT, content=settings.CHAT_GREETING
        )
        session.last_seq = 1
        session.save(update_fields=["last_seq"])
    logger.debug("chat session created: %s", short_session_id(session.id))
    return session


def session_delete(session_id: str, *, expected_version: int | None = None) -> None:
    """Delete the session and every row it holds."""
    with session_write(session_id, expected_version=expected_version, include_ended=True) as write:
        write.session.delete()
        # Nothing to bump: the row is gone, and so is anyone's reason to listen.
        write.parts.clear()
    logger.debug("chat session deleted: %s", short_session_id(session_id))


# --- credentials: rows of the session, written under its lock like its state -----------------
# None of these is part of the session's state (no API shape shows them), so ``version``
# stays and ``session_changed`` is not sent.


def session_end(session_id: str) -> bool:
    """End the session for every holder: its API token, its device links, every cookie.

    The rows stay (staff, retention); ``chat.credentials`` refuses an ended session
    everywhere, and open sockets are told to re-check. Return False if it had already ended.
    """
    with session_write(session_id, include_ended=True) as write:
        session = write.session
        if session.ended_at is not None:
            return False
        now = timezone.now()
        session.ended_at = now
        session.access_token_hash = None
        session.save(update_fields=["ended_at", "access_token_hash"])
        DeviceLink.objects.filter(session=session, revoked_at__isnull=True).update(revoked_at=now)
        write.access_changed()
    logger.info("chat session ended: %s", short_session_id(session_id))
    return True


def session_set_access_token(session_id: str, *, token_hash: str) -> None:
    """Replace the hash of the session's API token: the old token stops working at once."""
    with session_write(session_id) as write:
        write.session.access_token_hash = token_hash
        write.session.save(update_fields=["access_token_hash"])
    logger.info("chat session access token replaced: %s", short_session_id(session_id))


def device_link_create(
    session_id: str, *, token_hash: str, expires_at: datetime.datetime
) -> DeviceLink:
    """Store a new device link of the session (only its token's hash); return it."""
    with session_write(session_id) as write:
        link = DeviceLink.objects.create(
            session=write.session,
            token_hash=token_hash,
            created_at=timezone.now(),
            expires_at=expires_at,
        )
    logger.info("device link %s made for chat session %s", link.pk, short_session_id(session_id))
    return link


def device_link_revoke(session_id: str, *, link_id: int) -> bool:
    """Revoke one of the session's device links; browsers that came through it lose access.

    Raise ``DeviceLinkNotFound`` if the session has no such link; return False if it was
    already revoked.
    """
    with session_write(session_id) as write:
        link = DeviceLink.objects.filter(session=write.session, pk=link_id).first()
        if link is None:
            raise DeviceLinkNotFound(link_id)
        if link.revoked_at is not None:
            return False
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        write.access_changed()
    logger.info("device link %s revoked: %s", link_id, short_session_id(session_id))
    return True


def device_link_use(session_id: str, *, link_id: int) -> bool:
    """Record that the link switched a browser now, if it still may; return whether it may.

    Checked under the lock, so a link revoked (or a session ended) a moment ago never
    switches another browser.
    """
    try:
        with session_write(session_id) as write:
            link = DeviceLink.objects.filter(session=write.session, pk=link_id).first()
            now = timezone.now()
            if link is None or not link.can_be_opened(now):
                return False
            link.last_used_at = now
            link.save(update_fields=["last_used_at"])
    except SessionNotFound:
        return False
    logger.info("device link %s opened: %s", link_id, short_session_id(session_id))
    return True


@dataclass(frozen=True)
class PurgedSession:
    """What is left of a purged session: enough to count, nothing that names it."""

    short_id: str
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    messages: int


def sessions_purge_idle(*, idle_before: datetime.datetime, limit: int = 500) -> list[PurgedSession]:
    """Delete up to ``limit`` sessions last active before ``idle_before``, with all their rows.

    The sessions are locked and the idle condition checked under the lock, so a session
    being written at this moment is never deleted: on PostgreSQL its row lock makes the
    purge skip it (``SKIP LOCKED``; its write moves ``last_activity_at`` on anyway), and on
    SQLite the purge waits for the database write lock and then sees the committed activity.
    A writer that waits on a purged session gets ``SessionNotFound``. Return what went,
    oldest activity first; fewer than ``limit`` means no idle session is left to take.
    """
    with transaction.atomic():
        locked = list(
            ChatSession.objects.select_for_update(skip_locked=True)
            .filter(last_activity_at__lt=idle_before)
            .order_by("last_activity_at", "pk")
            .values_list("pk", "created_at", "last_activity_at")[:limit]
        )
        ids = [pk for pk, _created, _active in locked]
        counts = dict(
            ChatMessage.objects.filter(session_id__in=ids)
            .values("session_id")
            .annotate(n=Count("pk"))
            .values_list("session_id", "n")
        )
        # Messages, matches, search criteria and booking drafts go with their session.
        ChatSession.objects.filter(pk__in=ids).delete()
    for pk, *_ in locked:
        logger.debug("chat session purged: %s", short_session_id(pk))
    return [
        PurgedSession(short_session_id(pk), created, active, counts.get(pk, 0))
        for pk, created, active in locked
    ]


def session_append_message(
    session_id: str,
    *,
    role: str,
    content: str,
    tutor_match: Match | None = None,
    client_id: str | None = None,
    expected_version: int | None = None,
) -> tuple[ChatMessage, bool, int]:
    """Append one message; return it, whether it is new, and the session's version.

    A retry (same ``client_id``) returns the stored message even when the version has
    moved on since: the retry is answered, not judged stale.
    """
    with session_write(session_id) as write:
        earlier = write.find_retry(client_id=client_id, role=role, content=content)
        if earlier is not None:
            return earlier, False, write.session.version
        write.require_version(expected_version)
        message = write.append_message(
            role=role, content=content, tutor_match=tutor_match, client_id=client_id
        )
    return message, True, write.session.version
