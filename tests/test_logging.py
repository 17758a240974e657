"""Log lines hold no personal data and no whole session ids."""

import logging

import pytest
from django.core.management import call_command
from django.test import Client

from chat.logging import RedactSessionIds

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """Every record written during the test, formatted as the console handler would."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    handler.addFilter(RedactSessionIds())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    yield lambda: [f"{r.getMessage()} {r.__dict__}" for r in records]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_a_turns_log_lines_hold_no_email_and_no_whole_session_id(frozen_clock, log_lines):
    call_command("seed_demo", verbosity=0)
    client = Client()
    session_id = client.post("/api/chat/sessions", content_type="application/json").json()["id"]
    url = f"/api/chat/session/{session_id}/turns"
    for text in ["python monday 10", "1", "Sam Lee, sam.private@example.com"]:
        client.post(url, data={"text": text}, content_type="application/json")
    client.get(f"/api/chat/session/{session_id}/nothing-here")  # a 404 logs its path

    lines = log_lines()
    assert any("chat turn in session" in line for line in lines)
    assert not any("sam.private@example.com" in line for line in lines)
    assert not any(session_id in line for line in lines)
    assert any(session_id[:6] + "…" in line for line in lines)
