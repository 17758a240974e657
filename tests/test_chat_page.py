"""The chat page: session binding, sending with and without htmx, panels, the tutor directory.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific and the demo roster is loaded
where a conversation is needed, so "Monday" is Monday Dec 7.
"""

import re

import pytest
from django.conf import settings
from django.core import signing
from django.core.management import call_command
from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import get_template
from django.test import Client

from chat import credentials, panels
from chat.assistant import booking_form
from chat.models import BookingStep, ChatMessage, ChatSession
from tutoring.models import Booking, Tutor

pytestmark = pytest.mark.django_db

FORM_ANSWERS = [
    {"step": "name-email", "name": "Sam Lee", "email": "sam@example.com"},
    {"step": "ccsf-email", "email": "sam@mail.ccsf.edu"},
    {"step": "student-id", "answer": "W1234567"},
    {"text": "yes"},
    {"step": "classes", "courses": ["CS 110A"]},
    {"step": "specific-help", "answer": "Recursion and loops"},
    {"step": "additional-notes", "skip": "1"},
]


@pytest.fixture
def roster(frozen_clock):
    call_command("seed_demo", verbosity=0)


def session_id_in(value: str) -> str:
    return credentials.binding_from_cookie(value).session_id


def session_of(client: Client) -> ChatSession:
    return ChatSession.objects.get(
        pk=session_id_in(client.cookies[credentials.cookie_name()].value)
    )


