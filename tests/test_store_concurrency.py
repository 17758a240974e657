"""The single-writer rule under real contention: threads with their own connections."""

from collections import Counter

import pytest

from chat import store
from chat.models import ChatMessage, ChatSession
from chat.schemas import BookingInfoIn, Match
from tests.threads import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_32_threads_appending_50_messages_each_lose_and_repeat_nothing():
    session = store.session_create()

    def writer(thread: int):
        def work():
            for n in range(50):
                store.session_append_message(
                    session.id, role="user", content=f"thread {thread} message {n}"
                )

        return work

    run_concurrently([writer(t) for t in range(32)])

    seqs = list(
        ChatMessage.objects.filter(session=session).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, 1 + 1 + 32 * 50))  # the greeting, then 1,600 appends
    contents = Counter(
        ChatMessage.objects.filter(session=session, role="user").values_list("content", flat=True)
    )
    assert len(contents) == 1600
    assert set(contents.values()) == {1}
    session.refresh_from_db()
    assert session.last_seq == 1601
    assert session.version == 1 + 1600


def test_concurrent_changes_to_different_parts_never_lose_each_other(tutor_ada):
    session = store.session_create()
    match = Match.model_validate(
        {"tutor": {"id": tutor_ada.id}, "matchScore": 0.8, "reasoning": "Python on Mondays"}
    )

    def set_match():
        for _ in range(20):
            with store.session_write(session.id) as write:
                write.set_pending_match(match)

    def set_booking():
        for n in range(20):
            with store.session_write(session.id) as write:
                write.set_booking_info(
                    BookingInfoIn.model_validate({"step": "name-email", "studentName": f"S {n}"})
                )

    def append():
        for n in range(20):
            store.session_append_message(session.id, role="user", content=f"m{n}")

    run_concurrently([set_match, set_booking, append])

    session.refresh_from_db()
    assert session.matches.get(kind="pending").tutor_id == tutor_ada.id
    assert session.booking_draft.student_name == "S 19"
    assert session.messages.count() == 21
    assert session.version == 1 + 60


def test_the_same_client_id_sent_by_many_threads_at_once_stores_one_message():
    session = store.session_create()

    def retry():
        message, created, _version = store.session_append_message(
            session.id, role="user", content="book me", client_id="retry-1"
        )
        return message.pk, created

    results = run_concurrently([retry for _ in range(8)])

    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert ChatMessage.objects.filter(session=session, content="book me").count() == 1


def test_writers_of_different_sessions_do_not_mix_their_sequences():
    sessions = [store.session_create() for _ in range(4)]

    def writer(session: ChatSession):
        def work():
            for n in range(25):
                store.session_append_message(session.id, role="user", content=f"{n}")

        return work

    run_concurrently([writer(s) for s in sessions for _ in range(2)])

    for session in sessions:
        seqs = list(session.messages.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, 52))
