"""Session ids are issued by the server, unguessable and never logged in full (rule 7)."""

import logging
import random
import re
import secrets

import pytest

from chat import ids, store
from chat.logging import RedactSessionIds, redact_session_ids


def test_10000_issued_ids_are_distinct_and_well_formed():
    issued = [ids.new_session_id() for _ in range(10_000)]

    assert len(set(issued)) == 10_000
    assert all(re.fullmatch(ids.SESSION_ID_PATTERN, i) for i in issued)


def test_ids_are_drawn_from_secrets_with_at_least_128_bits(monkeypatch):
    calls: list[int] = []
    real_token_urlsafe = secrets.token_urlsafe

    def spy(nbytes: int) -> str:
        calls.append(nbytes)
        return real_token_urlsafe(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", spy)

    session_id = ids.new_session_id()

    # secrets is Python's interface to the OS CSPRNG.
    assert calls == [ids.SESSION_ID_BYTES]
    assert calls[0] * 8 >= 128
    assert len(session_id) == ids.SESSION_ID_LENGTH


def test_ids_are_a_function_of_the_csprng_output_alone(monkeypatch):
    monkeypatch.setattr(secrets, "token_urlsafe", lambda nbytes: "Z" * 32)

    assert ids.new_session_id() == "Z" * 32


def test_ids_do_not_depend_on_the_seedable_random_module():
    random.seed(1)
    first = ids.new_session_id()
    random.seed(1)
    second = ids.new_session_id()

    assert first != second


@pytest.mark.django_db
def test_a_created_session_gets_a_server_issued_id():
    session = store.session_create()

    assert re.fullmatch(ids.SESSION_ID_PATTERN, session.id)


def test_log_lines_never_carry_a_whole_session_id():
    session_id = ids.new_session_id()
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/api/chat/session/{session_id}/messages",),
        None,
    )

    RedactSessionIds().filter(record)

    line = record.getMessage()
    assert session_id not in line
    assert f"/api/chat/session/{session_id[:6]}…/messages" in line
    assert redact_session_ids("plain words stay") == "plain words stay"
