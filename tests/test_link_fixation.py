"""Following someone else's device link never switches a browser without its confirming POST.

Finding 4 of issue 8 (session fixation): a student who followed another person's
``/continue/<token>`` link was switched to that conversation silently, and whatever they
typed next (name, email) was readable by the link's owner. Now the link's page says what will
happen and asks; only a POST with the page's CSRF token switches.
"""

import pytest
from django.test import Client

from chat.models import ChatMessage, DeviceLink
from tests.devices import (
    CSRF_FIELD,
    browser_with_conversation,
    cookie_value,
    csrf_post,
    make_link,
    open_link,
    path_of,
    session_id_of,
    session_of,
)

pytestmark = pytest.mark.django_db

PERSONAL = "Vic Tim, vic.tim@example.com"


@pytest.fixture
def owner() -> Client:
    """The person who made the link (perhaps to trap someone)."""
    return browser_with_conversation()


@pytest.fixture
def victim() -> Client:
    """A student with a conversation of their own, who follows the owner's link."""
    return browser_with_conversation(enforce_csrf=True)


def test_following_a_link_shows_what_will_happen_and_switches_nothing(owner, victim):
    url = make_link(owner)
    cookie_before, own_session = cookie_value(victim), session_id_of(victim)

    response = victim.get(path_of(url))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "This browser will leave its current conversation and open the one this link belongs "
        "to. Only continue if you made this link yourself." in html
    )
    assert '<form method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'id="continue-back" href="/"' in html
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]
    assert cookie_value(victim) == cookie_before
    assert session_id_of(victim) == own_session
    assert DeviceLink.objects.get().last_used_at is None


def test_what_the_victim_types_after_following_the_link_stays_in_their_own_conversation(
    owner, victim
):
    victim.get(path_of(make_link(owner)))
    owners_session = session_of(owner)

    csrf_post(victim, "/say", {"text": PERSONAL})

    assert ChatMessage.objects.filter(session=session_of(victim), content=PERSONAL).exists()
    assert not ChatMessage.objects.filter(session=owners_session, content=PERSONAL).exists()
    assert PERSONAL not in owner.get("/").content.decode()


def test_a_post_without_the_csrf_token_switches_nothing(owner, victim):
    url = make_link(owner)
    own_session = session_id_of(victim)

    response = victim.post(path_of(url))

    assert response.status_code == 403
    assert session_id_of(victim) == own_session
    assert DeviceLink.objects.get().last_used_at is None


def test_a_post_from_another_site_is_refused_even_with_a_token_of_its_own(owner, victim):
    # A page elsewhere cannot read the victim's CSRF token; one it made up does not match.
    url = make_link(owner)
    own_session = session_id_of(victim)

    response = victim.post(
        path_of(url),
        {"csrfmiddlewaretoken": "x" * 64},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert session_id_of(victim) == own_session


def test_the_confirming_post_switches_the_browser_and_records_the_use(owner, victim):
    url = make_link(owner)

    response = open_link(victim, url)

    assert response.status_code == 303
    assert response["Location"] == "/"
    assert session_id_of(victim) == session_of(owner).pk
    assert "hello" in victim.get("/").content.decode()
    assert DeviceLink.objects.get().last_used_at is not None


def test_a_browser_without_a_conversation_is_asked_too_and_nothing_is_created(owner):
    url = make_link(owner)
    newcomer = Client(enforce_csrf_checks=True)

    response = newcomer.get(path_of(url))

    html = response.content.decode()
    assert "This browser will open the conversation this link belongs to." in html
    assert "Only continue if you made this link yourself." in html
    assert cookie_value(newcomer) is None
    token = CSRF_FIELD.search(html).group(1)
    newcomer.post(path_of(url), {"csrfmiddlewaretoken": token})
    assert session_id_of(newcomer) == session_of(owner).pk


def test_the_owner_opening_their_own_link_is_told_so_and_keeps_their_own_cookie(owner):
    url = make_link(owner)
    before = cookie_value(owner)

    page = owner.get(path_of(url)).content.decode()
    csrf_post(owner, path_of(url))

    assert "This browser already has this conversation" in page
    assert cookie_value(owner) == before  # not turned into a link's (revocable) cookie
    assert DeviceLink.objects.get().last_used_at is None


def test_other_methods_on_a_link_change_nothing(owner, victim):
    url = make_link(owner)
    own_session = session_id_of(victim)

    for method in (victim.put, victim.delete, victim.patch):
        assert method(path_of(url)).status_code in (403, 405)  # CSRF refuses them first
    assert session_id_of(victim) == own_session
