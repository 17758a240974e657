"""The store's own promises: version bumps, after-commit notifications, atomic writes."""

import pytest
from django.db import transaction

from chat import store
from chat.models import ChatMessage, ChatSession
from chat.schemas import Match

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def changes():
    heard: list[store.SessionChange] = []

    def listener(sender, change, **kwargs):
        heard.append(change)

    store.session_changed.connect(listener)
    yield heard
    store.session_changed.disconnect(listener)


def test_a_change_is_announced_only_after_it_commits(changes):
    session = store.session_create()
    announced_inside: list[int] = []

    with transaction.atomic():
        message, _, version = store.session_append_message(session.id, role="user", content="hi")
        announced_inside.append(len(changes))

    assert announced_inside == [0]
    assert changes == [
        store.SessionChange(
            session_id=session.id,
            version=version,
            parts=frozenset({store.PART_MESSAGES}),
            message_ids=(message.pk,),
        )
    ]


def test_a_failed_write_rolls_back_everything_and_announces_nothing(changes, tutor_ada):
    session = store.session_create()
    stranger = Match.model_validate({"tutor": {"id": 999_999}, "matchScore": 0.5})

    def half_a_turn_then_a_bad_match():
        with store.session_write(session.id) as write:
            write.append_message(role="user", content="first half of a turn")
            write.set_pending_match(stranger)

    with pytest.raises(store.UnknownTutor):
        half_a_turn_then_a_bad_match()

    session.refresh_from_db()
    assert session.version == 1
    assert session.last_seq == 1
    assert not ChatMessage.objects.filter(content="first half of a turn").exists()
    assert changes == []


def test_a_write_that_changes_nothing_keeps_the_version(changes):
    session = store.session_create()

    with store.session_write(session.id):
        pass

    session.refresh_from_db()
    assert session.version == 1
    assert changes == []


def test_a_replayed_append_keeps_the_version_and_announces_nothing(changes):
    session = store.session_create()
    store.session_append_message(session.id, role="user", content="hi", client_id="k1")

    _, created, version = store.session_append_message(
        session.id, role="user", content="hi", client_id="k1"
    )

    assert created is False
    assert version == 2
    assert len(changes) == 1


def test_writing_an_unknown_session_raises_and_creates_nothing():
    with pytest.raises(store.SessionNotFound):
        store.session_append_message("B" * 32, role="user", content="hi")

    assert not ChatSession.objects.filter(pk="B" * 32).exists()


def test_deleting_a_session_removes_its_rows():
    session = store.session_create()
    store.session_append_message(session.id, role="user", content="hi")

    store.session_delete(session.id)

    assert not ChatSession.objects.filter(pk=session.id).exists()
    assert not ChatMessage.objects.filter(session_id=session.id).exists()
