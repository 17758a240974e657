"""Read a session's state and render it in the wire shapes of DESIGN.md.

Reads never lock (rule 6): they run outside any transaction and see the last commit. A
state carries a bounded page of the most recent messages, never the whole history.
"""

from django.conf import settings

from chat.models import BookingDraft, ChatMessage, ChatSession, SearchCriteria, SessionMatch
from tutoring.models import Tutor
from tutoring.ranking import tutor_json


def match_json(*, tutor: Tutor, score: float, reasoning: str, slots: list[dict]) -> dict:
    return {
        "tutor": tutor_json(tutor),
        "matchScore": score,
        "reasoning": reasoning,
        "availableSlots": slots,
    }


def session_match_json(match: SessionMatch) -> dict:
    return match_json(
        tutor=match.tutor,
        score=match.score,
        reasoning=match.reasoning,
        slots=match.available_slots,
    )


def message_json(message: ChatMessage) -> dict:
    data = {
        "seq": message.seq,
        "role": message.role,
        "content": message.content,
        "createdAt": message.created_at.isoformat(),
    }
    if message.tutor_match is not None:
        data["tutorMatch"] = message.tutor_match
    return data


def search_criteria_json(criteria: SearchCriteria | None) -> dict | None:
    if criteria is None:
        return None
    return {
        "skill": criteria.skills,
        "day": criteria.day,
        "time": criteria.time,
        "partOfDay": criteria.part_of_day,
        "mode": criteria.mode,
        "text": criteria.text,
    }


def booking_info_json(draft: BookingDraft | None) -> dict | None:
    if draft is None:
        return None
    return {
        "step": draft.step,
        "studentName": draft.student_name,
        "studentEmail": draft.student_email,
        "ccsfEmail": draft.college_email,
        "studentId": draft.student_id,
        "allowOtherStudents": draft.allow_other_students,
        "classes": draft.classes,
        "specificHelp": draft.specific_help,
        "additionalNotes": draft.additional_notes,
        "slot": draft.slot,
    }


def session_get(session_id: str) -> ChatSession | None:
    """Return the session with its one-to-one parts, or None."""
    return (
        ChatSession.objects.select_related("search_criteria", "booking_draft")
        .filter(pk=session_id)
        .first()
    )


def session_matches(session: ChatSession) -> list[SessionMatch]:
    return list(
        SessionMatch.objects.filter(session=session)
        .select_related("tutor")
        .prefetch_related("tutor__subjects")
        .order_by("kind", "position")
    )


def pending_match_json(matches: list[SessionMatch]) -> dict | None:
    pending = [m for m in matches if m.kind == SessionMatch.Kind.PENDING]
    return session_match_json(pending[0]) if pending else None


def available_tutors_json(matches: list[SessionMatch]) -> list[dict]:
    return [session_match_json(m) for m in matches if m.kind == SessionMatch.Kind.SHOWN]


def _one_to_one(session: ChatSession, name: str):
    try:
        return getattr(session, name)
    except (SearchCriteria.DoesNotExist, BookingDraft.DoesNotExist):
        return None


def session_search_criteria(session: ChatSession) -> SearchCriteria | None:
    return _one_to_one(session, "search_criteria")


def session_booking_draft(session: ChatSession) -> BookingDraft | None:
    return _one_to_one(session, "booking_draft")


def messages_page(
    session: ChatSession, *, after: int | None = None, before: int | None = None, limit: int
) -> list[ChatMessage]:
    """Return up to ``limit`` messages in ``seq`` order.

    With ``after``: the first ones after that seq. Otherwise the last ones before
    ``before`` (or the newest, when neither is given).
    """
    messages = ChatMessage.objects.filter(session=session)
    if after is not None:
        return list(messages.filter(seq__gt=after).order_by("seq")[:limit])
    if before is not None:
        messages = messages.filter(seq__lt=before)
    newest_first = list(messages.order_by("-seq")[:limit])
    return newest_first[::-1]


def session_state_json(session: ChatSession, *, message_limit: int | None = None) -> dict:
    """Return the whole state of a session with the most recent page of messages."""
    limit = settings.CHAT_STATE_MESSAGES if message_limit is None else message_limit
    messages = messages_page(session, limit=limit)
    matches = session_matches(session)
    oldest = messages[0].seq if messages else session.last_seq + 1
    return {
        "id": session.id,
        "version": session.version,
        "messages": [message_json(m) for m in messages],
        "messagesPage": {
            "total": session.last_seq,
            "hasOlder": oldest > 1,
            # Page backwards from here: GET .../messages?before=<oldest seq>&limit=N.
            "olderBefore": oldest if oldest > 1 else None,
        },
        "pendingMatch": pending_match_json(matches),
        "lastSearchCriteria": search_criteria_json(session_search_criteria(session)),
        "availableTutorsList": available_tutors_json(matches),
        "bookingInfo": booking_info_json(session_booking_draft(session)),
        "createdAt": session.created_at.isoformat(),
        "lastAccessedAt": session.last_activity_at.isoformat(),
    }
