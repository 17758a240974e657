"""Following someone else's device link in Chromium: the page asks first, and what the
student types without confirming never reaches the link owner's conversation.

Finding 4 of issue 8 (session fixation), as a person would meet it.
"""

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from chat.models import BookingDraft, ChatMessage, ChatSession
from tests.browser.steps import SEARCH, expect_step, open_chat, say
from tests.browser.tools import axe_violations, console_errors, format_violations, screenshot

VICTIMS_NAME = "Vic Tim"
VICTIMS_EMAIL = "vic.tim@example.com"
WARNING = (
    "This browser will leave its current conversation and open the one this link belongs to. "
    "Only continue if you made this link yourself."
)


def owners_link(owner: Page) -> str:
    owner.goto("/device")
    owner.get_by_role("button", name="Create a link").click()
    return owner.locator("#device-link").input_value()


def test_a_followed_link_asks_first_and_the_victims_answers_stay_their_own(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    owner = page
    open_chat(owner)
    say(owner, SEARCH)
    say(owner, "1")  # the owner's conversation waits for a name and an email
    expect_step(owner, 1)
    link = owners_link(owner)
    (owner_session,) = ChatSession.objects.values_list("pk", flat=True)
    open_chat(owner)
    victim = new_context(width=390, height=844).new_page()
    open_chat(victim)

    victim.goto(link)

    expect(victim.get_by_role("heading", level=1)).to_have_text("Open a conversation from a link?")
    expect(victim.get_by_text(WARNING)).to_be_visible()
    expect(victim.locator("#chat-log")).to_have_count(0)  # nothing of the owner's is shown
    screenshot(victim, "device/continue-confirm")
    violations = axe_violations(victim)
    assert violations == [], format_violations(violations)

    victim.get_by_role("link", name="No, back to my conversation").click()
    open_chat(victim, victim.url)
    say(victim, SEARCH)
    say(victim, "1")
    expect_step(victim, 1)
    say(victim, f"{VICTIMS_NAME}, {VICTIMS_EMAIL}")

    assert not ChatMessage.objects.filter(session_id=owner_session, content__contains=VICTIMS_EMAIL)
    assert not BookingDraft.objects.filter(
        session_id=owner_session, student_email=VICTIMS_EMAIL
    ).exists()
    assert BookingDraft.objects.filter(student_email=VICTIMS_EMAIL).count() == 1
    owner.reload()
    expect(owner.locator("#chat-log")).not_to_contain_text(VICTIMS_EMAIL)
    assert console_errors(victim) == []


def test_typing_the_link_into_a_tab_then_going_to_the_chat_does_not_switch_either(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    owner = page
    open_chat(owner)
    say(owner, SEARCH)
    link = owners_link(owner)
    victim = new_context().new_page()
    open_chat(victim)

    victim.goto(link)
    open_chat(victim, "/")  # left the confirmation page without answering

    expect(victim.locator("#chat-log")).not_to_contain_text(SEARCH)
    expect(victim.locator("#chat-log .msg")).to_have_count(1)  # still their own greeting


def test_only_the_confirming_button_switches(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    owner = page
    open_chat(owner)
    say(owner, SEARCH)
    link = owners_link(owner)
    other_device = new_context().new_page()

    other_device.goto(link)
    other_device.get_by_role("button", name="Yes, I made this link: continue").click()

    open_chat(other_device, other_device.url)
    expect(other_device.locator("#chat-log")).to_contain_text(SEARCH)