class Browser:
    """One browser: a test client with the chat cookie, posting like the page does."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client()
        self.page = self.client.get("/")
        assert self.page.status_code == 200

    @property
    def session(self) -> ChatSession:
        return session_of(self.client)

    def html(self) -> str:
        return self.client.get("/").content.decode()

    def say(self, text: str | None = None, *, htmx: bool = True, **fields):
        data = {"conversation": credentials.conversation_key(self.session.pk), **fields}
        if text is not None:
            data["text"] = text
        headers = {"HX-Request": "true"} if htmx else {}
        response = self.client.post("/say", data, headers=headers)
        assert response.status_code in (200, 303, 409, 422), response.content[:500]
        return response

    def to_confirm(self) -> None:
        self.say("python monday 10")
        self.say("1")
        for answer in FORM_ANSWERS:
            self.say(**answer)
        assert self.session.booking_draft.step == "confirm"


@pytest.fixture
def browser(roster) -> Browser:
    return Browser()


def panel_of(html: str) -> str:
    found = re.search(r'<section id="chat-panel".*?</section>', html, re.S)
    assert found, "no #chat-panel"
    return found.group(0)


# --- binding ----------------------------------------------------------------------------------


def test_the_first_visit_sets_a_signed_httponly_lax_cookie_and_creates_one_session(client):
    response = client.get("/")

    assert response.status_code == 200
    cookie = response.cookies["__Host-chat_session"]  # DEBUG is off in tests: Secure
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    assert int(cookie["max-age"]) == 30 * 24 * 3600  # the idle expiry, CHAT_COOKIE_IDLE_DAYS
    session = ChatSession.objects.get()
    assert cookie.value != session.pk
    assert session_id_in(cookie.value) == session.pk


def test_the_cookie_is_neither_secure_nor_prefixed_in_development(client, settings):
    settings.CHAT_COOKIE_SECURE = False  # what DEBUG=true sets
    response = client.get("/")
    assert not response.cookies["chat_session"]["secure"]
    assert "__Host-chat_session" not in response.cookies


def test_a_second_request_with_the_cookie_reuses_the_session(client):
    client.get("/")
    client.get("/")
    other_tab = client.get("/")

    assert ChatSession.objects.count() == 1
    assert other_tab.status_code == 200


def test_a_tampered_cookie_gets_a_new_session_not_an_error(client):
    client.get("/")
    first = ChatSession.objects.get()
    value = client.cookies[credentials.cookie_name()].value
    tampered = value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB")
    client.cookies[credentials.cookie_name()] = tampered

    response = client.get("/")

    assert response.status_code == 200
    assert ChatSession.objects.count() == 2
    rebound = session_id_in(response.cookies[credentials.cookie_name()].value)
    assert rebound != first.pk


@pytest.mark.parametrize(
    "value",
    [
        "not-a-signed-value",
        "",
        signing.dumps({"s": "x" * 32, "i": 2_000_000_000}, salt="wrong.salt"),
    ],
)
def test_a_malformed_or_foreign_cookie_gets_a_new_session(client, value):
    client.cookies[credentials.cookie_name()] = value
    response = client.get("/")
    assert response.status_code == 200
    assert ChatSession.objects.count() == 1


def signed_cookie(session_id: str) -> str:
    response = HttpResponse()
    credentials.set_cookie(response, credentials.BrowserBinding.new(session_id))
    return response.cookies[credentials.cookie_name()].value


def test_a_cookie_naming_an_unknown_session_gets_a_new_session(client):
    client.cookies[credentials.cookie_name()] = signed_cookie("A" * 32)
    assert session_id_in(client.cookies[credentials.cookie_name()].value) == "A" * 32

    response = client.get("/")

    assert response.status_code == 200
    assert ChatSession.objects.count() == 1
    assert ChatSession.objects.get().pk != "A" * 32


def test_the_page_html_never_contains_the_session_id(client):
    html = client.get("/").content.decode()
    session = ChatSession.objects.get()
    assert session.pk not in html
    assert credentials.conversation_key(session.pk) in html


def test_the_page_is_private_and_never_cached(client):
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_greeting_and_its_landmarks(client):
    html = client.get("/").content.decode()

    assert "scheduling assistant" in html
    assert 'id="msg-1"' in html
    assert 'id="chat-log" class="chat-log" role="log" aria-live="polite"' in html
    assert 'aria-label="Messages"' in html
    assert '<main id="main"' in html
    assert 'href="#main"' in html  # skip link
    assert 'id="connection-banner"' in html
    assert 'role="status"' in html
    assert 'id="typing-indicator"' in html
    assert '<label for="chat-input"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "hx-ws-2" in html
    assert "chat/chat.js" in html
    assert 'ws-connect="/ws/chat/?conversation=' in html


def test_the_page_has_no_inline_script_style_or_event_handlers(browser):
    browser.to_confirm()
    html = browser.html()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "hx-on" not in html


def test_every_form_posts_without_javascript(browser):
    browser.say("python monday 10")
    html = browser.html()

    for form in re.findall(r"<form[^>]*>", html):
        assert 'method="post"' in form
        assert "action=" in form
    assert html.count('name="csrfmiddlewaretoken"') >= 3


def test_a_plain_post_redirects_and_the_reply_is_on_the_page(browser):
    response = browser.say("python monday 10", htmx=False)

    assert response.status_code == 303
    assert response["Location"] == "/"
    html = browser.html()
    assert "python monday 10" in html
    assert 'id="msg-3"' in html
    assert "Open times" in html


def test_an_htmx_post_returns_out_of_band_fragments(browser):
    response = browser.say("python monday 10", after="1")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div hx-swap-oob="beforeend:#chat-log">' in html
    assert 'id="msg-2"' in html
    assert 'id="msg-3"' in html
    assert 'id="msg-1"' not in html
    assert re.search(r'<section id="chat-panel"[^>]*hx-swap-oob="true"', html)
    assert '<p id="composer-hint" class="hint" hx-swap-oob="true">' in html
    assert "<html" not in html


def test_an_htmx_post_without_after_starts_at_the_new_turn(browser):
    html = browser.say("hello").content.decode()
    assert 'id="msg-2"' in html
    assert 'id="msg-1"' not in html


def test_the_same_client_id_twice_stores_one_message(browser):
    first = browser.say("python monday 10", client_id="c0ffee-1")
    again = browser.say("python monday 10", client_id="c0ffee-1")

    session = browser.session
    assert session.messages.filter(role="user").count() == 1
    assert session.last_seq == 3
    assert 'id="msg-2"' in first.content.decode()
    assert 'id="msg-2"' in again.content.decode()


def test_the_same_client_id_twice_without_javascript_stores_one_message(browser):
    browser.say("python monday 10", htmx=False, client_id="form-1")
    browser.say("python monday 10", htmx=False, client_id="form-1")
    assert browser.session.messages.filter(role="user").count() == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_message_is_refused_with_an_error(browser, htmx):
    response = browser.say("   ", htmx=htmx)

    assert response.status_code == 422
    assert "Type a message first." in response.content.decode()
    assert browser.session.last_seq == 1


def test_a_too_long_message_re_renders_with_an_error_and_keeps_the_text(browser, settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 50
    text = "python " * 10

    response = browser.say(text, htmx=False)

    html = response.content.decode()
    assert response.status_code == 422
    assert "too long" in html
    assert f">{text.strip()}</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert browser.session.last_seq == 1


def test_a_too_long_message_over_htmx_answers_only_the_error(browser, settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 50

    response = browser.say("x" * 51)

    html = response.content.decode()
    assert response.status_code == 422
    assert '<p id="chat-error" class="error" hx-swap-oob="true">' in html
    assert "chat-log" not in html


def test_hostile_student_text_is_escaped(browser):
    hostile = '<img src=x onerror=alert(1)> <script>alert("x")</script> [x](javascript:alert(1))'

    browser.say(hostile, htmx=False)

    html = browser.html()
    assert "<img src=x" not in html
    assert '<script>alert("x")' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript:' not in html


def test_hostile_text_echoed_by_the_assistant_stays_escaped(browser):
    browser.say("python monday 10")
    browser.say("1")
    browser.say(
        step="name-email", name="<b>Eve</b> **<script>x</script>**", email="eve@example.com"
    )

    html = browser.html()
    # Markup is no name: the step is asked again, and the words shown back stay inert.
    assert browser.session.booking_draft.step == "name-email"
    assert browser.session.booking_draft.student_name is None
    assert "A name can hold letters" in html
    assert "<b>Eve</b>" not in html
    assert "<script>x" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


# --- panels -----------------------------------------------------------------------------------


def test_an_offer_shows_a_tutor_card_with_slot_buttons_and_other_tutors(browser):
    browser.say("python monday 10")

    panel = panel_of(browser.html())
    pending = browser.session.matches.get(kind="pending")
    assert pending.tutor.name in panel
    assert 'class="badge badge-' in panel
    assert '<button type="submit" name="text" value="1" id="slot-1"' in panel
    assert "Mon Dec 7, 10:00–10:30 AM" in re.sub(r"<[^>]+>", "", panel)
    assert 'value="other tutors"' in panel
    assert 'name="version"' in panel


def test_a_slot_button_starts_the_booking_form_at_step_one(browser):
    browser.say("python monday 10")
    browser.say("1")

    panel = panel_of(browser.html())
    assert "Booking: step 1 of 8" in panel
    assert 'type="text" inputmode="email"' in panel
    assert 'name="email"' in panel
    assert 'name="name"' in panel
    assert 'autocomplete="email"' in panel
    assert 'value="back" formnovalidate' in panel


def test_the_form_steps_show_the_right_inputs(browser):
    browser.say("python monday 10")
    browser.say("1")
    seen = {}
    for answer in FORM_ANSWERS:
        seen[browser.session.booking_draft.step] = panel_of(browser.html())
        browser.say(**answer)
    seen["confirm"] = panel_of(browser.html())

    assert "step 2 of 8" in seen["ccsf-email"]
    assert 'inputmode="email"' in seen["ccsf-email"]
    assert "@mail.ccsf.edu" in seen["ccsf-email"]
    assert 'name="answer"' in seen["student-id"]
    assert 'name="skip"' in seen["student-id"]
    assert 'name="text" value="yes"' in seen["allow-others"]
    assert 'name="text" value="no"' in seen["allow-others"]
    assert 'type="checkbox" name="courses" value="CS 110A"' in seen["classes"]
    assert "<textarea" in seen["specific-help"]
    assert "step 8 of 8" in seen["confirm"]
    assert "Yes, book it" in seen["confirm"]
    assert "Recursion and loops" in seen["confirm"]


def test_every_kind_of_panel_and_form_step_has_its_template():
    steps = set(BookingStep.values) - {BookingStep.COMPLETE}
    assert set(booking_form.STEP) == steps
    for step in booking_form.STEPS:
        get_template(step.template)
    kinds = (panels.IDLE, panels.OFFER, panels.TUTORS, panels.FORM)
    for kind in (*kinds, panels.SWITCH, panels.CANCEL, panels.BOOKED):
        get_template(panels.Panel(kind, kind).template)


def test_a_step_asked_again_shows_the_answer_given_before(browser):
    browser.say("python monday 10")
    browser.say("1")
    for answer in FORM_ANSWERS[:6]:
        browser.say(**answer)

    browser.say("back")

    panel = panel_of(browser.html())
    assert "step 6 of 8" in panel
    assert ">Recursion and loops</textarea>" in panel


def test_the_structured_fields_become_the_answers_the_assistant_expects(browser):
    browser.to_confirm()

    said = list(browser.session.messages.filter(role="user").values_list("content", flat=True))
    assert said[2:] == [
        "Sam Lee, sam@example.com",
        "sam@mail.ccsf.edu",
        "W1234567",
        "yes",
        "CS 110A",
        "Recursion and loops",
        "skip",
    ]


def test_no_course_ticked_answers_none(browser):
    browser.say("python monday 10")
    browser.say("1")
    for answer in FORM_ANSWERS[:4]:
        browser.say(**answer)

    browser.say(step="classes")

    assert browser.session.messages.filter(role="user").last().content == "none"
    assert browser.session.booking_draft.step == "specific-help"


def test_the_offer_shows_one_tutor_card_in_the_panel_and_none_in_the_transcript(browser):
    browser.say("python monday 10")

    html = browser.html()
    offer = browser.session.messages.get(seq=3)
    transcript = html.split('<section id="chat-panel"')[0]
    assert offer.tutor_match is not None
    assert html.count('class="tutor-card"') == 1
    assert 'class="tutor-card"' in panel_of(html)
    assert 'id="msg-3"' in transcript
    assert offer.tutor_match["tutor"]["name"] in transcript


def test_a_slot_button_shows_its_day_over_its_hours_and_its_mode_apart():
    slot = {"start": "2026-12-07T10:00:00-08:00", "time": "10:00-10:30", "mode": "online"}

    choice = panels.slot_choice(2, slot)

    assert (choice["number"], choice["day"], choice["hours"]) == (2, "Mon Dec 7", "10:00–10:30 AM")
    assert (choice["mode"], choice["mode_label"]) == ("online", "online")
    assert choice["label"] == "Mon Dec 7, 10:00–10:30 AM, online"


def test_a_transcript_offer_whose_words_miss_the_tutor_names_them_in_one_line(browser):
    browser.say("python monday 10")
    offer = browser.session.messages.get(seq=3)
    name = offer.tutor_match["tutor"]["name"]
    ChatMessage.objects.filter(pk=offer.pk).update(content="Here are some open times.")
    browser.say("other tutors")

    html = browser.html()

    assert f'<p class="msg-offered">Offered: {name}</p>' in html
    assert html.count(f"Offered: {name}") == 1


def test_only_form_steps_with_their_own_field_take_the_place_of_the_message_box(browser):
    browser.say("python monday 10")
    owns = {"offer": "data-owns-input" in panel_of(browser.html())}
    browser.say("1")
    for answer in FORM_ANSWERS:
        panel = panel_of(browser.html())
        owns[browser.session.booking_draft.step] = "data-owns-input" in panel
        if "data-owns-input" in panel:
            assert 'href="#chat-form" id="type-else"' in panel
        browser.say(**answer)
    owns["confirm"] = "data-owns-input" in panel_of(browser.html())

    assert owns == {
        "offer": False,
        "name-email": True,
        "ccsf-email": True,
        "student-id": True,
        "allow-others": False,
        "classes": True,
        "specific-help": True,
        "additional-notes": True,
        "confirm": False,
    }


def test_no_field_a_student_types_into_has_a_length_limit_or_blocks_a_question(browser):
    pages = [browser.html()]
    browser.say("python monday 10")
    browser.say("1")
    for answer in FORM_ANSWERS:
        pages.append(browser.html())
        browser.say(**answer)

    for html in pages:
        assert "maxlength" not in html
        assert 'type="email"' not in html
        panel = panel_of(html)
        assert not re.search(r"<(input|textarea)[^>]*\brequired\b", panel)
    assert 'id="chat-input" name="text" rows="2" required' in pages[0]


def test_a_long_question_typed_into_the_name_field_reaches_the_assistant_whole(browser):
    browser.say("python monday 10")
    browser.say("1")
    question = "why do you need my name " + "and my email, " * 20 + "what is it for?"

    response = browser.say(step="name-email", name=question)

    assert response.status_code == 200
    assert browser.session.messages.filter(role="user").last().content == question


def test_an_error_shows_outside_the_message_box_that_folds_away(browser):
    html = browser.html()

    composer = re.search(r'<form id="chat-form".*?</form>', html, re.S).group(0)
    assert 'id="chat-error"' in html
    assert 'id="chat-error"' not in composer


def test_the_confirmation_card_links_the_ics_and_the_cancel_page(browser):
    browser.to_confirm()

    browser.say("yes")

    booking = Booking.objects.get()
    panel = panel_of(browser.html())
    assert "You're booked" in panel
    assert f'href="{booking.ics_path}"' in panel
    assert f'href="{booking.cancel_path}"' in panel
    assert browser.client.get(booking.ics_path).status_code == 200
    assert browser.client.get(booking.cancel_path).status_code == 200


def test_a_choice_from_an_outdated_panel_is_refused_and_the_panel_refreshed(browser):
    browser.say("python monday 10")
    stale = browser.session.version
    browser.say("other tutors")

    response = browser.say("1", version=str(stale))

    html = response.content.decode()
    assert response.status_code == 409
    assert "moved on" in html
    assert re.search(r'<section id="chat-panel"[^>]*hx-swap-oob="true"', html)
    assert browser.session.messages.filter(role="user").count() == 2


def test_a_post_from_a_tab_showing_an_old_conversation_is_not_sent(browser):
    old_key = credentials.conversation_key(browser.session.pk)
    browser.client.post("/new")

    response = browser.client.post(
        "/say", {"text": "2", "conversation": old_key}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert browser.session.last_seq == 1


def test_a_post_from_an_old_tab_without_javascript_keeps_the_text(browser):
    old_key = credentials.conversation_key(browser.session.pk)
    browser.client.post("/new")

    response = browser.client.post("/say", {"text": "keep me", "conversation": old_key})

    assert response.status_code == 409
    assert ">keep me</textarea>" in response.content.decode()
    assert browser.session.last_seq == 1


def test_a_database_outage_answers_503_and_keeps_the_text(browser, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("chat.views.take_turn", down)

    key = credentials.conversation_key(browser.session.pk)
    plain = browser.client.post(
        "/say", {"text": "python monday 10", "client_id": "keep-1", "conversation": key}
    )
    htmx = browser.client.post(
        "/say", {"text": "python", "conversation": key}, headers={"HX-Request": "true"}
    )

    page = plain.content.decode()
    assert plain.status_code == 503
    assert plain["Retry-After"]
    assert ">python monday 10</textarea>" in page
    assert 'name="client_id" value="keep-1"' in page
    assert htmx.status_code == 503
    assert htmx["Retry-After"]


def test_the_page_answers_503_not_500_while_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("chat.credentials.session_for_binding", down)

    response = client.get("/")

    assert response.status_code == 503
    assert "database" in response.content.decode()


def test_earlier_messages_are_paged_with_a_link_that_works_without_javascript(browser, settings):
    settings.CHAT_STATE_MESSAGES = 4
    for word in ["hello", "thanks", "hi"]:
        browser.say(word)

    html = browser.html()
    assert 'id="msg-7"' in html
    assert 'id="msg-3"' not in html
    assert 'href="/messages?before=4"' in html

    earlier = browser.client.get("/messages?before=4")
    assert earlier.status_code == 200
    text = earlier.content.decode()
    assert 'id="msg-3"' in text
    assert 'id="msg-1"' in text
    assert 'id="msg-4"' not in text

    fragment = browser.client.get("/messages?before=4", headers={"HX-Request": "true"})
    assert '<div hx-swap-oob="afterbegin:#chat-log">' in fragment.content.decode()


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/say", "/new"])
def test_csrf_is_enforced(path):
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    session = ChatSession.objects.get()

    refused = client.post(path, {"text": "hello"})

    assert refused.status_code == 403
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(path, {"text": "hello"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 303
    session.refresh_from_db()
    assert ChatSession.objects.count() == (2 if path == "/new" else 1)


# --- the tutor directory ----------------------------------------------------------------------


def test_the_tutors_page_lists_every_active_tutor_with_weekly_hours(roster, client):
    inactive = Tutor.objects.order_by("pk").last()
    inactive.is_active = False
    inactive.save()

    response = client.get("/tutors")

    html = response.content.decode()
    assert response.status_code == 200
    for tutor in Tutor.objects.filter(is_active=True):
        assert tutor.name in html
    assert inactive.name not in html
    assert "<table" in html
    assert "<caption>" in html
    assert "Monday" in html
    assert "AM" in html or "PM" in html
    assert "America/Los_Angeles" in html
    assert 'aria-current="page"' in html
    assert ChatMessage.objects.count() == 0


def test_the_chat_page_links_to_the_tutors_page(client):
    assert 'href="/tutors"' in client.get("/").content.decode()
