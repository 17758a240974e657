"""Continue on another device: a signed link (and QR code) that opens the same session."""

import re
import time

import pytest
from django.core import signing
from django.test import Client

from chat import binding
from chat.logging import RedactSessionIds
from chat.models import ChatSession

pytestmark = pytest.mark.django_db


def session_of(client: Client) -> ChatSession:
    value = client.cookies[binding.COOKIE_NAME].value
    return ChatSession.objects.get(pk=binding.session_id_from_cookie(value))


@pytest.fixture
def laptop() -> Client:
    client = Client()
    client.get("/")
    client.post("/say", {"text": "hello"})
    return client


def device_link(client: Client) -> str:
    html = client.get("/device").content.decode()
    found = re.search(r'<input id="device-link"[^>]*value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_the_device_page_shows_an_absolute_link_and_a_qr_code(laptop):
    response = laptop.get("/device")

    html = response.content.decode()
    assert response.status_code == 200
    assert device_link(laptop).startswith("http://testserver/continue/")
    assert "<svg" in html
    assert "<path" in html
    assert "QR code of the link" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert session_of(laptop).pk not in html.replace(device_link(laptop), "")


def test_the_link_opens_the_same_session_in_a_fresh_client(laptop):
    link = device_link(laptop)
    phone = Client()

    response = phone.get(link)

    assert response.status_code == 303
    assert response["Location"] == "/"
    assert session_of(phone) == session_of(laptop)
    assert "hello" in phone.get("/").content.decode()
    assert ChatSession.objects.count() == 1


def test_both_devices_continue_the_same_conversation(laptop):
    phone = Client()
    phone.get(device_link(laptop))

    phone.post("/say", {"text": "thanks"})

    assert "thanks" in laptop.get("/").content.decode()


def test_after_a_new_conversation_the_old_link_shows_the_friendly_404(laptop):
    link = device_link(laptop)
    old = session_of(laptop)

    laptop.post("/new")

    new = session_of(laptop)
    assert new != old
    assert "hello" not in laptop.get("/").content.decode()
    phone = Client()
    response = phone.get(link)
    assert response.status_code == 404
    assert "doesn't work any more" in response.content.decode()
    assert binding.COOKIE_NAME not in response.cookies
    old.refresh_from_db()  # the old conversation itself is kept
    assert old.last_seq == 3


def test_a_new_link_after_a_new_conversation_opens_the_new_session(laptop):
    laptop.post("/new")
    phone = Client()
    phone.get(device_link(laptop))
    assert session_of(phone) == session_of(laptop)


def test_a_device_already_bound_keeps_its_conversation_after_the_link_is_revoked(laptop):
    phone = Client()
    phone.get(device_link(laptop))
    old = session_of(laptop)

    laptop.post("/new")

    assert session_of(phone) == old
    assert "hello" in phone.get("/").content.decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("xx" if not token.endswith("xx") else "yy"),
        lambda token: token.replace(":", "", 1),
        lambda token: "nonsense",
        lambda token: "a" * 1000,
    ],
)
def test_a_tampered_token_is_refused(laptop, mangle):
    token = device_link(laptop).rsplit("/", 1)[1]
    response = Client().get(f"/continue/{mangle(token)}")
    assert response.status_code == 404
    assert binding.COOKIE_NAME not in response.cookies


def test_a_token_for_another_salt_or_an_unknown_session_is_refused(laptop):
    session = session_of(laptop)
    foreign = signing.dumps({"s": session.pk, "k": session.device_link_key}, salt="other")
    unknown = signing.dumps({"s": "B" * 32, "k": "x"}, salt=binding.DEVICE_LINK_SALT)
    wrong_key = signing.dumps({"s": session.pk, "k": "guess"}, salt=binding.DEVICE_LINK_SALT)
    for token in [foreign, unknown, wrong_key]:
        assert Client().get(f"/continue/{token}").status_code == 404


def test_an_expired_token_is_refused(laptop, monkeypatch):
    token = device_link(laptop).rsplit("/", 1)[1]
    later = time.time() + binding.DEVICE_LINK_MAX_AGE + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert Client().get(f"/continue/{token}").status_code == 404


def test_the_invalid_link_is_logged_without_its_token(laptop, caplog):
    token = device_link(laptop).rsplit("/", 1)[1]
    laptop.post("/new")

    Client().get(f"/continue/{token}")

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    RedactSessionIds().filter(record)  # the filter every log handler has (settings.LOGGING)
    line = record.getMessage()
    assert token not in line
    assert token[:20] not in line
    assert "/continue/…" in line


def test_new_conversation_rotates_the_key_without_a_new_version(laptop):
    old = session_of(laptop)
    version, key = old.version, old.device_link_key

    laptop.post("/new")

    old.refresh_from_db()
    assert old.device_link_key != key
    assert old.version == version


def test_every_session_gets_its_own_device_link_key():
    keys = {ChatSession.objects.create().device_link_key for _ in range(5)}
    assert len(keys) == 5
    assert all(len(key) >= 20 for key in keys)
