"""Log lines hold no personal data, no whole session ids or booking uids, and no forged lines.

Booking uids are credentials like session ids (the cancel page and the calendar file open
with one), and requests carry them in paths; any character a client sends in a path may
reach a line. The console handler of settings.LOGGING, with its filter and formatter, is
what these tests read.
"""

import io
import json
import logging
import subprocess
import sys
import uuid
from datetime import datetime

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import CENTER_ZONE
from tests.live import ROOT
from tutoring.booking import booking_cancel, booking_create
from tutoring.models import Booking
from tutoring.redaction import RedactLogRecords, loggable, short_booking_uid

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)
# A line a client would like the log to show, sent inside a URL (%0A is a newline).
FORGED = "2026-12-02 09:00:00,000 INFO tutoring.access GET /admin/ 200 1ms"


@pytest.fixture
def log_lines():
    """Every record written during the test, formatted as the console handler would."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    handler.addFilter(RedactLogRecords())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    yield lambda: [f"{r.getMessage()} {r.__dict__}" for r in records]
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture
def console():
    """Return ``read(plain=False)``: the lines the configured console handler writes.

    The handler of settings.LOGGING (its filter, its formatter) writes into a buffer for the
    test; ``plain=True`` switches it to the plain format, as ``LOG_FORMAT=plain`` would.
    """
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter

    def use_plain() -> None:
        handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))

    def read() -> list[str]:
        return buffer.getvalue().splitlines()

    read.use_plain = use_plain
    yield read
    handler.setStream(old_stream)
    handler.setFormatter(old_formatter)


def test_a_turns_log_lines_hold_no_email_and_no_whole_session_id(frozen_clock, log_lines):
    call_command("seed_demo", verbosity=0)
    client = Client()
    created = client.post("/api/chat/sessions", content_type="application/json").json()
    session_id = created["id"]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {created['accessToken']}"
    url = f"/api/chat/session/{session_id}/turns"
    for text in ["python monday 10", "1", "Sam Lee, sam.private@example.com"]:
        client.post(url, data={"text": text}, content_type="application/json")
    client.get(f"/api/chat/session/{session_id}/nothing-here")  # a 404 logs its path

    lines = log_lines()
    assert any("chat turn in session" in line for line in lines)
    assert not any("sam.private@example.com" in line for line in lines)
    assert not any(session_id in line for line in lines)
    assert any(session_id[:6] + "…" in line for line in lines)


# --- booking uids ----------------------------------------------------------------------------


def uid_forms(uid: uuid.UUID) -> list[str]:
    return [str(uid), str(uid).upper(), uid.hex]


def test_a_bookings_whole_uid_reaches_no_log_line(
    frozen_clock, ada_weekly, student_answers, console, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the emails, which log too
        booking = booking_create(tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers)
    client = Client()
    client.get(booking.ics_path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(booking.cancel_path)
    # Paths Django logs as 404s: an upper-case uid, another booking's, a uid.hex.
    client.get(f"/bookings/{str(booking.uid).upper()}.ics")
    client.get(f"/bookings/{uuid.uuid4()}/cancel")
    client.get(f"/bookings/{booking.uid.hex}/cancel")
    logging.getLogger("tutoring.support").info("looked at %s", booking, extra={"uid": booking.uid})

    written = "\n".join(console())
    records = [json.loads(line) for line in console()]
    messages = [record["message"] for record in records]
    short = short_booking_uid(booking.uid)
    assert f"booking {short} created" in messages
    assert f"booking {short} cancelled" in messages
    assert f"booking {short}: booking_cancelled email sent" in messages
    assert f"Not Found: /bookings/{short.upper()}.ics" in messages
    assert f"Not Found: /bookings/{short}/cancel" in messages
    assert len([m for m in messages if m.startswith("Not Found: /bookings/")]) == 3
    assert records[-1]["uid"] == short  # ``extra`` fields too
    for form in uid_forms(booking.uid):
        assert form not in written
    for secret in ("Sofia", "sofia.park", "spark@", "W1234567", "Recursion"):
        assert secret not in written


def test_the_apps_own_booking_lines_use_the_short_uid_before_any_filter(
    frozen_clock, ada_weekly, student_answers, django_capture_on_commit_callbacks
):
    raw: list[str] = []

    class Raw(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raw.append(record.getMessage())

    # On the "tutoring" logger: it sees each record before the root's filtered handlers do.
    handler = Raw(level=logging.INFO)
    logging.getLogger("tutoring").addHandler(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            booking = booking_create(
                tutor_id=ada_weekly.pk, start=MONDAY_10, answers=student_answers
            )
        with django_capture_on_commit_callbacks(execute=True):
            booking_cancel(booking=booking)
    finally:
        logging.getLogger("tutoring").removeHandler(handler)

    assert len([line for line in raw if short_booking_uid(booking.uid) in line]) == 4
    assert not [line for line in raw if str(booking.uid) in line]


# --- control characters and forged lines ---------------------------------------------------------


def test_a_newline_in_a_url_cannot_forge_a_line_in_the_plain_format(console):
    console.use_plain()

    Client().get(f"/no-such-page%0A{FORGED.replace(' ', '%20')}")

    lines = console()
    assert len(lines) == 1
    assert lines[0].endswith(r"Not Found: /no-such-page\n" + FORGED)
    assert not any(line.startswith(FORGED) for line in lines)


def test_a_traceback_cannot_forge_a_line_and_holds_no_whole_uid(console):
    console.use_plain()
    uid = uuid.uuid4()

    try:
        raise ValueError(f"bad booking {uid}\n{FORGED}")
    except ValueError:
        logging.getLogger("tutoring.test").exception("something failed")

    lines = console()
    assert lines[0].endswith("something failed")
    assert lines[1].startswith("    Traceback (most recent call last)")
    assert lines[2].startswith('      File "')
    assert all(line.startswith("    ") for line in lines[1:])
    assert str(uid) not in "\n".join(lines)
    assert lines[-1] == f"    {FORGED}"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a\nb\r\nc", r"a\nb\r\nc"),
        ("tab\there", r"tab\there"),
        ("escape \x1b[31mred", r"escape \x1b[31mred"),
        ("reversed \u202eemoc.liame", r"reversed \u202eemoc.liame"),
        ("line\u2028separator", r"line\u2028separator"),
        ("lone \ud800 surrogate", r"lone \ud800 surrogate"),
        ("nul \x00 and del \x7f", r"nul \x00 and del \x7f"),
        ("plain words, “quotes” and é stay", "plain words, “quotes” and é stay"),
    ],
)
def test_control_characters_are_written_as_escapes(text, written):
    assert loggable(text) == written


def test_an_escape_next_to_a_session_id_does_not_hide_it():
    session_id = "A" * 32

    assert loggable(f"\n{session_id}") == r"\nAAAAAA…"


def test_json_lines_hold_request_data_on_one_line(console):
    Client().get(f"/no-such-page%0A{FORGED.replace(' ', '%20')}")

    lines = console()
    assert len(lines) == 1
    assert json.loads(lines[0])["message"] == r"Not Found: /no-such-page\n" + FORGED


def production_env(**extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_FORMAT"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "tutoring.settings",
        "DEBUG": "false",
        "SECRET_KEY": "test-only-secret-key-not-for-production",
        "ALLOWED_HOSTS": "tutoring.example.edu",
        **extra,
    }


def log_from_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); import logging; "
        "logging.getLogger('tutoring.test').warning('hello %s', 'there\\nworld')"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_lines_are_json_by_default_with_debug_off():
    result = log_from_a_fresh_process()

    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = json.loads(lines[0])
    assert line["levelname"] == "WARNING"
    assert line["name"] == "tutoring.test"
    assert line["message"] == r"hello there\nworld"


def test_an_unknown_log_format_is_refused_at_start_up():
    result = log_from_a_fresh_process(LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT='xml' is not one of: json, plain" in result.stderr


# --- the access log, in a real server -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_access_log_shortens_booking_uids_and_escapes_newlines(
    tutoring_settings, ada_weekly, student_answers
):
    from tests.live import daphne

    booking = Booking.objects.create(
        tutor=ada_weekly,
        start=datetime(2030, 12, 2, 10, 0, tzinfo=CENTER_ZONE),
        end=datetime(2030, 12, 2, 10, 30, tzinfo=CENTER_ZONE),
        mode="online",
        student_name=student_answers.student_name,
        student_email=student_answers.student_email,
        college_email=student_answers.college_email,
        specific_help=student_answers.specific_help,
    )
    with daphne(env={"LOG_FORMAT": "plain"}) as server:
        assert httpx.get(f"{server.url}{booking.ics_path}").status_code == 200
        assert httpx.get(f"{server.url}{booking.cancel_path}").status_code == 200
        httpx.get(f"{server.url}/bookings/{str(booking.uid).upper()}.ics")
        httpx.get(f"{server.url}/no-such-page%0A{FORGED.replace(' ', '%20')}")
        server.stop()
        output = server.output()

    short = short_booking_uid(booking.uid)
    assert f"tutoring.access GET /bookings/{short}.ics 200" in output
    assert f"tutoring.access GET /bookings/{short}/cancel 200" in output
    assert "tutoring.access GET /no-such-page\\n" + FORGED in output
    for form in uid_forms(booking.uid):
        assert form not in output
    assert not any(line.startswith(FORGED) for line in output.splitlines())
